from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, file_link
from core.spreadsheets import SpreadsheetExportMixin

from .models import CentralIndicator, Inspection, Recommendation, RecommendationUpdate
from .resources import CentralIndicatorResource


class RecommendationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Recommendation
    fields = ["number", "text", "agency", "due_on", "completed_on", "accepted_on"]
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Inspections are recorded on their pages (/kiem-tra/), through the one write path with its history."""

    exclude = ["decision_file", "conclusion_file"]
    readonly_fields = ["decision", "conclusion_document"]
    decision = file_link("inspection_decision_file", "decision_file", _("tệp quyết định"))
    conclusion_document = file_link("inspection_conclusion_file", "conclusion_file", _("tệp kết luận"))
    list_display = ["title", "kind", "lead_body", "starts_on", "ends_on", "conclusion_number"]
    list_filter = ["kind", "lead_body"]
    search_fields = ["title", "team", "conclusion"]
    list_select_related = ["lead_body"]
    inlines = [RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["inspection", "number", "agency", "due_on", "completed_on", "accepted_on"]
    list_filter = ["agency__kind", "inspection"]
    search_fields = ["text", "agency__name", "inspection__title"]
    list_select_related = ["inspection", "agency"]


@admin.register(RecommendationUpdate)
class RecommendationUpdateAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Reports on recommendations change only through the agency's form and the review."""

    exclude = ["evidence"]
    readonly_fields = ["evidence_file"]
    evidence_file = file_link("recommendation_update_evidence", "evidence", _("tài liệu minh chứng"))
    list_display = ["recommendation", "agency", "progress", "completed_on", "status", "updated_at"]
    list_filter = ["status", "progress"]
    search_fields = ["work_done", "agency__name", "recommendation__text"]
    list_select_related = ["recommendation__inspection", "agency"]


@admin.register(CentralIndicator)
class CentralIndicatorAdmin(SpreadsheetExportMixin, SimpleHistoryAdmin):
    """The mapping to the central monitoring system: edited here, or loaded from a spreadsheet
    (``import_central_mapping``, or the import page)."""

    resource_classes = [CentralIndicatorResource]
    list_display = ["code", "name", "unit", "metric", "factor"]
    list_filter = ["metric__plan"]
    search_fields = ["code", "name", "metric__code", "metric__name"]
    list_select_related = ["metric"]
    autocomplete_fields = ["metric"]
