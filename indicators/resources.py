"""django-import-export resources for the indicators app: figures (in the import columns), indicators, targets."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from import_export.fields import Field

from core.spreadsheets import SafeExportResource
from indicators.periods import period_code

from .models import Indicator, Observation, Target


class ObservationResource(SafeExportResource):
    """Figures with their natural keys (agency code, metric code, period code): exports re-import unchanged."""

    agency = Field(column_name="Mã cơ quan", dehydrate_method="dehydrate_agency")
    agency_name = Field(column_name="Tên cơ quan", dehydrate_method="dehydrate_agency_name")
    metric = Field(column_name="Mã chỉ số", dehydrate_method="dehydrate_metric")
    metric_name = Field(column_name="Tên chỉ số", dehydrate_method="dehydrate_metric_name")
    unit = Field(column_name="Đơn vị tính", dehydrate_method="dehydrate_unit")
    period = Field(column_name="Kỳ báo cáo", dehydrate_method="dehydrate_period")
    value = Field(column_name="Giá trị", dehydrate_method="dehydrate_value")
    numerator = Field(column_name="Tử số", dehydrate_method="dehydrate_numerator")
    denominator = Field(column_name="Mẫu số", dehydrate_method="dehydrate_denominator")
    note = Field(column_name="Ghi chú", dehydrate_method="dehydrate_note")
    status = Field(column_name="Trạng thái", dehydrate_method="dehydrate_status")

    class Meta:
        model = Observation
        fields = export_order = (
            "agency",
            "agency_name",
            "metric",
            "metric_name",
            "unit",
            "period",
            "value",
            "numerator",
            "denominator",
            "note",
            "status",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("agency", "metric", "period").order_by(
            "metric__code", "period__ends_on", "agency__code"
        )

    def dehydrate_agency(self, obj):
        return obj.agency.code

    def dehydrate_agency_name(self, obj):
        return obj.agency.name

    def dehydrate_metric(self, obj):
        return obj.metric.code

    def dehydrate_metric_name(self, obj):
        return obj.metric.name

    def dehydrate_unit(self, obj):
        return obj.metric.unit

    def dehydrate_period(self, obj):
        return period_code(obj.period.kind, obj.period.year, obj.period.number)

    def dehydrate_value(self, obj):
        # a ratio entered as numerator and denominator re-imports through them; the value is derived
        return None if obj.numerator is not None else obj.value

    def dehydrate_numerator(self, obj):
        return obj.numerator

    def dehydrate_denominator(self, obj):
        return obj.denominator

    def dehydrate_note(self, obj):
        return obj.note

    def dehydrate_status(self, obj):
        return str(obj.get_status_display())


class IndicatorResource(SafeExportResource):
    """Appendix I rows: each milestone cell verbatim and the lead agencies as the plan names them."""

    group = Field(attribute="group__code", column_name="Nhóm")
    code = Field(attribute="code", column_name="Mã chỉ tiêu")
    cells = Field(column_name="Mục tiêu (theo mốc)", dehydrate_method="dehydrate_cells")
    lead = Field(column_name="Cơ quan chủ trì đánh giá", dehydrate_method="dehydrate_lead")

    class Meta:
        model = Indicator
        fields = export_order = ("group", "code", "cells", "lead")

    def filter_export(self, queryset, **kwargs):
        # the cells in force today (each version, with its dates, is in the target export)
        cells = Target.objects.in_force(timezone.localdate()).order_by("year")
        return (
            queryset.select_related("group")
            .prefetch_related(Prefetch("targets", queryset=cells))
            .order_by("group__order", "number")
        )

    def dehydrate_cells(self, obj):
        return "\n".join(f"{t.year}: {t.text}" for t in obj.targets.all() if t.text)

    def dehydrate_lead(self, obj):
        return "; ".join(obj.lead_names)


class TargetResource(SafeExportResource):
    """Target cells (indicator × milestone year), verbatim, with their measurable claims: every version, with the
    interval it is in force in."""

    indicator = Field(attribute="indicator__code", column_name="Mã chỉ tiêu")
    year = Field(attribute="year", column_name="Mốc năm")
    valid_from = Field(attribute="valid_from", column_name="Có hiệu lực từ ngày")
    valid_to = Field(attribute="valid_to", column_name="Có hiệu lực đến hết ngày")
    text = Field(attribute="text", column_name="Nội dung (nguyên văn)")
    qualitative = Field(column_name="Định tính", dehydrate_method="dehydrate_qualitative")
    claims = Field(column_name="Mục tiêu định lượng", dehydrate_method="dehydrate_claims")

    class Meta:
        model = Target
        fields = export_order = ("indicator", "year", "valid_from", "valid_to", "text", "qualitative", "claims")

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.select_related("indicator__group")
            .prefetch_related("parsed_targets__metric")
            .order_by("indicator__group__order", "indicator__number", "year", "valid_from")
        )

    def dehydrate_qualitative(self, obj):
        return "Có" if obj.qualitative else ""

    def dehydrate_claims(self, obj):
        return "; ".join(str(parsed) for parsed in obj.parsed_targets.all())
