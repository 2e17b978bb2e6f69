from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, FilteredRelation, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.versions import Version, VersionQuerySet, in_force_q
from core.workflow import audit_history
from indicators.models import Period, Plan, PlanAdjustment, Submission

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


class ScheduleKind(models.TextChoices):
    ONE_OFF = "one_off", _("Một lần, có hạn")
    RECURRING = "recurring", _("Định kỳ")
    CONTINUOUS = "continuous", _("Thường xuyên, liên tục")
    CONDITIONAL = "conditional", _("Khi có yêu cầu")


class TaskQuerySet(models.QuerySet):
    def in_force(self, day: date):
        """The tasks whose terms are in force on ``day`` (one added from a date has none before it, one retired
        none after it)."""
        return self.filter(Exists(TaskTerms.objects.in_force(day).filter(task=OuterRef("pk"))))

    def with_terms(self, day: date | None = None):
        """Each task with its terms in force on ``day`` (default today) read in the same query, for ``task.title``
        and the rest (``Task.terms``); no query per task."""
        day = day or timezone.localdate()
        return self.annotate(
            terms_in_force=FilteredRelation("terms_versions", condition=in_force_q(day, "terms_versions__"))
        ).select_related("terms_in_force")


#: what ``Task`` reads from its terms in force (``TaskTerms``), so that ``task.title`` keeps reading as it did
TERMS_FIELDS = (
    "title",
    "result",
    "lead_names",
    "cooperating_names",
    "deadline_text",
    "schedule_kind",
    "due_on",
    "rule",
    "starts_on",
    "ends_on",
)


def _terms_field(name: str) -> property:
    return property(lambda task: getattr(task.terms, name), doc=f"``{name}`` of the terms in force.")


class Task(models.Model):
    """A row of Appendix II (nhiệm vụ): its identity (number, group). The work, who leads and cooperates, the result
    and the deadline are its terms, versioned (``TaskTerms``); ``task.title`` and the rest read the terms in force
    today, or on the day ``Task.objects.with_terms(day)`` or ``tasks_with_terms`` asked for."""

    ScheduleKind = ScheduleKind

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    agencies = models.ManyToManyField(Agency, through="TaskAssignment", related_name="tasks")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_task_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:80]}"

    @property
    def terms(self) -> TaskTerms:
        """The terms in force today (or on the day the query asked for); for a task not in force that day (retired,
        or added later) the nearest version, so that a page about it still reads."""
        found = self.__dict__.get("terms_in_force")
        if found is None:
            found = terms_nearest(self, timezone.localdate())
            self.__dict__["terms_in_force"] = found
        return found

    def get_schedule_kind_display(self) -> str:
        return self.terms.get_schedule_kind_display()

    @property
    def schedule(self) -> Schedule:
        return self.terms.schedule


for _name in TERMS_FIELDS:
    setattr(Task, _name, _terms_field(_name))


def terms_nearest(task: Task, day: date) -> TaskTerms | None:
    """The task's terms in force on ``day``; else the last that began by then; else the first (one query)."""
    versions = list(task.terms_versions.order_by("valid_from"))
    for version in versions:
        if version.in_force_on(day):
            return version
    begun = [v for v in versions if v.valid_from <= day]
    if begun:
        return begun[-1]
    return versions[0] if versions else None


class TaskTerms(Version):
    """What a task says, in force from ``valid_from`` to ``valid_to``: the work, the result, the agencies as the
    plan writes them, the completion time as written and as read into a schedule (tasks/schedule.py)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="terms_versions")
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
    adjustment = models.ForeignKey(
        PlanAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="task_terms",
        verbose_name=_("theo điều chỉnh"),
        help_text=_("Trống: kế hoạch như ban hành."),
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("nội dung nhiệm vụ")
        verbose_name_plural = _("nội dung nhiệm vụ")
        ordering = ["task", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["task", "valid_from"], name="uniq_task_terms_version")]

    def __str__(self) -> str:
        return f"{self.task.number}. {self.title[:80]} ({self.valid_from})"

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


class TaskAssignment(Version):
    """One agency's part in a task, as lead or cooperating, resolved from the names the plan writes, in force from
    ``valid_from`` to ``valid_to``: an agency added by an adjustment has work from its effective date only, one
    removed keeps what was due before."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATING = "cooperating", _("Phối hợp")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    adjustment = models.ForeignKey(
        PlanAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("theo điều chỉnh"),
        help_text=_("Trống: kế hoạch như ban hành."),
    )

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["task", "role", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "agency", "role", "valid_from"], name="uniq_task_assignment_version"
            )
        ]

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
        """Whether a finished one-off task was finished by its deadline in force that day (None if not
        applicable)."""
        terms = terms_nearest(self.task, self.completed_on) if self.completed_on else None
        due: date | None = terms.due_on if terms else None
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
