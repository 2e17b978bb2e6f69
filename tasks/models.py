from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.workflow import audit_history
from indicators.models import Period, Plan, Submission

from .schedule import Schedule


class TaskGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="task_groups")
    code = models.CharField(_("mã nhóm"), max_length=10)
    title = models.TextField(_("tên nhóm"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("nhóm nhiệm vụ")
        verbose_name_plural = _("nhóm nhiệm vụ")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_task_group_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Task(models.Model):
    """A row of Appendix II (nhiệm vụ): the work, who leads and cooperates, the result and the deadline."""

    class ScheduleKind(models.TextChoices):
        ONE_OFF = "one_off", _("Một lần, có hạn")
        RECURRING = "recurring", _("Định kỳ")
        CONTINUOUS = "continuous", _("Thường xuyên, liên tục")
        CONDITIONAL = "conditional", _("Khi có yêu cầu")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.TextField(_("tên nhiệm vụ"))
    result = models.TextField(_("kết quả, sản phẩm"), blank=True)
    lead_names = models.JSONField(_("cơ quan chủ trì (như văn bản ghi)"), default=list, blank=True)
    cooperating_names = models.JSONField(_("cơ quan phối hợp (như văn bản ghi)"), default=list, blank=True)
    deadline_text = models.CharField(_("thời gian hoàn thành (nguyên văn)"), max_length=200)
    schedule_kind = models.CharField(_("loại thời hạn"), max_length=20, choices=ScheduleKind.choices)
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    rule = models.CharField(_("quy tắc lặp (RRULE)"), max_length=200, blank=True)
    starts_on = models.DateField(_("bắt đầu từ"), null=True, blank=True)
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    agencies = models.ManyToManyField(Agency, through="TaskAssignment", related_name="tasks")

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_task_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:80]}"

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            kind=self.schedule_kind,
            due=self.due_on,
            rule=self.rule or None,
            starts=self.starts_on,
            ends=self.ends_on,
            label=self.deadline_text,
        )


class TaskAssignment(models.Model):
    """One agency's part in a task, as lead or cooperating, resolved from the names the plan writes."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATING = "cooperating", _("Phối hợp")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["task", "role", "agency"]
        constraints = [models.UniqueConstraint(fields=["task", "agency", "role"], name="uniq_task_assignment")]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.agency} ({self.get_role_display()})"


class TaskUpdate(Submission):
    """An agency's report on a task for a reporting period."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="updates")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="task_updates")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="task_updates")
    progress = models.CharField(_("tình trạng"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(_("phần trăm hoàn thành"), default=0)
    work_done = models.TextField(_("kết quả đã thực hiện"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    document_number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence = models.FileField(_("tài liệu minh chứng"), upload_to="task-evidence/%Y/%m/", blank=True)
    history = audit_history()

    class Meta:
        verbose_name = _("báo cáo tiến độ nhiệm vụ")
        verbose_name_plural = _("báo cáo tiến độ nhiệm vụ")
        ordering = ["task", "period__ends_on", "agency"]
        constraints = [models.UniqueConstraint(fields=["task", "agency", "period"], name="uniq_task_update")]

    def __str__(self) -> str:
        return f"NV {self.task.number} · {self.agency} · {self.period}"

    def completed_on_time(self) -> bool | None:
        """Whether a finished one-off task was finished by its deadline (None if not applicable)."""
        due: date | None = self.task.due_on
        if self.progress != self.Progress.DONE or not self.completed_on or due is None:
            return None
        return self.completed_on <= due


class TaskTrigger(models.Model):
    """The outside request that starts a conditional task ("Theo đề nghị của bộ, ngành"), with its deadline."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="triggers")
    requested_on = models.DateField(_("ngày có yêu cầu"))
    reference = models.CharField(_("văn bản yêu cầu"), max_length=200, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"))
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    history = audit_history()

    class Meta:
        verbose_name = _("yêu cầu kích hoạt nhiệm vụ")
        verbose_name_plural = _("yêu cầu kích hoạt nhiệm vụ")
        ordering = ["task", "requested_on"]

    def __str__(self) -> str:
        return f"NV {self.task.number}: {self.reference or self.requested_on}"


class TaskOccurrence(models.Model):
    """Snapshot: one due instance of a task for one agency and where it stands as of the last computation."""

    class Status(models.TextChoices):
        NOT_DUE = "not_due", _("Chưa đến hạn")
        IN_PROGRESS = "in_progress", _("Đang thực hiện trong hạn")
        DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
        DONE_LATE = "done_late", _("Hoàn thành quá hạn")
        OVERDUE = "overdue", _("Quá hạn")
        AWAITING_TRIGGER = "awaiting_trigger", _("Chờ yêu cầu")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrences")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="task_occurrences")
    role = models.CharField(_("vai trò"), max_length=12, choices=TaskAssignment.Role.choices)
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    period = models.ForeignKey(Period, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.ForeignKey(TaskTrigger, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    completed_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)
    days_late = models.IntegerField(_("số ngày quá hạn"), default=0)
    as_of = models.DateField(_("tính đến ngày"))
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lần đến hạn của nhiệm vụ")
        verbose_name_plural = _("lần đến hạn của nhiệm vụ")
        ordering = ["due_on", "task", "agency"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="occurrence_status_due"),
            models.Index(fields=["agency", "status"], name="occurrence_agency_status"),
        ]

    def __str__(self) -> str:
        return f"NV {self.task.number} · {self.agency} · {self.due_on}: {self.get_status_display()}"


class Reminder(models.Model):
    """An e-mail reminder already sent to one user about one thing, so that it is never sent twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")
        REPORT_DUE_SOON = "report_due_soon", _("Sắp đến hạn nộp báo cáo")
        REPORT_MISSING = "report_missing", _("Chưa nộp báo cáo")
        DIGEST = "digest", _("Bản tin tuần cho Ban Chỉ đạo")

    kind = models.CharField(_("loại nhắc việc"), max_length=20, choices=Kind.choices)
    # what it is about: "task:<task>:<agency>:<due date>", "report:<agency>:<period>", "digest:<iso week>"
    key = models.CharField(_("nội dung"), max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField(_("gửi ngày"))
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc việc đã gửi")
        verbose_name_plural = _("nhắc việc đã gửi")
        ordering = ["-sent_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="uniq_reminder")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.key} → {self.user}"
