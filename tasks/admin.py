from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, ReadOnlyHistoryAdminMixin, file_link
from core.spreadsheets import SpreadsheetExportMixin

from .models import Reminder, Task, TaskAssignment, TaskGroup, TaskOccurrence, TaskTrigger, TaskUpdate
from .resources import TaskResource, TaskUpdateResource


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "short_title", "plan", "order"]
    list_filter = ["plan"]

    @admin.display(description=_("Tên nhóm"))
    def short_title(self, obj):
        return obj.title[:120]


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Task)
class TaskAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    resource_classes = [TaskResource]
    list_display = ["number", "short_title", "group", "deadline_text", "schedule_kind", "due_on"]
    list_filter = ["group", "schedule_kind", "assignments__agency"]
    search_fields = ["title", "result", "deadline_text"]
    list_select_related = ["group"]
    inlines = [TaskAssignmentInline]

    @admin.display(description=_("Tên nhiệm vụ"))
    def short_title(self, obj):
        return obj.title[:100]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "agency", "role"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["agency__name", "task__title"]
    list_select_related = ["task", "agency"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["task"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "key", "user", "sent_on"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]


@admin.register(TaskUpdate)
class TaskUpdateAdmin(ReadOnlyHistoryAdminMixin, SpreadsheetExportMixin, SimpleHistoryAdmin):
    """Task reports change only through the agency's form, review and imports."""

    exclude = ["evidence"]
    readonly_fields = ["evidence_file"]
    evidence_file = file_link("task_update_evidence", "evidence", _("tài liệu minh chứng"))
    resource_classes = [TaskUpdateResource]
    list_display = ["task", "agency", "period", "progress", "percent_complete", "status", "updated_at"]
    list_filter = ["status", "progress", "period__kind", "agency__kind"]
    search_fields = ["task__title", "agency__name", "work_done", "difficulties", "proposals"]
    list_select_related = ["task", "agency", "period"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["task", "period", "entered_by", "reviewed_by"]


@admin.register(TaskTrigger)
class TaskTriggerAdmin(SimpleHistoryAdmin):
    list_display = ["task", "requested_on", "reference", "due_on", "recorded_by"]
    list_filter = ["task"]
    raw_id_fields = ["task", "recorded_by"]


@admin.register(TaskOccurrence)
class TaskOccurrenceAdmin(admin.ModelAdmin):
    list_display = ["task", "agency", "role", "due_on", "status", "days_late", "completed_on", "as_of"]
    list_filter = ["status", "role", "task__schedule_kind"]
    search_fields = ["agency__name", "task__title"]
    list_select_related = ["task", "agency"]
