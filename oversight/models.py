"""The loop section IV of the plan sets around its figures: inspections and the recommendations they conclude with,
tracked like a task's work, and the mapping of the plan's metrics to the central monitoring system's indicators."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.workflow import audit_history
from indicators.models import Indicator, Metric, Plan, Submission
from tasks.models import Task, TaskUpdate


class Inspection(models.Model):
    """An inspection or supervision (đợt kiểm tra, giám sát): who inspects, when, whom and what, on which decision,
    and the conclusion document whose recommendations the inspected agencies must carry out."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Kiểm tra định kỳ")
        INTERSECTORAL = "intersectoral", _("Kiểm tra liên ngành")
        AD_HOC = "ad_hoc", _("Kiểm tra đột xuất")
        SUPERVISION = "supervision", _("Giám sát")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="inspections")
    title = models.CharField(_("tên đợt kiểm tra"), max_length=300)
    kind = models.CharField(_("hình thức"), max_length=20, choices=Kind.choices, default=Kind.PERIODIC)
    team = models.CharField(
        _("đoàn kiểm tra"), max_length=300, blank=True, help_text=_("Ví dụ: Đoàn kiểm tra số 2 của Ban Chỉ đạo tỉnh.")
    )
    lead_body = models.ForeignKey(
        Agency, verbose_name=_("cơ quan chủ trì"), on_delete=models.PROTECT, related_name="inspections_led"
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    agencies = models.ManyToManyField(
        Agency, related_name="inspections", verbose_name=_("cơ quan, địa phương được kiểm tra")
    )
    tasks = models.ManyToManyField(Task, blank=True, related_name="inspections", verbose_name=_("nhiệm vụ"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="inspections", verbose_name=_("chỉ tiêu"))
    decision_number = models.CharField(_("số quyết định kiểm tra"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_file = models.FileField(_("tệp quyết định"), upload_to="inspections/%Y/%m/", blank=True)
    conclusion_number = models.CharField(_("số văn bản kết luận"), max_length=100, blank=True)
    conclusion_date = models.DateField(_("ngày kết luận"), null=True, blank=True)
    conclusion_file = models.FileField(_("tệp kết luận"), upload_to="inspections/%Y/%m/", blank=True)
    conclusion = models.TextField(_("tóm tắt kết luận"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    history = audit_history()

    class Meta:
        verbose_name = _("đợt kiểm tra, giám sát")
        verbose_name_plural = _("đợt kiểm tra, giám sát")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    """A recommendation of an inspection's conclusion (kiến nghị): what must be done, by which agency, by when.

    Its standing is the one rule for work with a deadline (``tasks.occurrences.status_on``), judged on
    ``completed_on``: the day the agency says it finished, known once the standing office accepted that report
    (``accepted_on``). Both are written only by ``services.recommendation_update_approve``."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("nội dung kiến nghị"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thực hiện"), on_delete=models.PROTECT, related_name="recommendations"
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    task = models.ForeignKey(
        Task,
        verbose_name=_("nhiệm vụ liên quan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    accepted_on = models.DateField(_("ngày chấp nhận kết quả"), null=True, blank=True)
    history = audit_history()

    class Meta:
        verbose_name = _("kiến nghị sau kiểm tra")
        verbose_name_plural = _("kiến nghị sau kiểm tra")
        ordering = ["inspection", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "number"], name="uniq_recommendation_number")]
        indexes = [models.Index(fields=["agency", "due_on"], name="recommendation_agency_due")]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.number}"


class RecommendationUpdate(Submission):
    """An agency's report on carrying out a recommendation, with evidence: draft → submitted → approved | returned.

    An agency files as many as the work needs; one at a time is open (not approved), and an approved report of
    completion closes the recommendation."""

    Progress = TaskUpdate.Progress

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="updates")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="recommendation_updates")
    progress = models.CharField(_("tình trạng"), max_length=12, choices=Progress.choices, default=Progress.IN_PROGRESS)
    work_done = models.TextField(_("kết quả đã thực hiện"), blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    document_number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    evidence = models.FileField(_("tài liệu minh chứng"), upload_to="recommendation-evidence/%Y/%m/", blank=True)
    history = audit_history()

    class Meta:
        verbose_name = _("báo cáo thực hiện kiến nghị")
        verbose_name_plural = _("báo cáo thực hiện kiến nghị")
        ordering = ["recommendation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.agency}"


class CentralIndicator(models.Model):
    """One indicator of the central monitoring system for Resolution 57 and the plan's metric that feeds it: the
    centre's code, name and unit, and the factor that turns the plan's value into the centre's unit
    (central value = plan value × factor: a ratio in % reported as a fraction has 0,01).

    Data, never code: edited in the admin or loaded from a spreadsheet (``import_central_mapping``); shipped
    empty, an example in ``fixtures/central_mapping_example.xlsx`` (docs/oversight.md)."""

    code = models.CharField(_("mã chỉ tiêu TW"), max_length=40, unique=True)
    name = models.CharField(_("tên chỉ tiêu TW"), max_length=300)
    unit = models.CharField(_("đơn vị TW"), max_length=60, blank=True)
    metric = models.ForeignKey(
        Metric, verbose_name=_("chỉ số của kế hoạch"), on_delete=models.CASCADE, related_name="central_indicators"
    )
    factor = models.DecimalField(
        _("hệ số quy đổi"),
        max_digits=24,
        decimal_places=12,
        default=1,
        help_text=_(
            "Giá trị báo cáo Trung ương = giá trị của kế hoạch × hệ số (ví dụ phần trăm sang tỷ lệ thập phân: 0,01)."
        ),
    )
    history = audit_history()

    class Meta:
        verbose_name = _("chỉ tiêu của hệ thống giám sát Trung ương")
        verbose_name_plural = _("bảng quy đổi chỉ tiêu Trung ương")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(factor__gt=0), name="central_factor_positive")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"
