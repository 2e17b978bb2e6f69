from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import AdminInputMixin, ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, SafeModelAdmin, file_link
from core.spreadsheets import SpreadsheetExportMixin

from .models import Reminder, Task, TaskAssignment, TaskGroup, TaskOccurrence, TaskTerms, TaskTrigger, TaskUpdate
from .resources import TaskResource, TaskUpdateResource


@admin.register(TaskGroup)
class TaskGroupAdmin(SafeModelAdmin):
    list_display = ["code", "short_title", "plan", "order"]
    list_filter = ["plan"]

    @admin.display(description=_("Tên nhóm"))
    def short_title(self, obj):
        return obj.title[:120]


class _ReadOnlyInline(AdminInputMixin, admin.TabularInline):
    """Versions of the plan change only through adjustments (/ke-hoach/dieu-chinh/): shown, never edited here."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskTermsInline(_ReadOnlyInline):
    model = TaskTerms
    fields = ["valid_from", "valid_to", "title", "deadline_text", "lead_names", "cooperating_names", "adjustment"]


class TaskAssignmentInline(_ReadOnlyInline):
    model = TaskAssignment
    fields = ["agency", "role", "valid_from", "valid_to", "adjustment"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, SpreadsheetExportMixin, SafeModelAdmin):
    """A task's terms and agencies are versions, changed by adjustments only."""

    resource_classes = [TaskResource]
    list_display = ["number", "short_title", "group", "deadline_text"]
    list_filter = ["group", "assignments__agency"]
    search_fields = ["terms_versions__title", "terms_versions__result", "terms_versions__deadline_text"]
    list_select_related = ["group"]
    inlines = [TaskTermsInline, TaskAssignmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_terms()

    @admin.display(description=_("Tên nhiệm vụ"))
    def short_title(self, obj):
        return obj.title[:100]

    @admin.display(description=_("Thời gian hoàn thành"))
    def deadline_text(self, obj):
        return obj.deadline_text


@admin.register(TaskTerms)
class TaskTermsAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """A task's terms in force over an interval: written by loading the plan and by adjustments only."""

    list_display = ["task", "valid_from", "valid_to", "deadline_text", "adjustment"]
    list_filter = ["schedule_kind"]
    search_fields = ["title", "task__number"]
    list_select_related = ["task", "adjustment"]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    list_display = ["task", "agency", "role", "valid_from", "valid_to"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["agency__name", "task__terms_versions__title"]
    list_select_related = ["task", "agency"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    list_display = ["kind", "key", "user", "sent_on"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]


@admin.register(TaskUpdate)
class TaskUpdateAdmin(ReadOnlyHistoryAdminMixin, SpreadsheetExportMixin, AdminInputMixin, SimpleHistoryAdmin):
    """Task reports change only through the agency's form, review and imports."""

    exclude = ["evidence"]
    readonly_fields = ["evidence_file"]
    evidence_file = file_link("task_update_evidence", "evidence", _("tài liệu minh chứng"))
    resource_classes = [TaskUpdateResource]
    list_display = ["task", "agency", "period", "progress", "percent_complete", "status", "updated_at"]
    list_filter = ["status", "progress", "period__kind", "agency__kind"]
    search_fields = ["task__number", "agency__name", "work_done", "difficulties", "proposals"]
    list_select_related = ["task", "agency", "period"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["task", "period", "entered_by", "reviewed_by"]


@admin.register(TaskTrigger)
class TaskTriggerAdmin(AdminInputMixin, SimpleHistoryAdmin):
    list_display = ["task", "requested_on", "reference", "due_on", "recorded_by"]
    list_filter = ["task"]
    raw_id_fields = ["task", "recorded_by"]


@admin.register(TaskOccurrence)
class TaskOccurrenceAdmin(SafeModelAdmin):
    list_display = ["task", "agency", "role", "due_on", "status", "days_late", "completed_on", "as_of"]
    list_filter = ["status", "role"]
    search_fields = ["agency__name", "task__number"]
    list_select_related = ["task", "agency"]
