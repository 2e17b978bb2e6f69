from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.versions import Version, VersionQuerySet, in_force_q
from core.workflow import SubmissionStatus, audit_history

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
        return _("Kế hoạch %(code)s") % {"code": self.code}

    def milestone_for(self, as_of) -> int:
        """The milestone a report or page measures against: the first one not yet passed on ``as_of``."""
        upcoming = [year for year in sorted(self.milestones) if year >= as_of.year]
        return upcoming[0] if upcoming else max(self.milestones)


class PlanAdjustment(models.Model):
    """A decision (quyết định, kết luận) that adjusts the plan from its effective date: its changes (``PlanChange``)
    are applied, once approved, as new versions of the targets, tasks and assignments they touch; what was in force
    before stays true for the time before. docs/adjustments.md."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo, chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="adjustments")
    decision_number = models.CharField(_("số, ký hiệu văn bản"), max_length=100)
    signed_on = models.DateField(_("ngày ký"))
    # the issuer is written as the decision writes it, in Vietnamese whatever the reader's language
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, default="Ban Thường vụ Tỉnh ủy")
    summary = models.TextField(_("trích yếu"), blank=True)
    signed_file = models.FileField(_("văn bản đã ký"), upload_to="plan-adjustments/%Y/", blank=True)
    effective_on = models.DateField(_("có hiệu lực từ ngày"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # an approved adjustment is revoked only by another one, whose changes restore what was in force before it
    revokes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revocations",
        verbose_name=_("bãi bỏ điều chỉnh"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    history = audit_history()

    class Meta:
        verbose_name = _("điều chỉnh kế hoạch")
        verbose_name_plural = _("điều chỉnh kế hoạch")
        ordering = ["effective_on", "pk"]

    def __str__(self) -> str:
        return _("Quyết định số %(number)s") % {"number": self.decision_number}

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class PlanChange(models.Model):
    """One change of an adjustment: what (a target cell, its measurable targets, an indicator, a task's terms, its
    agencies, a metric), which one (code, milestone year), which field, and the value before and after (JSON)."""

    class Subject(models.TextChoices):
        TARGET = "target", _("Ô mục tiêu")
        PARSED_TARGET = "parsed_target", _("Mục tiêu định lượng")
        INDICATOR = "indicator", _("Chỉ tiêu")
        TASK = "task", _("Nhiệm vụ")
        ASSIGNMENT = "assignment", _("Cơ quan thực hiện nhiệm vụ")
        METRIC = "metric", _("Chỉ số đo lường")

    adjustment = models.ForeignKey(PlanAdjustment, on_delete=models.CASCADE, related_name="changes")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    subject = models.CharField(_("đối tượng"), max_length=14, choices=Subject.choices)
    code = models.CharField(_("mã"), max_length=60)
    year = models.PositiveSmallIntegerField(_("mốc năm"), null=True, blank=True)
    field = models.CharField(_("nội dung"), max_length=20)
    old = models.JSONField(_("trước"), null=True, blank=True)
    new = models.JSONField(_("sau"), null=True, blank=True)
    source = models.CharField(_("đọc từ"), max_length=300, blank=True, help_text=_("Trang, dòng của bảng tính."))

    class Meta:
        verbose_name = _("nội dung điều chỉnh")
        verbose_name_plural = _("nội dung điều chỉnh")
        ordering = ["adjustment", "order"]
        constraints = [models.UniqueConstraint(fields=["adjustment", "order"], name="uniq_plan_change_order")]

    def __str__(self) -> str:
        year = f" {self.year}" if self.year else ""
        return f"{self.get_subject_display()} {self.code}{year}: {self.field}"


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
        RATIO = "ratio", _("Tỷ lệ")  # on the metric's own scale (ratio_scale): %, ‰, per vạn dân…
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
    # value = ratio_scale × numerator / denominator (indicators/validation.py, docs/progress-method.md "Scales")
    ratio_scale = models.PositiveIntegerField(
        _("hệ số tỷ lệ"),
        choices=[
            (100, _("× 100 (phần trăm, %)")),
            (1000, _("× 1.000 (phần nghìn, ‰)")),
            (10000, _("× 10.000 (trên vạn, mẫu số tính bằng người)")),
            (1, _("× 1 (mẫu số đã theo đơn vị của tỷ lệ, ví dụ vạn người)")),
        ],
        default=100,
    )
    # a metric collected once for the province has one authoritative source: only its figures count
    reporting_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designated_metrics",
        verbose_name=_("cơ quan cung cấp số liệu toàn tỉnh"),
        help_text=_("Với chỉ số một số liệu toàn tỉnh: chỉ nhận số liệu của cơ quan này."),
    )
    # How the progress engine judges this metric (indicators/progress.py, docs/progress-method.md).
    progress_method = models.CharField(
        _("phương pháp đánh giá tiến độ"),
        max_length=12,
        choices=[
            ("auto", _("Tự động (tăng trưởng kép hoặc thu hẹp khoảng cách)")),
            ("growth", _("Tốc độ tăng trưởng kép (Open SDG)")),
            ("linear", _("Thu hẹp khoảng cách tuyến tính")),
            ("qualitative", _("Định tính (cơ quan thường trực đánh giá)")),
        ],
        default="auto",
    )
    thresholds = models.JSONField(
        _("ngưỡng đánh giá"),
        default=dict,
        blank=True,
        help_text=_('Ví dụ {"on_track": 0.95, "accelerate": 0.6}; để trống dùng ngưỡng mặc định.'),
    )
    baseline_date = models.DateField(
        _("tính giá trị gốc từ ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống: số liệu đầu tiên từ ngày ban hành kế hoạch."),
    )
    # a metric added by an adjustment (a new quantity its targets measure) exists from its effective date
    adjustment = models.ForeignKey(
        PlanAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bổ sung theo điều chỉnh"),
    )
    # What readers need to trust a figure (indicator pages, the API): loaded with the plan, editable here
    definition = models.TextField(
        _("định nghĩa"), blank=True, help_text=_("Chỉ số đo gì: phạm vi, cách tính từ tử số và mẫu số.")
    )
    data_source = models.TextField(_("nguồn số liệu"), blank=True, help_text=_("Số liệu lấy từ đâu, ai tổng hợp."))

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
    def is_province_figure(self) -> bool:
        """Collected once for the province from its designated agency (VI.1's share of GRDP, the DTI …)."""
        return self.collection == self.Collection.PROVINCE and self.reporting_agency_id is not None

    def accepts_figures_from(self, agency) -> bool:
        return not self.is_province_figure or agency.pk == self.reporting_agency_id

    @property
    def period_kind(self) -> str:
        return self.period_kind_of(self.frequency)

    @staticmethod
    def period_kind_of(frequency: str) -> str:
        """The kind of reporting period a metric of this frequency is reported for."""
        return {
            "monthly": periods.MONTH,
            "quarterly": periods.QUARTER,
            "half_yearly": periods.HALF_YEAR,
            "yearly": periods.YEAR,
        }[frequency]


def _cells_in_force_q(day, prefix: str = "") -> models.Q:
    """Cells in force on ``day``; for a day before the plan was issued, the cells it was issued with (the engine
    replays history from before the plan, judging against the plan as issued)."""
    as_issued = models.Q(
        **{
            f"{prefix}adjustment": None,
            f"{prefix}valid_from__gt": day,
            f"{prefix}valid_from": models.F(f"{prefix}indicator__plan__issued_on"),
        }
    )
    return in_force_q(day, prefix) | as_issued


class TargetQuerySet(VersionQuerySet):
    def in_force(self, day):
        """The cells in force on ``day`` (before the plan's issue date: the plan as issued)."""
        return self.filter(_cells_in_force_q(day))


class IndicatorQuerySet(models.QuerySet):
    def in_force(self, day):
        """The indicators with a cell in force on ``day`` (one added from a date has none before it; one retired
        none after it)."""
        return self.filter(Exists(Target.objects.in_force(day).filter(indicator=OuterRef("pk"))))


class Indicator(models.Model):
    """A row of Appendix I (chỉ tiêu), e.g. "III.3": its identity; its cells are versioned (``Target``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    code = models.CharField(_("mã"), max_length=12)
    lead_names = models.JSONField(_("cơ quan chủ trì đánh giá (như văn bản ghi)"), default=list, blank=True)
    lead_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="led_indicators", verbose_name=_("cơ quan chủ trì đánh giá")
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["plan", "group__order", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return self.code


class Target(Version):
    """A cell of Appendix I: the verbatim goal of one indicator for one milestone year, as in force from
    ``valid_from`` to ``valid_to`` (the plan as issued: from its issue date; an adjustment: from its effective
    date). Its measurable claims are its ``parsed_targets``."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("mốc năm"))
    text = models.TextField(_("nội dung (nguyên văn)"), blank=True)
    qualitative = models.BooleanField(
        _("định tính"), default=False, help_text=_("Có nội dung nhưng không có mục tiêu đo đếm được.")
    )
    adjustment = models.ForeignKey(
        PlanAdjustment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("theo điều chỉnh"),
        help_text=_("Trống: kế hoạch như ban hành."),
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["indicator", "year", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "valid_from"], name="uniq_target_cell_version")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} – {self.year}"

    @property
    def is_empty(self) -> bool:
        return self.text.strip() in EMPTY_CELL_TEXTS


