"""Open-data serializers: what the public API shows, and nothing else (no people, notes, files or drafts)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adjustments.describe import change_text
from indicators import readings
from indicators.freshness import coverage_low
from indicators.models import (
    Indicator,
    Metric,
    Observation,
    ParsedTarget,
    Plan,
    PlanAdjustment,
    PlanChange,
    ProvinceValue,
    Target,
    TargetStatus,
)
from indicators.progress import method_description
from indicators.statuses import latest_claim, status_label
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
    """A cell as in force on the day asked (``as_of``), with the interval its version is in force in."""

    text = serializers.SerializerMethodField(help_text="Nội dung ô như bản in (≥ thay cho ký hiệu LaTeX).")
    text_display = serializers.SerializerMethodField(help_text="Như text (giữ để tương thích).")
    targets = ParsedTargetSerializer(source="parsed_targets", many=True, read_only=True)
    valid_from = serializers.DateField(read_only=True, help_text="Có hiệu lực từ ngày (ban hành hoặc điều chỉnh).")
    valid_to = serializers.DateField(
        read_only=True, allow_null=True, help_text="Có hiệu lực đến hết ngày; null: đang có hiệu lực."
    )

    class Meta:
        model = Target
        fields = ["year", "text", "text_display", "qualitative", "valid_from", "valid_to", "targets"]

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
    """A task with its terms as in force on the day asked (``as_of``) and the interval they are in force in."""

    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    title = serializers.CharField(source="terms.title", read_only=True)
    result = serializers.CharField(source="terms.result", read_only=True)
    lead_agencies = serializers.ListField(source="terms.lead_names", child=serializers.CharField(), read_only=True)
    cooperating_agencies = serializers.ListField(
        source="terms.cooperating_names", child=serializers.CharField(), read_only=True
    )
    deadline_text = serializers.CharField(source="terms.deadline_text", read_only=True)
    schedule_kind = serializers.CharField(source="terms.schedule_kind", read_only=True)
    due_on = serializers.DateField(source="terms.due_on", read_only=True, allow_null=True)
    starts_on = serializers.DateField(source="terms.starts_on", read_only=True, allow_null=True)
    ends_on = serializers.DateField(source="terms.ends_on", read_only=True, allow_null=True)
    valid_from = serializers.DateField(source="terms.valid_from", read_only=True)
    valid_to = serializers.DateField(source="terms.valid_to", read_only=True, allow_null=True)

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
            "valid_from",
            "valid_to",
        ]


class PlanChangeSerializer(serializers.ModelSerializer):
    what = serializers.SerializerMethodField()
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()

    class Meta:
        model = PlanChange
        fields = ["subject", "code", "year", "field", "old", "new", "what", "before", "after"]

    def get_what(self, change) -> str:
        return change_text(change).what

    def get_before(self, change) -> str:
        return change_text(change).before

    def get_after(self, change) -> str:
        return change_text(change).after


class PlanAdjustmentSerializer(serializers.ModelSerializer):
    """An approved adjustment of the plan: the decision, from when it is in force, its changes (before → after)."""

    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    revokes = serializers.SlugRelatedField(slug_field="decision_number", read_only=True)
    revoked_by = serializers.SerializerMethodField()
    changes = PlanChangeSerializer(many=True, read_only=True)

    class Meta:
        model = PlanAdjustment
        fields = [
            "id",
            "plan",
            "decision_number",
            "signed_on",
            "issuer",
            "summary",
            "effective_on",
            "approved_at",
            "revokes",
            "revoked_by",
            "changes",
        ]

    @extend_schema_field({"type": "string", "nullable": True, "description": "Số của quyết định đã bãi bỏ"})
    def get_revoked_by(self, adjustment) -> str | None:
        revoked_by = getattr(adjustment, "revoked_by", None)
        return revoked_by[0].decision_number if revoked_by else None


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


def _coverage_threshold() -> float:
    """Read at request time, so that the setting (and a test) can change it."""
    return settings.PROVINCE_COVERAGE_MIN_PERCENT


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
    agencies_expected = serializers.SerializerMethodField(help_text="Số cơ quan phải báo cáo chỉ số trong kỳ.")
    coverage_low = serializers.SerializerMethodField(
        help_text="Giá trị tính từ quá ít cơ quan so với số phải báo cáo (dưới PROVINCE_COVERAGE_MIN_PERCENT)."
    )
    provisional = serializers.BooleanField(read_only=True, help_text="Kỳ chưa kết thúc khi tính: số liệu tạm tính.")

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
            "agencies_expected",
            "coverage_low",
            "provisional",
            "as_of",
        ]

    def get_agencies_expected(self, row: ProvinceValue) -> int:
        return max(row.expected_reporters, row.reporters)

    def get_coverage_low(self, row: ProvinceValue) -> bool:
        return coverage_low(row.reporters, self.get_agencies_expected(row), threshold=_coverage_threshold())


class TargetStatusSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="parsed_target.target.indicator.code", read_only=True)
    year = serializers.IntegerField(source="parsed_target.target.year", read_only=True)
    valid_from = serializers.DateField(source="parsed_target.target.valid_from", read_only=True)
    valid_to = serializers.DateField(source="parsed_target.target.valid_to", read_only=True, allow_null=True)
    metric = serializers.CharField(source="parsed_target.metric.code", read_only=True)
    target = serializers.IntegerField(source="parsed_target_id", read_only=True)
    ratio = _number(allow_null=True)
    latest_value = _number(allow_null=True)
    expected_value = _number(allow_null=True)
    baseline_value = _number(allow_null=True)
    latest = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField(help_text="Tình trạng bằng lời.")
    reading = serializers.SerializerMethodField(
        help_text="as_known: số liệu tại thời điểm as_of; current: số liệu hiện có cho các kỳ đến as_of."
    )

    class Meta:
        model = TargetStatus
        fields = [
            "indicator",
            "year",
            "valid_from",
            "valid_to",
            "metric",
            "target",
            "as_of",
            "reading",
            "status",
            "status_label",
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
                "coverage": {
                    "type": "object",
                    "nullable": True,
                    "properties": {
                        "reporters": {"type": "integer"},
                        "expected": {"type": "integer"},
                        "low": {"type": "boolean"},
                    },
                },
            },
        }
    )
    def get_latest(self, row) -> dict | None:
        """The latest value with its period (provisional while that period is still open) and its coverage."""
        return latest_claim(row)

    def get_status_label(self, row) -> str:
        return status_label(row)

    def get_reading(self, row) -> str:
        return self.context.get("reading", readings.DEFAULT)


class TaskStatusSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = TaskOccurrence
        fields = ["task", "agency", "agency_name", "role", "due_on", "status", "completed_on", "days_late", "as_of"]
