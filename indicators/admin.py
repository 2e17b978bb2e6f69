from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, file_link
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
    ProvinceValue,
    QualitativeAssessment,
    RecomputeRequest,
    ReportTimeliness,
    Target,
    TargetStatus,
)
from .resources import IndicatorResource, ObservationResource, TargetResource


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "province", "issued_on"]
    search_fields = ["code", "title"]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "order"]
    list_filter = ["plan"]


class TargetInline(admin.StackedInline):
    model = Target
    extra = 0
    fields = ["year", "text", "qualitative"]


@admin.register(Indicator)
class IndicatorAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "group", "lead_list"]
    list_filter = ["plan", "group", "lead_agencies"]
    search_fields = ["code", "targets__text"]
    filter_horizontal = ["lead_agencies"]
    inlines = [TargetInline]

    @admin.display(description=_("Cơ quan chủ trì đánh giá"))
    def lead_list(self, obj):
        return ", ".join(obj.lead_names)


class ParsedTargetInline(admin.TabularInline):
    model = ParsedTarget
    extra = 0
    autocomplete_fields = ["metric"]


@admin.register(Target)
class TargetAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    resource_classes = [TargetResource]
    list_display = ["indicator", "year", "short_text", "qualitative"]
    list_filter = ["year", "qualitative", "indicator__group"]
    search_fields = ["text", "indicator__code"]
    list_select_related = ["indicator"]
    inlines = [ParsedTargetInline]

    @admin.display(description=_("Nội dung"))
    def short_text(self, obj):
        return obj.text[:120]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
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
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "starts_on", "ends_on", "due_on", "is_locked"]
    list_filter = ["kind", "year", "is_locked"]
    date_hierarchy = "ends_on"


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdminMixin, SpreadsheetExportMixin, SimpleHistoryAdmin):
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
class ParsedTargetAdmin(admin.ModelAdmin):
    list_display = ["target", "metric", "operator", "value", "value_max", "position"]
    list_filter = ["operator", "target__year", "metric"]
    search_fields = ["metric__code", "target__indicator__code", "fragment"]
    list_select_related = ["target__indicator", "metric"]
    autocomplete_fields = ["metric"]
    raw_id_fields = ["target"]


@admin.register(TargetStatus)
class TargetStatusAdmin(admin.ModelAdmin):
    list_display = ["parsed_target", "as_of", "status", "method", "ratio", "latest_value", "computed_at"]
    list_filter = ["status", "as_of", "method"]
    search_fields = ["parsed_target__metric__code", "parsed_target__target__indicator__code"]
    list_select_related = ["parsed_target__metric", "parsed_target__target__indicator"]
    date_hierarchy = "as_of"


@admin.register(MetricRecompute)
class MetricRecomputeAdmin(admin.ModelAdmin):
    """When each metric's figures were last read for its stored snapshot rows: shown for checking, kept by the
    recomputes."""

    list_display = ["metric", "as_of", "figures_read_at"]
    list_select_related = ["metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecomputeRequest)
class RecomputeRequestAdmin(admin.ModelAdmin):
    """Recomputes waiting (the broker was down, a worker was lost): shown for checking, cleared by the jobs."""

    list_display = ["metric", "requested_at"]
    list_select_related = ["metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProvinceValue)
class ProvinceValueAdmin(admin.ModelAdmin):
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
class QualitativeAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["target", "period", "status", "assessed_by", "assessed_at"]
    list_filter = ["status", "period__kind"]
    list_select_related = ["target__indicator", "period", "assessed_by"]
    raw_id_fields = ["target", "period", "assessed_by"]


@admin.register(AgencyAssessment)
class AgencyAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "metric", "period", "confidence", "updated_at"]
    list_filter = ["confidence", "period__kind"]
    search_fields = ["agency__name", "metric__code", "narrative"]
    list_select_related = ["agency", "metric", "period"]
    raw_id_fields = ["agency", "metric", "period", "entered_by"]


@admin.register(ReportTimeliness)
class ReportTimelinessAdmin(admin.ModelAdmin):
    list_display = ["agency", "period", "status", "submitted_at", "days_late", "as_of"]
    list_filter = ["status", "period__kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "period"]