class ParsedTargetQuerySet(models.QuerySet):
    def in_force(self, day):
        """The measurable targets of the cells in force on ``day``."""
        return self.filter(_cells_in_force_q(day, "target__"))


class ParsedTarget(models.Model):
    """One measurable claim of a cell (of one version of it): metric, comparator and value(s), parsed from the
    cell's text."""

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

    objects = ParsedTargetQuerySet.as_manager()

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

    @classmethod
    def build(cls, kind: str, year: int, number: int) -> "Period":
        """An unsaved period with its Decree 09 window and configured due date (reads never create periods)."""
        bounds = periods.period_bounds(kind, year, number)
        due_on = bounds.ends_on + timedelta(days=settings.REPORT_DUE_DAYS[kind])
        return cls(
            kind=kind, year=year, number=number, starts_on=bounds.starts_on, ends_on=bounds.ends_on, due_on=due_on
        )

    @property
    def label(self) -> str:
        return periods.PeriodBounds(self.kind, self.year, self.number, self.starts_on, self.ends_on).label

    def state_on(self, day) -> str:
        """Not begun, open, past due or locked on ``day`` (``indicators.periods.period_state``)."""
        return periods.period_state(starts_on=self.starts_on, due_on=self.due_on, is_locked=self.is_locked, as_of=day)


