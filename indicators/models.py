from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency

from . import periods

EMPTY_CELL_TEXTS = ("", "-")


class Plan(models.Model):
    """A plan document (Plan 65-KH/TU), so that a revised plan or another province's can live beside it."""

    code = models.CharField(_("số, ký hiệu"), max_length=40, unique=True)
    title = models.TextField(_("tên kế hoạch"))
    province = models.CharField(_("tỉnh"), max_length=100)
    issued_on = models.DateField(_("ngày ban hành"))
    milestones = models.JSONField(_("các mốc mục tiêu"), default=list)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"Kế hoạch {self.code}"


class IndicatorGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicator_groups")
    code = models.CharField(_("mã nhóm"), max_length=10)
    title = models.CharField(_("tên nhóm"), max_length=300)
    order = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("nhóm chỉ tiêu")
        verbose_name_plural = _("nhóm chỉ tiêu")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_indicator_group_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Metric(models.Model):
    """A measurable quantity that one or more target cells set goals for."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Số lượng tại một thời điểm")
        FLOW = "flow", _("Số lượng trong năm")
        RATIO = "ratio", _("Tỷ lệ (%)")
        INDEX = "index", _("Chỉ số (0–1)")
        GRDP_SHARE = "grdp_share", _("Tỷ trọng trong GRDP (%)")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Càng cao càng tốt")
        DECREASE = "decrease", _("Càng thấp càng tốt")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Hằng tháng")
        QUARTERLY = "quarterly", _("Hằng quý")
        HALF_YEARLY = "half_yearly", _("6 tháng")
        YEARLY = "yearly", _("Hằng năm")

    class Collection(models.TextChoices):
        PROVINCE = "province", _("Một số liệu toàn tỉnh")
        PER_AGENCY = "per_agency", _("Từng cơ quan, địa phương báo cáo")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="metrics")
    code = models.SlugField(_("mã"), max_length=60)
    name = models.CharField(_("tên"), max_length=300)
    unit = models.CharField(_("đơn vị tính"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("chiều tốt"), max_length=10, choices=Direction.choices, default="increase")
    frequency = models.CharField(_("tần suất báo cáo"), max_length=20, choices=Frequency.choices)
    collection = models.CharField(_("cách thu thập"), max_length=20, choices=Collection.choices)
    numerator_label = models.CharField(_("tử số"), max_length=300, blank=True)
    denominator_label = models.CharField(_("mẫu số"), max_length=300, blank=True)
    reporters = models.ManyToManyField(
        Agency, blank=True, related_name="reported_metrics", verbose_name=_("cơ quan báo cáo")
    )

    class Meta:
        verbose_name = _("chỉ số đo lường")
        verbose_name_plural = _("chỉ số đo lường")
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_metric_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ratio(self) -> bool:
        return self.kind == self.Kind.RATIO

    @property
    def period_kind(self) -> str:
        return {
            "monthly": periods.MONTH,
            "quarterly": periods.QUARTER,
            "half_yearly": periods.HALF_YEAR,
            "yearly": periods.YEAR,
        }[self.frequency]


class Indicator(models.Model):
    """A row of Appendix I (chỉ tiêu), e.g. "III.3"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    code = models.CharField(_("mã"), max_length=12)
    lead_names = models.JSONField(_("cơ quan chủ trì đánh giá (như văn bản ghi)"), default=list, blank=True)
    lead_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="led_indicators", verbose_name=_("cơ quan chủ trì đánh giá")
    )

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["plan", "group__order", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return self.code


class Target(models.Model):
    """A cell of Appendix I: the verbatim goal of one indicator for one milestone year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("mốc năm"))
    text = models.TextField(_("nội dung (nguyên văn)"), blank=True)
    qualitative = models.BooleanField(
        _("định tính"), default=False, help_text=_("Có nội dung nhưng không có mục tiêu đo đếm được.")
    )

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="uniq_target_cell")]

    def __str__(self) -> str:
        return f"{self.indicator.code} – {self.year}"

    @property
    def is_empty(self) -> bool:
        return self.text.strip() in EMPTY_CELL_TEXTS


class ParsedTarget(models.Model):
    """One measurable claim of a cell: metric, comparator and value(s), parsed from the cell's text."""

    class Operator(models.TextChoices):
        GE = ">=", "≥"
        GT = ">", ">"
        EQ = "=", "="
        LE = "<=", "≤"
        LT = "<", "<"
        RANGE = "range", _("trong khoảng")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="parsed_targets")
    # RESTRICT: a metric in use cannot be deleted on its own, only with its whole plan
    metric = models.ForeignKey(Metric, on_delete=models.RESTRICT, related_name="parsed_targets")
    position = models.PositiveSmallIntegerField(_("thứ tự trong ô"), default=1)
    fragment = models.TextField(_("đoạn văn bản"), blank=True)
    operator = models.CharField(_("so sánh"), max_length=5, choices=Operator.choices)
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=6)
    value_max = models.DecimalField(_("giá trị tối đa"), max_digits=20, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("mục tiêu định lượng")
        verbose_name_plural = _("mục tiêu định lượng")
        ordering = ["target", "position"]
        constraints = [models.UniqueConstraint(fields=["target", "metric"], name="uniq_parsed_target_metric")]

    def __str__(self) -> str:
        if self.operator == self.Operator.RANGE:
            return f"{self.metric.code}: {self.value}–{self.value_max}"
        return f"{self.metric.code} {self.get_operator_display()} {self.value}"


class Period(models.Model):
    """A reporting period (kỳ báo cáo) and its window under Decree 09/2019/NĐ-CP."""

    class Kind(models.TextChoices):
        MONTH = periods.MONTH, _("Tháng")
        QUARTER = periods.QUARTER, _("Quý")
        HALF_YEAR = periods.HALF_YEAR, _("6 tháng")
        YEAR = periods.YEAR, _("Năm")

    kind = models.CharField(_("loại kỳ"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(_("số kỳ trong năm"))
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    due_on = models.DateField(_("hạn nộp"))
    is_locked = models.BooleanField(_("đã khóa"), default=False)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["ends_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year", "number"], name="uniq_period")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return periods.PeriodBounds(self.kind, self.year, self.number, self.starts_on, self.ends_on).label


class SubmissionStatus(models.TextChoices):
    """Where a figure or a task update stands in the review workflow."""

    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Bị trả lại")


class Observation(models.Model):
    """A figure (số liệu): the value of a metric reported by an agency for a reporting period."""

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="observations")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="observations")
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(_("tử số"), max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    note = models.TextField(_("ghi chú, giải trình"), blank=True)
    evidence = models.FileField(_("tài liệu minh chứng"), upload_to="evidence/%Y/%m/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    review_note = models.TextField(_("ý kiến thẩm định"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["metric", "period__ends_on", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "agency", "period"], name="uniq_observation"),
        ]
        indexes = [models.Index(fields=["metric", "status", "period"], name="obs_metric_status_period")]

    def __str__(self) -> str:
        return f"{self.metric.code} · {self.agency} · {self.period}"
