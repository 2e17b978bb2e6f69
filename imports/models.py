from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.jobs import job_waiting


class ImportBatch(models.Model):
    """One uploaded spreadsheet: kept in private storage from preview to commit, and undoable afterwards.

    The file lives in the default storage (var/uploads, outside the web root) so that the preview and the
    confirmation can be served by different web processes.
    """

    class Kind(models.TextChoices):
        FIGURES = "figures", _("Số liệu")
        TASK_UPDATES = "task_updates", _("Báo cáo tiến độ nhiệm vụ")
        AGENCIES = "agencies", _("Cơ quan, đơn vị, xã, phường")
        USERS = "users", _("Người dùng")
        PLAN = "plan", _("Kế hoạch (Phụ lục I, II)")
        CENTRAL_MAPPING = "central_mapping", _("Bảng quy đổi chỉ tiêu Trung ương")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Đang kiểm tra")
        PREVIEWED = "previewed", _("Đã xem trước, chờ xác nhận")
        INVALID = "invalid", _("Có lỗi, không ghi")
        COMMITTING = "committing", _("Đang ghi")
        COMMITTED = "committed", _("Đã ghi")
        UNDONE = "undone", _("Đã hoàn tác")
        FAILED = "failed", _("Không hoàn tất")
        EXPIRED = "expired", _("Hết hạn, chưa ghi")

    class Step(models.TextChoices):
        """What a running job is doing, shown beside its progress."""

        QUEUED = "queued", _("Đang chờ đến lượt")
        READ = "read", _("Đọc tệp")
        CHECK = "check", _("Kiểm tra từng dòng")
        WRITE = "write", _("Ghi vào cơ sở dữ liệu")

    #: the states in which a job works on the batch; the page polls while the batch is in one of them
    RUNNING = frozenset({Status.VALIDATING, Status.COMMITTING})
    #: the job that works on a batch in each running state (imports/jobs.py)
    JOBS = {Status.VALIDATING: "imports.batch_validate", Status.COMMITTING: "imports.batch_write"}
    #: the states of a batch not written (yet): its files are deleted once it is left so for long
    #: (``import_batches_expire``)
    UNWRITTEN = frozenset({Status.VALIDATING, Status.PREVIEWED, Status.INVALID, Status.COMMITTING, Status.FAILED})

    kind = models.CharField(_("loại dữ liệu"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    message = models.TextField(
        _("kết quả"), blank=True, help_text=_("Kết quả của lần ghi, hoặc vì sao không hoàn tất.")
    )
    progress_step = models.CharField(_("đang làm"), max_length=10, choices=Step.choices, blank=True)
    progress_done = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    progress_total = models.PositiveIntegerField(_("tổng số dòng"), default=0)
    progress_at = models.DateTimeField(
        _("tiến độ cập nhật lúc"), null=True, blank=True, help_text=_("Lần cuối công việc nền báo tiến độ.")
    )
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("chỉ cho cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Khi có: mọi dòng phải thuộc cơ quan này (mẫu nhập của một cơ quan)."),
    )
    approve = models.BooleanField(_("ghi là đã duyệt"), default=False)
    # what a kind needs besides the file: for a revised plan, the decision that adjusts it (number, dates)
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)
    summary = models.JSONField(_("kết quả xem trước"), default=dict, blank=True)
    changes = models.JSONField(_("các bản ghi đã tạo, cập nhật"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    committed_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)
    undone_at = models.DateTimeField(_("hoàn tác lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("các lần nhập dữ liệu")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    def is_stale(self, now: datetime) -> bool:
        """A job said to be running that has reported nothing for IMPORT_JOB_STALE_MINUTES: its worker died
        (or the broker lost it). The page shows it as failed and offers to run it again. A job still waiting for
        the broker to take it (Redis down since the upload or the confirm) is not dead: it runs once Redis is
        back."""
        if not self.is_running or self.progress_at is None:
            return False
        if now - self.progress_at <= timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES):
            return False
        return not job_waiting(self.JOBS[self.status], self.pk)

    def shown_status(self, now: datetime) -> str:
        """The status a reader is shown: a stale running batch is failed (a GET never writes it so)."""
        return self.Status.FAILED if self.is_stale(now) else self.status

    @property
    def status_now(self) -> str:
        """``shown_status`` as of this moment (for templates: the list of batches)."""
        return self.shown_status(timezone.now())

    @property
    def status_now_label(self) -> str:
        return self.Status(self.status_now).label