class Submission(models.Model):
    """What a figure and a task update share: where they stand in the review workflow, and who moved them."""

    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    # who entered and who reviewed: taken from the signed-in user (or the import's uploader) as the row is
    # written, and emptied by Django when a user is deleted (on_delete). PostgreSQL does not look the user up
    # again for every row (db_constraint=False): a 100 000-row import paid 100 000 lookups of one user per
    # column. What a figure is of (its metric, agency, period) keeps its foreign keys.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    reviewed_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    review_note = models.TextField(_("ý kiến thẩm định"), blank=True)

    class Meta:
        abstract = True


class Observation(Submission):
    """A figure (số liệu): the value of a metric reported by an agency for a reporting period."""

    # no index of their own: (metric, …) and (agency, …) lead the composite indexes below, which serve every query
    # by metric or agency (docs/performance.md, "Spreadsheet import"); each index costs every imported row
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations", db_index=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="observations", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="observations")
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(_("tử số"), max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("ghi chú, giải trình"), blank=True)
    evidence = models.FileField(_("tài liệu minh chứng"), upload_to="evidence/%Y/%m/", blank=True)
    # A correction of an approved figure waits here while the approved value above keeps counting; approving
    # it moves these values into value/numerator/denominator (see docs/data-entry.md, "Versions").
    correction_status = models.CharField(
        _("đề nghị điều chỉnh"),
        max_length=10,
        blank=True,
        choices=[
            (SubmissionStatus.SUBMITTED.value, _("Chờ duyệt điều chỉnh")),
            (SubmissionStatus.RETURNED.value, _("Điều chỉnh bị trả lại")),
        ],
    )
    proposed_value = models.DecimalField(_("giá trị đề nghị"), max_digits=20, decimal_places=6, null=True, blank=True)
    proposed_numerator = models.DecimalField(_("tử số đề nghị"), max_digits=20, decimal_places=6, null=True, blank=True)
    proposed_denominator = models.DecimalField(
        _("mẫu số đề nghị"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    proposed_note = models.TextField(_("lý do điều chỉnh"), blank=True)
    # the history is read by record (its id) and date only: no index on the figure's other keys
    history = audit_history(no_db_index=["metric", "agency", "period", "entered_by", "reviewed_by"])

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["metric", "period__ends_on", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "agency", "period"], name="uniq_observation"),
        ]
        indexes = [
            models.Index(fields=["metric", "status", "period"], name="obs_metric_status_period"),
            # an agency's figures counted by status (agency page, scorecard) without reading the rows
            models.Index(fields=["agency", "status"], name="obs_agency_status"),
            # the latest figures of a metric (indicator page) without sorting all of them
            models.Index(fields=["metric", "id"], name="obs_metric_recent"),
            # an agency's latest submissions (agency page), whatever the size of the table
            models.Index(fields=["agency", "id"], name="obs_agency_recent"),
            # what waits for the standing office (review queue, its badge): a few dozen rows among a million,
            # found without reading the others; figures imported or approved are not in it
            models.Index(
                fields=["agency", "period"],
                name="obs_waiting",
                condition=models.Q(status="submitted") | models.Q(correction_status="submitted"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} · {self.agency} · {self.period}"


class TargetStatus(models.Model):
    """Snapshot: where one parsed target stands as of a date, with the inputs that explain the colour.

    Computed by the progress engine (Celery jobs, ``recompute``); pages read these rows, never recompute.
    """

    class Status(models.TextChoices):
        ACHIEVED = "achieved", _("Đã đạt")
        ON_TRACK = "on_track", _("Đúng lộ trình")
        ACCELERATE = "accelerate", _("Cần tăng tốc")
        LIMITED = "limited", _("Tiến triển chậm")
        REGRESSING = "regressing", _("Đi xuống")
        NO_DATA = "no_data", _("Chưa có số liệu")
        QUALITATIVE = "qualitative", _("Định tính")

    class Freshness(models.TextChoices):
        """How fresh the data behind the status is (indicators/freshness.py)."""

        CURRENT = "current", _("Số liệu cập nhật")
        LATE = "late", _("Số liệu chậm")
        MISSING = "missing", _("Chưa có số liệu")

    parsed_target = models.ForeignKey(ParsedTarget, on_delete=models.CASCADE, related_name="statuses")
    as_of = models.DateField(_("tính đến ngày"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices)
    method = models.CharField(_("phương pháp"), max_length=20, blank=True)
    ratio = models.DecimalField(_("tỷ số tiến độ"), max_digits=20, decimal_places=6, null=True, blank=True)
    baseline_value = models.DecimalField(_("giá trị gốc"), max_digits=20, decimal_places=6, null=True, blank=True)
    baseline_date = models.DateField(_("ngày gốc"), null=True, blank=True)
    latest_value = models.DecimalField(_("giá trị mới nhất"), max_digits=20, decimal_places=6, null=True, blank=True)
    latest_date = models.DateField(_("ngày mới nhất"), null=True, blank=True)
    # the period of the latest value, provisional while that period is still open on the as-of date
    latest_period = models.ForeignKey(
        "Period", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("kỳ mới nhất")
    )
    latest_provisional = models.BooleanField(_("số liệu tạm tính"), default=False)
    # the coverage of the latest value: how many agencies' figures it is computed from, of how many expected
    latest_reporters = models.PositiveIntegerField(_("số cơ quan có số liệu"), null=True, blank=True)
    latest_expected = models.PositiveIntegerField(_("số cơ quan phải báo cáo"), null=True, blank=True)
    freshness = models.CharField(_("tình trạng số liệu"), max_length=8, choices=Freshness.choices, default="missing")
    expected_value = models.DecimalField(
        _("giá trị cần đạt đến nay"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    explanation = models.JSONField(_("diễn giải"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("trạng thái mục tiêu")
        verbose_name_plural = _("trạng thái mục tiêu")
        ordering = ["-as_of", "parsed_target"]
        constraints = [models.UniqueConstraint(fields=["parsed_target", "as_of"], name="uniq_target_status")]
        indexes = [models.Index(fields=["as_of", "status"], name="target_status_asof")]

    def __str__(self) -> str:
        return f"{self.parsed_target} @ {self.as_of}: {self.get_status_display()}"

    @property
    def is_late(self) -> bool:
        return self.freshness == self.Freshness.LATE


class ProvinceValue(models.Model):
    """Snapshot: the province value of one metric for one reporting period, aggregated from approved figures.

    Written by the progress engine in the same recompute as the target statuses, from the same grouped query
    (``indicators.selectors.province_period_values``); the indicator page draws its series from these rows
    instead of aggregating figures. Holds the periods up to the recompute's as-of date.
    """

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="province_values")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="province_values")
    # sums of up to a few hundred agencies' figures: wider than a figure's own 20 digits
    value = models.DecimalField(_("giá trị toàn tỉnh"), max_digits=26, decimal_places=6)
    numerator = models.DecimalField(_("tổng tử số"), max_digits=26, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(_("tổng mẫu số"), max_digits=26, decimal_places=6, null=True, blank=True)
    reporters = models.PositiveIntegerField(_("số cơ quan có số liệu"))
    expected_reporters = models.PositiveIntegerField(
        _("số cơ quan phải báo cáo"), default=0, help_text=_("Độ phủ của giá trị: số cơ quan có số liệu / số này.")
    )
    provisional = models.BooleanField(_("tạm tính"), default=False, help_text=_("Kỳ chưa kết thúc."))
    as_of = models.DateField(_("tính đến ngày"))
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("giá trị toàn tỉnh")
        verbose_name_plural = _("giá trị toàn tỉnh")
        ordering = ["metric", "period__ends_on"]
        constraints = [models.UniqueConstraint(fields=["metric", "period"], name="uniq_province_value")]

    def __str__(self) -> str:
        return f"{self.metric.code} · {self.period}: {self.value}"


class QualitativeAssessment(models.Model):
    """The standing office's assessment of a qualitative cell (or any cell) for a reporting period."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="assessments")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="qualitative_assessments")
    status = models.CharField(_("đánh giá"), max_length=12, choices=TargetStatus.Status.choices)
    narrative = models.TextField(_("nhận xét"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("đánh giá lúc"), auto_now=True)
    history = audit_history()

    class Meta:
        verbose_name = _("đánh giá định tính")
        verbose_name_plural = _("đánh giá định tính")
        ordering = ["target", "-period__ends_on"]
        constraints = [models.UniqueConstraint(fields=["target", "period"], name="uniq_qualitative_assessment")]

    def __str__(self) -> str:
        return f"{self.target} · {self.period}: {self.get_status_display()}"


class AgencyAssessment(models.Model):
    """An agency's own confidence that a metric it reports will reach its target, reported per quarter."""

    class Confidence(models.TextChoices):
        CONFIDENT = "confident", _("Tin tưởng sẽ đạt")
        AT_RISK = "at_risk", _("Có nguy cơ không đạt")
        UNLIKELY = "unlikely", _("Khó đạt")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="agency_assessments")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="agency_assessments")
    confidence = models.CharField(_("mức độ tin tưởng"), max_length=10, choices=Confidence.choices)
    narrative = models.TextField(_("giải trình"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    history = audit_history()

    class Meta:
        verbose_name = _("tự đánh giá của cơ quan")
        verbose_name_plural = _("tự đánh giá của cơ quan")
        ordering = ["metric", "-period__ends_on", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "metric", "period"], name="uniq_agency_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.metric.code} · {self.period}: {self.get_confidence_display()}"


class ReportTimeliness(models.Model):
    """Snapshot: whether an agency sent the figures it owes for a period, and on time: the one completeness rule
    (``indicators.selectors.figures_completeness``) the completeness page, the overview and the periodic report
    count with, stored for every agency and period as of the last computation."""

    class Status(models.TextChoices):
        NOT_DUE = "not_due", _("Chưa đến hạn")
        ON_TIME = "on_time", _("Nộp đúng hạn")
        LATE = "late", _("Nộp muộn")
        PARTIAL = "partial", _("Nộp chưa đủ")
        MISSING = "missing", _("Chưa nộp")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="report_timeliness")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="report_timeliness")
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status.choices)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    days_late = models.IntegerField(_("số ngày chậm"), default=0)
    expected = models.PositiveIntegerField(_("số liệu phải gửi"), default=0)
    sent = models.PositiveIntegerField(_("số liệu đã gửi"), default=0)
    as_of = models.DateField(_("tính đến ngày"))
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tình trạng nộp báo cáo")
        verbose_name_plural = _("tình trạng nộp báo cáo")
        ordering = ["period", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "period"], name="uniq_report_timeliness")]
        indexes = [models.Index(fields=["period", "status"], name="timeliness_period_status")]

    def __str__(self) -> str:
        return f"{self.agency} · {self.period}: {self.get_status_display()}"


class RecomputeRequest(models.Model):
    """A metric whose target statuses must be recomputed: written in the approval's own transaction, cleared by
    the recompute that covered it. Nothing is lost when the broker is down at approval time, or a worker dies:
    the catch-up job (every few minutes) and the nightly recompute run whatever is still here."""

    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, primary_key=True, related_name="+")
    requested_at = models.DateTimeField(_("yêu cầu lúc"))

    class Meta:
        verbose_name = _("yêu cầu tính lại")
        verbose_name_plural = _("yêu cầu tính lại")

    def __str__(self) -> str:
        return f"{self.metric_id} · {self.requested_at:%Y-%m-%d %H:%M}"


class MetricRecompute(models.Model):
    """When a recompute last read a metric's approved figures for the snapshot rows it stored (its province values
    and its targets' statuses as of ``as_of``).

    A single-metric recompute (after an approval) holds the metric's lock while it reads and writes; a full one
    reads every metric without their locks, so as not to hold back approvals, and takes them only to write: it
    then leaves alone the metrics whose rows a single-metric recompute stored meanwhile from a later read, which
    are newer than its own (``indicators.services.target_statuses_recompute``)."""

    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, primary_key=True, related_name="+")
    as_of = models.DateField(_("tính đến ngày"))
    figures_read_at = models.DateTimeField(_("đọc số liệu lúc"))

    class Meta:
        verbose_name = _("lần tính lại của chỉ số")
        verbose_name_plural = _("lần tính lại của chỉ số")

    def __str__(self) -> str:
        return f"{self.metric_id} · {self.as_of} · {self.figures_read_at:%Y-%m-%d %H:%M:%S}"
