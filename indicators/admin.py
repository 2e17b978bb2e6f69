from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import AdminInputMixin, ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, SafeModelAdmin, file_link
from core.spreadsheets import SpreadsheetExportMixin

from .models import (
    AgencyAssessment,
    Indicator,
    IndicatorGroup,
    Metric,
    MetricRecompute,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    PlanAdjustment,
    PlanChange,
    ProvinceValue,
    QualitativeAssessment,
    RecomputeRequest,
    ReportTimeliness,
    Target,
    TargetStatus,
)
from .resources import IndicatorResource, ObservationResource, TargetResource


@admin.register(Plan)
class PlanAdmin(SafeModelAdmin):
    """A plan is corrected in place by ``load_plan``, never deleted here: it would take every indicator, target,
    figure, task and report with it, and the confirmation page, which lists each of them, took 26 s to build
    (minutes, and the memory of every figure, on a province's data)."""

    list_display = ["code", "province", "issued_on"]
    search_fields = ["code", "title"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PlanChangeInline(AdminInputMixin, admin.TabularInline):
    model = PlanChange
    extra = 0
    fields = ["order", "subject", "code", "year", "field", "old", "new", "source"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanAdjustment)
class PlanAdjustmentAdmin(ReadOnlyAdminMixin, AdminInputMixin, SimpleHistoryAdmin):
    """Adjustments are drafted, approved and revoked on their pages (/ke-hoach/dieu-chinh/), which keep the
    history; the admin shows them."""

    exclude = ["signed_file"]
    readonly_fields = ["signed_file_link"]
    signed_file_link = file_link("adjustments:signed_file", "signed_file", _("văn bản đã ký"))
    list_display = ["decision_number", "signed_on", "effective_on", "status", "approved_by", "approved_at"]
    list_filter = ["status", "plan"]
    search_fields = ["decision_number", "summary"]
    inlines = [PlanChangeInline]


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    list_display = ["adjustment", "order", "subject", "code", "year", "field"]
    list_filter = ["subject", "adjustment__status"]
    search_fields = ["code", "adjustment__decision_number"]
    list_select_related = ["adjustment"]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(SafeModelAdmin):
    list_display = ["code", "title", "plan", "order"]
    list_filter = ["plan"]


class TargetInline(AdminInputMixin, admin.StackedInline):
    """Cells are versions changed by adjustments only (/ke-hoach/dieu-chinh/): shown, never edited here."""

    model = Target
    extra = 0
    fields = ["year", "valid_from", "valid_to", "text", "qualitative", "adjustment"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(SpreadsheetExportMixin, SafeModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "group", "lead_list"]
    list_filter = ["plan", "group", "lead_agencies"]
    search_fields = ["code", "targets__text"]
    filter_horizontal = ["lead_agencies"]
    inlines = [TargetInline]

    @admin.display(description=_("Cơ quan chủ trì đánh giá"))
    def lead_list(self, obj):
        return ", ".join(obj.lead_names)


class ParsedTargetInline(AdminInputMixin, admin.TabularInline):
    model = ParsedTarget
    extra = 0
    fields = ["position", "metric", "fragment", "operator", "value", "value_max"]
    readonly_fields = fields


@admin.register(Target)
class TargetAdmin(ReadOnlyAdminMixin, SpreadsheetExportMixin, SafeModelAdmin):
    resource_classes = [TargetResource]
    list_display = ["indicator", "year", "short_text", "qualitative", "valid_from", "valid_to"]
    list_filter = ["year", "qualitative", "indicator__group"]
    search_fields = ["text", "indicator__code"]
    list_select_related = ["indicator"]
    inlines = [ParsedTargetInline]

    @admin.display(description=_("Nội dung"))
    def short_text(self, obj):
        return obj.text[:120]


@admin.register(Metric)
class MetricAdmin(SafeModelAdmin):
    list_display = ["code", "name", "unit", "kind", "direction", "frequency", "collection"]
    list_filter = ["kind", "frequency", "collection", "direction"]
    search_fields = ["code", "name", "definition"]
    filter_horizontal = ["reporters"]
    fieldsets = [
        (None, {"fields": ["plan", "code", "name", "unit", "kind", "direction", "frequency", "collection"]}),
        # what indicator pages and the API say about the metric (loaded with the plan; corrected here)
        (_("Thông tin chỉ số"), {"fields": ["definition", "data_source", "numerator_label", "denominator_label"]}),
        (_("Ai báo cáo"), {"fields": ["reporting_agency", "reporters"]}),
        (_("Cách tính"), {"fields": ["ratio_scale", "progress_method", "thresholds", "baseline_date"]}),
    ]


@admin.register(Period)
class PeriodAdmin(SafeModelAdmin):
    list_display = ["__str__", "kind", "starts_on", "ends_on", "due_on", "is_locked"]
    list_filter = ["kind", "year", "is_locked"]
    date_hierarchy = "ends_on"


@admin.register(Observation)
class ObservationAdmin(ReadOnlyHistoryAdminMixin, SpreadsheetExportMixin, AdminInputMixin, SimpleHistoryAdmin):
    """Figures change only through entry, review and imports (their history records who and why)."""

    exclude = ["evidence"]
    readonly_fields = ["evidence_file"]
    evidence_file = file_link("observation_evidence", "evidence", _("tài liệu minh chứng"))
    resource_classes = [ObservationResource]
    list_display = ["metric", "agency", "period", "value", "numerator", "denominator", "status", "updated_at"]
    list_filter = ["status", "period__kind", "metric", "agency__kind"]
    search_fields = ["metric__code", "metric__name", "agency__name"]
    list_select_related = ["metric", "agency", "period"]
    autocomplete_fields = ["metric", "agency"]
    raw_id_fields = ["period", "entered_by", "reviewed_by"]


@admin.register(ParsedTarget)
class ParsedTargetAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    list_display = ["target", "metric", "operator", "value", "value_max", "position"]
    list_filter = ["operator", "target__year", "metric"]
    search_fields = ["metric__code", "target__indicator__code", "fragment"]
    list_select_related = ["target__indicator", "metric"]
    autocomplete_fields = ["metric"]
    raw_id_fields = ["target"]


@admin.register(TargetStatus)
class TargetStatusAdmin(SafeModelAdmin):
    list_display = ["parsed_target", "as_of", "status", "method", "ratio", "latest_value", "computed_at"]
    list_filter = ["status", "as_of", "method"]
    search_fields = ["parsed_target__metric__code", "parsed_target__target__indicator__code"]
    list_select_related = ["parsed_target__metric", "parsed_target__target__indicator"]
    date_hierarchy = "as_of"


@admin.register(MetricRecompute)
class MetricRecomputeAdmin(SafeModelAdmin):
    """When each metric's figures were last read for its stored snapshot rows: shown for checking, kept by the
    recomputes."""

    list_display = ["metric", "as_of", "figures_read_at"]
    list_select_related = ["metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecomputeRequest)
class RecomputeRequestAdmin(SafeModelAdmin):
    """Recomputes waiting (the broker was down, a worker was lost): shown for checking, cleared by the jobs."""

    list_display = ["metric", "requested_at"]
    list_select_related = ["metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProvinceValue)
class ProvinceValueAdmin(SafeModelAdmin):
    """Written by the progress engine only: shown for checking, never edited."""

    list_display = ["metric", "period", "value", "numerator", "denominator", "reporters", "as_of", "computed_at"]
    list_filter = ["period__kind", "as_of"]
    search_fields = ["metric__code"]
    list_select_related = ["metric", "period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QualitativeAssessment)
class QualitativeAssessmentAdmin(AdminInputMixin, SimpleHistoryAdmin):
    list_display = ["target", "period", "status", "assessed_by", "assessed_at"]
    list_filter = ["status", "period__kind"]
    list_select_related = ["target__indicator", "period", "assessed_by"]
    raw_id_fields = ["target", "period", "assessed_by"]


@admin.register(AgencyAssessment)
class AgencyAssessmentAdmin(AdminInputMixin, SimpleHistoryAdmin):
    list_display = ["agency", "metric", "period", "confidence", "updated_at"]
    list_filter = ["confidence", "period__kind"]
    search_fields = ["agency__name", "metric__code", "narrative"]
    list_select_related = ["agency", "metric", "period"]
    raw_id_fields = ["agency", "metric", "period", "entered_by"]


@admin.register(ReportTimeliness)
class ReportTimelinessAdmin(SafeModelAdmin):
    list_display = ["agency", "period", "status", "submitted_at", "days_late", "as_of"]
    list_filter = ["status", "period__kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "period"]
