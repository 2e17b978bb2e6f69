from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency


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

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Đã xem trước, chờ xác nhận")
        INVALID = "invalid", _("Có lỗi, không ghi")
        COMMITTED = "committed", _("Đã ghi")
        UNDONE = "undone", _("Đã hoàn tác")

    kind = models.CharField(_("loại dữ liệu"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
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
