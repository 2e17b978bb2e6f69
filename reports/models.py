import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.workflow import audit_history
from indicators import readings
from indicators.models import Period, Plan


def _report_path(instance: "PeriodicReport", filename: str) -> str:
    return f"reports/{instance.period.year}/{filename}"


def _signing_path(instance: "SigningKey", filename: str) -> str:
    """signing/<body>/<random>.<ext>: never guessable, never the name the file was uploaded with."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"signing/{instance.body_code}/{uuid.uuid4().hex}.{suffix}"


class SigningKey(models.Model):
    """The certificate and private key with which one issuing body signs its reports' PDFs.

    The body is an agency, or, with no agency, the provincial Steering Committee (code ``bcd``), whose reports
    its standing office issues. The key is a PKCS#12 file kept in private storage (never served, never in the
    database) with its password encrypted with a key derived from the site's secret, or read from an
    environment variable; or a key on a PKCS#11 token (a USB token or an HSM) with its PIN kept the same way.
    The certificates are public and kept here, so that a report signed with a key since replaced still
    verifies. One key in use per body; a replaced key is retired (its file deleted, its secret wiped).
    Written only by ``reports.services.signing_key_set``.
    """

    STEERING_COMMITTEE = "bcd"

    class Kind(models.TextChoices):
        P12 = "p12", _("Tệp chứng thư số PKCS#12")
        TOKEN = "pkcs11", _("Thiết bị ký số PKCS#11 (USB token, HSM)")

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
        null=True,
        blank=True,
        help_text=_("Để trống: Ban Chỉ đạo tỉnh."),
    )
    kind = models.CharField(_("loại khóa"), max_length=10, choices=Kind.choices)
    holder = models.CharField(_("người ký (chủ chứng thư số)"), max_length=200)
    organisation = models.CharField(_("cơ quan trong chứng thư số"), max_length=300, blank=True)
    issuer = models.CharField(_("tổ chức cấp chứng thư số"), max_length=300, blank=True)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    certificates = models.TextField(
        _("chứng thư số (PEM)"), help_text=_("Chứng thư số của người ký, sau đó là chuỗi chứng thư của nó.")
    )
    p12 = models.FileField(_("tệp PKCS#12"), upload_to=_signing_path, blank=True)
    secret = models.TextField(_("mật khẩu hoặc mã PIN (đã mã hóa)"), blank=True, editable=False)
    secret_env = models.CharField(_("biến môi trường chứa mật khẩu hoặc mã PIN"), max_length=100, blank=True)
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=300, blank=True)
    token_label = models.CharField(_("nhãn thiết bị ký số"), max_length=100, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    signature_image = models.FileField(_("hình chữ ký"), upload_to=_signing_path, blank=True)
    seal_image = models.FileField(_("hình con dấu"), upload_to=_signing_path, blank=True)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("thôi dùng từ"), null=True, blank=True)
    history = audit_history(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        ordering = ["agency__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("agency", models.Value(0), output_field=models.BigIntegerField()),
                condition=models.Q(retired_at__isnull=True),
                name="one_signing_key_in_use_per_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body_name}: {self.holder}"

    @property
    def body_code(self) -> str:
        return self.agency.code if self.agency_id else self.STEERING_COMMITTEE

    @property
    def body_name(self) -> str:
        return self.agency.name if self.agency_id else str(_("Ban Chỉ đạo tỉnh"))

    @property
    def in_use(self) -> bool:
        return self.retired_at is None


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
    signing_key = models.ForeignKey(
        SigningKey, verbose_name=_("khóa ký số"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signature_level = models.CharField(
        _("mức chữ ký"), max_length=8, blank=True, help_text=_("PAdES B-B (không dấu thời gian) hoặc B-LT.")
    )
    signature_digest = models.CharField(
        _("mã băm phần đã ký"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 của phần tệp PDF mà chữ ký bao phủ: nhận ra báo cáo từ một tệp được gửi lên."),
    )

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


def _review_path(instance: "Review", filename: str) -> str:
    return f"reviews/{instance.ends_on.year}/{filename}"


class Review(models.Model):
    """A review over a span the standing office picks (sơ kết, tổng kết: six months, a year, 2,5 years, mid-term,
    end of term): per indicator the values at the start and end of the span and where it stands against the next
    milestone, the tasks done, overdue and open, the inspections and their recommendations, and the agencies'
    emulation table from which the office picks whom to commend.

    Drafted, edited, issued and signed as a periodic report is, with the province's letterhead (``agency`` is
    always None: a review is the Steering Committee's)."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("Sơ kết")
        FINAL = "final", _("Tổng kết")

    Status = PeriodicReport.Status
    Generation = PeriodicReport.Generation
    #: the issuer is the province's Steering Committee, as for a province report (services.report_letterhead)
    agency = None
    agency_id = None

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.INTERIM)
    title = models.CharField(_("tên báo cáo"), max_length=300)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    as_of = models.DateField(_("số liệu tính đến ngày"))
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    sections = models.JSONField(_("nội dung các phần đã sửa"), default=dict, blank=True)
    commended = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name=_("tập thể đề nghị khen thưởng")
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
    docx = models.FileField(_("tệp Word"), upload_to=_review_path, blank=True)
    xlsx = models.FileField(_("tệp Excel"), upload_to=_review_path, blank=True)
    pdf = models.FileField(_("tệp PDF"), upload_to=_review_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    generated_at = models.DateTimeField(_("tạo tệp lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    signed_by = models.CharField(_("người ký số"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("ký số lúc"), null=True, blank=True)
    # signed like a province report, with the Steering Committee's key (services.pdf_signed)
    signing_key = models.ForeignKey(
        SigningKey, verbose_name=_("khóa ký số"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signature_level = models.CharField(_("mức chữ ký"), max_length=8, blank=True)
    signature_digest = models.CharField(_("mã băm phần đã ký"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("báo cáo sơ kết, tổng kết")
        verbose_name_plural = _("báo cáo sơ kết, tổng kết")
        ordering = ["-ends_on", "-starts_on", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "starts_on", "ends_on", "version"], name="uniq_review_version"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="review_span"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_signed(self) -> bool:
        return bool(self.signed_by)

    @property
    def is_ready(self) -> bool:
        return self.generation == self.Generation.READY
