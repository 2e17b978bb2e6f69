"""django-import-export resources for oversight: the central mapping in the columns its import reads, so an export
from the admin loads back unchanged (``import_central_mapping``)."""

from __future__ import annotations

from import_export.fields import Field

from core.spreadsheets import SafeExportResource

from .models import CentralIndicator


class CentralIndicatorResource(SafeExportResource):
    metric = Field(column_name="Mã chỉ số", dehydrate_method="dehydrate_metric")
    code = Field(column_name="Mã chỉ tiêu TW", attribute="code")
    name = Field(column_name="Tên chỉ tiêu TW", attribute="name")
    unit = Field(column_name="Đơn vị TW", attribute="unit")
    factor = Field(column_name="Hệ số quy đổi", dehydrate_method="dehydrate_factor")
    metric_name = Field(column_name="Tên chỉ số", dehydrate_method="dehydrate_metric_name")
    metric_unit = Field(column_name="Đơn vị tính của chỉ số", dehydrate_method="dehydrate_metric_unit")

    class Meta:
        model = CentralIndicator
        fields = export_order = ("metric", "code", "name", "unit", "factor", "metric_name", "metric_unit")

    def get_queryset(self):
        return CentralIndicator.objects.select_related("metric").order_by("code")

    def dehydrate_metric(self, row: CentralIndicator) -> str:
        return row.metric.code

    def dehydrate_metric_name(self, row: CentralIndicator) -> str:
        return row.metric.name

    def dehydrate_metric_unit(self, row: CentralIndicator) -> str:
        return row.metric.unit

    def dehydrate_factor(self, row: CentralIndicator):
        return row.factor.normalize()
