"""django-import-export resources for tasks and task updates (export only; imports use the import pages)."""

from __future__ import annotations

from django.db.models import Prefetch
from import_export.fields import Field

from core.spreadsheets import SafeExportResource
from indicators.periods import period_code

from .models import Task, TaskUpdate


class TaskResource(SafeExportResource):
    """Appendix II rows: group, number, task, lead, cooperating, result, deadline (verbatim and as read)."""

    group = Field(attribute="group__code", column_name="Nhóm")
    number = Field(attribute="number", column_name="STT")
    title = Field(attribute="title", column_name="Nhiệm vụ")
    lead = Field(column_name="Cơ quan chủ trì", dehydrate_method="dehydrate_lead")
    cooperating = Field(column_name="Cơ quan phối hợp", dehydrate_method="dehydrate_cooperating")
    result = Field(attribute="result", column_name="Kết quả, sản phẩm")
    deadline_text = Field(attribute="deadline_text", column_name="Thời gian hoàn thành")
    schedule_kind = Field(column_name="Loại thời hạn", dehydrate_method="dehydrate_schedule_kind")
    due_on = Field(attribute="due_on", column_name="Hạn hoàn thành")

    class Meta:
        model = Task
        fields = export_order = (
            "group",
            "number",
            "title",
            "lead",
            "cooperating",
            "result",
            "deadline_text",
            "schedule_kind",
            "due_on",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.with_terms().select_related("group").order_by("group__order", "number")

    def dehydrate_lead(self, obj):
        return "; ".join(obj.lead_names)

    def dehydrate_cooperating(self, obj):
        return "; ".join(obj.cooperating_names)

    def dehydrate_schedule_kind(self, obj):
        return str(obj.get_schedule_kind_display())


class TaskUpdateResource(SafeExportResource):
    """Task progress reports in the columns of the task-update import file: exports re-import unchanged."""

    task = Field(attribute="task__number", column_name="Số nhiệm vụ")
    task_title = Field(attribute="task__title", column_name="Tên nhiệm vụ")
    agency = Field(attribute="agency__code", column_name="Mã cơ quan")
    agency_name = Field(attribute="agency__name", column_name="Tên cơ quan")
    period = Field(column_name="Kỳ báo cáo", dehydrate_method="dehydrate_period")
    progress = Field(column_name="Tình trạng", dehydrate_method="dehydrate_progress")
    percent_complete = Field(attribute="percent_complete", column_name="Phần trăm hoàn thành")
    work_done = Field(attribute="work_done", column_name="Kết quả đã thực hiện")
    difficulties = Field(attribute="difficulties", column_name="Khó khăn, vướng mắc")
    proposals = Field(attribute="proposals", column_name="Kiến nghị, đề xuất")
    document_number = Field(attribute="document_number", column_name="Số văn bản")
    document_date = Field(attribute="document_date", column_name="Ngày văn bản")
    completed_on = Field(attribute="completed_on", column_name="Ngày hoàn thành")
    status = Field(column_name="Trạng thái", dehydrate_method="dehydrate_status")

    class Meta:
        model = TaskUpdate
        fields = export_order = (
            "task",
            "task_title",
            "agency",
            "agency_name",
            "period",
            "progress",
            "percent_complete",
            "work_done",
            "difficulties",
            "proposals",
            "document_number",
            "document_date",
            "completed_on",
            "status",
        )

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.select_related("agency", "period")
            .prefetch_related(Prefetch("task", queryset=Task.objects.with_terms()))
            .order_by("task__number", "period__ends_on", "agency__code")
        )

    def dehydrate_period(self, obj):
        return period_code(obj.period.kind, obj.period.year, obj.period.number)

    def dehydrate_progress(self, obj):
        return str(obj.get_progress_display())

    def dehydrate_status(self, obj):
        return str(obj.get_status_display())
