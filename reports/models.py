from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from indicators import readings
from indicators.models import Period, Plan


def _report_path(instance: "PeriodicReport", filename: str) -> str:
    return f"reports/{instance.period.year}/{filename}"


class SigningAuthority(models.TextChoices):
    """Decree 30/2020/NĐ-CP Art. 13 (and 36-HD/VPTW for the Party's "T/M", "K/T", "T/L")."""

    DEFAULT = "", _("Như mặc định của cơ quan ban hành")
    DIRECT = "tt", _("Người đứng đầu ký trực tiếp")
    ON_BEHALF = "tm", _("T/M – thay mặt tập thể")
    DEPUTY = "kt", _("KT. – ký thay người đứng đầu")
    BY_ORDER = "tl", _("TL. – thừa lệnh người đứng đầu")
    ACTING = "q", _("Q. – quyền người đứng đầu")


class PeriodicReport(models.Model):
    """A periodic report (báo cáo định kỳ) of the province, or of one agency to the Steering Committee.

    Generated from the snapshots and approved data as of ``as_of``; a draft's narrative can be edited and
    its files regenerated; once issued it never changes again, and issuing anew means a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    class Generation(models.TextChoices):
        PENDING = "pending", _("Đang tạo")
        READY = "ready", _("Đã tạo xong")
        FAILED = "failed", _("Lỗi khi tạo")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periodic_reports")
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan báo cáo"),
        on_delete=models.PROTECT,
        related_name="periodic_reports",
        null=True,
        blank=True,
        help_text=_("Để trống: báo cáo chung của tỉnh."),
    )
    period = models.ForeignKey(Period, verbose_name=_("kỳ báo cáo"), on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("số liệu tính đến ngày"))
    reading = models.CharField(
        _("cách đọc số liệu"),
        max_length=10,
        choices=[(key, label) for key, label in readings.LABELS.items()],
        default=readings.AS_KNOWN,
        help_text=_(
            "Số liệu tại thời điểm: chỉ số liệu đã duyệt đến ngày tính (mặc định). Số liệu hiện có: gồm cả số liệu "
            "được duyệt, điều chỉnh sau ngày đó."
        ),
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    narrative = models.TextField(_("đánh giá chung"), blank=True)
    sections = models.JSONField(
        _("nội dung các phần đã sửa"),
        default=dict,
        blank=True,
        help_text=_("Phần nào để trống thì dùng bản dự thảo viết từ số liệu."),
    )
    signing_authority = models.CharField(
        _("thẩm quyền ký"), max_length=2, choices=SigningAuthority.choices, default=SigningAuthority.DEFAULT, blank=True
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    content = models.JSONField(_("nội dung đã tổng hợp"), default=dict, blank=True)
    generation = models.CharField(
        _("tình trạng tạo tệp"), max_length=10, choices=Generation.choices, default=Generation.PENDING
    )
    error = models.TextField(_("lỗi"), blank=True)
    docx = models.FileField(_("tệp Word"), upload_to=_report_path, blank=True)
    xlsx = models.FileField(_("tệp Excel"), upload_to=_report_path, blank=True)
    pdf = models.FileField(_("tệp PDF"), upload_to=_report_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    generated_at = models.DateTimeField(_("tạo tệp lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    signed_by = models.CharField(
        _("người ký số"), max_length=300, blank=True, help_text=_("Chủ thể của chứng thư số đã ký tệp PDF.")
    )
    signed_at = models.DateTimeField(_("ký số lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-period__ends_on", "agency__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agency", "period", "version"], name="uniq_report_version"),
            models.UniqueConstraint(
                fields=["plan", "period", "version"],
                condition=models.Q(agency__isnull=True),
                name="uniq_province_report_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def title(self) -> str:
        who = self.agency.name if self.agency_id else _("Toàn tỉnh")
        return f"{_('Báo cáo')} {self.period.label} – {who}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_signed(self) -> bool:
        return bool(self.signed_by)

    @property
    def is_ready(self) -> bool:
        return self.generation == self.Generation.READY
