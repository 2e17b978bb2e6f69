"""Open-data serializers: what the public API shows, and nothing else (no people, notes, files or drafts)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import (
    Indicator,
    Metric,
    Observation,
    ParsedTarget,
    Plan,
    ProvinceValue,
    Target,
    TargetStatus,
)
from indicators.progress import method_description
from indicators.statuses import latest_claim
from indicators.templatetags.plan_text import plan_text
from tasks.models import Task, TaskOccurrence


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=False, **kwargs)


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "code", "title", "province", "issued_on", "milestones"]


class ParsedTargetSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="code", read_only=True)
    value = _number()
    value_max = _number(allow_null=True)
    fragment = serializers.SerializerMethodField(help_text="Phần của ô ứng với mục tiêu này, như bản in.")

    class Meta:
        model = ParsedTarget
        fields = ["id", "metric", "operator", "value", "value_max", "fragment"]

    def get_fragment(self, item: ParsedTarget) -> str:
        return plan_text(item.fragment)


class CellSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="Nội dung ô như bản in (≥ thay cho ký hiệu LaTeX).")
    text_display = serializers.SerializerMethodField(help_text="Như text (giữ để tương thích).")
    targets = ParsedTargetSerializer(source="parsed_targets", many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["year", "text", "text_display", "qualitative", "targets"]

    def get_text(self, target: Target) -> str:
        return plan_text(target.text)

    def get_text_display(self, target: Target) -> str:
        return plan_text(target.text)


class MetricSerializer(serializers.ModelSerializer):
    """A metric with its metadata: what it measures, from what source, who reports it, how often, and how its
    targets get their colour."""

    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source = serializers.CharField(source="data_source", read_only=True, help_text="Nguồn số liệu.")
    reporting_agency = serializers.SerializerMethodField(
        help_text="Cơ quan cung cấp số liệu toàn tỉnh (null: từng cơ quan, địa phương được giao báo cáo)."
    )
    status_method = serializers.SerializerMethodField(help_text="Cách tính trạng thái các mục tiêu của chỉ số.")

    class Meta:
        model = Metric
        fields = [
            "code",
            "plan",
            "name",
            "unit",
            "kind",
            "direction",
            "frequency",
            "collection",
            "definition",
            "numerator_label",
            "denominator_label",
            "source",
            "reporting_agency",
            "status_method",
        ]

    def get_reporting_agency(self, metric: Metric) -> str | None:
        return metric.reporting_agency.name if metric.reporting_agency_id else None

    def get_status_method(self, metric: Metric) -> str:
        return method_description(kind=metric.kind, method=metric.progress_method, thresholds=metric.thresholds)


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group_title = serializers.CharField(source="group.title", read_only=True)
    lead_agencies = serializers.ListField(source="lead_names", child=serializers.CharField(), read_only=True)
    cells = CellSerializer(source="targets", many=True, read_only=True)
    metrics = serializers.SerializerMethodField(help_text="Các chỉ số đo lường của chỉ tiêu, với thông tin của chúng.")

    class Meta:
        model = Indicator
        fields = ["code", "plan", "group", "group_title", "number", "lead_agencies", "metrics", "cells"]

    @extend_schema_field(MetricSerializer(many=True))
    def get_metrics(self, indicator: Indicator) -> list[dict]:
        found: dict[int, Metric] = {}
        for cell in indicator.targets.all():
            for parsed in cell.parsed_targets.all():
                found.setdefault(parsed.metric_id, parsed.metric)
        return MetricSerializer(list(found.values()), many=True, context=self.context).data


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_agencies = serializers.ListField(source="lead_names", child=serializers.CharField(), read_only=True)
    cooperating_agencies = serializers.ListField(
        source="cooperating_names", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Task
        fields = [
            "number",
            "plan",
            "group",
            "title",
            "result",
            "lead_agencies",
            "cooperating_agencies",
            "deadline_text",
            "schedule_kind",
            "due_on",
            "starts_on",
            "ends_on",
        ]


class FigureSerializer(serializers.ModelSerializer):
    """An approved figure of one agency (never a draft, a submitted or a returned one)."""

    metric = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    period_kind = serializers.CharField(source="period.kind", read_only=True)
    year = serializers.IntegerField(source="period.year", read_only=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    period_starts_on = serializers.DateField(source="period.starts_on", read_only=True)
    period_ends_on = serializers.DateField(source="period.ends_on", read_only=True)
    value = _number(allow_null=True)
    numerator = _number(allow_null=True)
    denominator = _number(allow_null=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "metric",
            "agency",
            "agency_name",
            "period_kind",
            "year",
            "period_number",
            "period_label",
            "period_starts_on",
            "period_ends_on",
            "value",
            "numerator",
            "denominator",
        ]


def _province_number(**kwargs) -> serializers.DecimalField:
    # province sums are wider than one agency's figure (ProvinceValue: 26 digits)
    return serializers.DecimalField(max_digits=26, decimal_places=6, coerce_to_string=False, read_only=True, **kwargs)


class ProvinceFigureSerializer(serializers.ModelSerializer):
    """A metric's province-wide figure for one period: the progress engine's snapshot (``ProvinceValue``), the
    same numbers the dashboards draw. Counts are summed, ratios are Σ numerators / Σ denominators, indices and
    GRDP shares averaged, from the agencies' approved figures only."""

    metric = serializers.CharField(source="metric.code", read_only=True)
    unit = serializers.CharField(source="metric.unit", read_only=True)
    period_kind = serializers.CharField(source="period.kind", read_only=True)
    year = serializers.IntegerField(source="period.year", read_only=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    period_starts_on = serializers.DateField(source="period.starts_on", read_only=True)
    period_ends_on = serializers.DateField(source="period.ends_on", read_only=True)
    value = _province_number()
    numerator = _province_number(allow_null=True)
    denominator = _province_number(allow_null=True)
    agencies_reporting = serializers.IntegerField(source="reporters", read_only=True)

    class Meta:
        model = ProvinceValue
        fields = [
            "metric",
            "unit",
            "period_kind",
            "year",
            "period_number",
            "period_label",
            "period_starts_on",
            "period_ends_on",
            "value",
            "numerator",
            "denominator",
            "agencies_reporting",
            "as_of",
        ]


class TargetStatusSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="parsed_target.target.indicator.code", read_only=True)
    year = serializers.IntegerField(source="parsed_target.target.year", read_only=True)
    metric = serializers.CharField(source="parsed_target.metric.code", read_only=True)
    target = serializers.IntegerField(source="parsed_target_id", read_only=True)
    ratio = _number(allow_null=True)
    latest_value = _number(allow_null=True)
    expected_value = _number(allow_null=True)
    baseline_value = _number(allow_null=True)
    latest = serializers.SerializerMethodField()

    class Meta:
        model = TargetStatus
        fields = [
            "indicator",
            "year",
            "metric",
            "target",
            "as_of",
            "status",
            "freshness",
            "latest",
            "method",
            "ratio",
            "baseline_value",
            "baseline_date",
            "latest_value",
            "latest_date",
            "expected_value",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "value": {"type": "number"},
                "period": {"type": "string", "example": "Năm 2025"},
                "provisional": {"type": "boolean"},
                "date": {"type": "string", "format": "date"},
            },
        }
    )
    def get_latest(self, row) -> dict | None:
        """The latest value with its period; provisional while that period is still open."""
        return latest_claim(row)


class TaskStatusSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = TaskOccurrence
        fields = ["task", "agency", "agency_name", "role", "due_on", "status", "completed_on", "days_late", "as_of"]
