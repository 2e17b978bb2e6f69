"""Demo data: users for every role and plausible figures from 2025 to a given date, so a first run has
something to show; and, with ``scale``, large data sets for benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, User
from core.snapshots import snapshots_changed
from core.workflow import SubmissionStatus, save_version
from indicators.models import (
    AgencyAssessment,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    QualitativeAssessment,
    Target,
    TargetStatus,
)
from indicators.periods import period_containing, periods_between
from indicators.selectors import target_statuses_as_of
from indicators.services import period_get_or_create, periods_ensure_containing
from indicators.validation import PART_OF_WHOLE_SCALES
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from tasks.models import Task, TaskAssignment, TaskUpdate

DEMO_PASSWORD = "Demo@65KHTU"  # noqa: S105 - printed for demo accounts only, documented in README
DEMO_START = date(2025, 1, 1)
# Yearly metrics get three years before the plan: values before its start are the baseline
# (docs/progress-method.md), so a yearly metric has a trend from the first run.
YEARLY_HISTORY_START = date(2023, 1, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    agency_code: str | None


DEMO_USERS = [
    DemoUser("bcd.thanhvien", "Nguyễn Văn Chỉ Đạo", User.Role.STEERING, None),
    DemoUser("thuongtruc", "Trần Thị Thẩm Định", User.Role.REVIEWER, "vp-tu"),
    DemoUser("sokhcn", "Lê Văn Khoa", User.Role.AGENCY_STAFF, "so-khcn"),
    DemoUser("congan", "Phạm Văn An", User.Role.AGENCY_STAFF, "cong-an"),
    DemoUser("vpubnd", "Hoàng Thị Hành Chính", User.Role.AGENCY_STAFF, "vp-ubnd"),
    DemoUser("quantri", "Quản trị hệ thống", User.Role.ADMIN, None),
]


def demo_users_create(*, password: str = DEMO_PASSWORD) -> list[tuple[DemoUser, User]]:
    """Create (or reset) one demo account per role. Localities get one account too, for the first ward."""
    users = []
    locality = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("official_code").first()
    specs = list(DEMO_USERS)
    if locality:
        specs.append(DemoUser("xaphuong", f"Cán bộ {locality.name}", User.Role.AGENCY_STAFF, locality.code))
    for spec in specs:
        agency = Agency.objects.filter(code=spec.agency_code).first() if spec.agency_code else None
        first, _, last = spec.full_name.rpartition(" ")
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": last,
                "last_name": first,
                "role": spec.role,
                "agency": agency,
                "is_staff": spec.role == User.Role.ADMIN,
                "is_superuser": spec.role == User.Role.ADMIN,
                "email": f"{spec.username}@example.invalid",
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users.append((spec, user))
    return users


def _first_target(metric: Metric) -> ParsedTarget | None:
    return ParsedTarget.objects.filter(metric=metric).select_related("target").order_by("target__year", "pk").first()


def _submitted_at(period: Period, rng: random.Random, now):
    """When a demo report came in: mostly a few days before its due date, one in eight a few days late."""
    days = rng.randint(1, 12) if rng.random() < 0.125 else -rng.randint(0, 4)
    moment = timezone.make_aware(datetime.combine(period.due_on + timedelta(days=days), time(9, 0)))
    return min(moment, now)


def _quantize(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


class _Path:
    """A plausible path for one metric: from a start value in 2025 towards (not always reaching) its target."""

    def __init__(self, metric: Metric, rng: random.Random):
        target = _first_target(metric)
        goal = float(target.value_max or target.value) if target else 100.0
        year = target.target.year if target else 2030
        self.metric = metric
        self.rng = rng
        self.kind = metric.kind
        # A mid-course plan: a few targets already met, most on or near the required path, a few well behind.
        self.pace = rng.choices(
            [rng.uniform(1.0, 1.35), rng.uniform(0.75, 0.95), rng.uniform(0.3, 0.6)], weights=[55, 30, 15]
        )[0]
        self.met = target is not None and target.operator != "range" and rng.random() < 0.15
        if metric.kind == Metric.Kind.FLOW:
            self.start, self.goal = goal * rng.uniform(0.3, 0.7), goal
        elif metric.kind == Metric.Kind.INDEX:
            self.start, self.goal = min(goal, 1.0) * rng.uniform(0.7, 0.85), min(goal, 1.0)
        elif metric.kind in (Metric.Kind.RATIO, Metric.Kind.GRDP_SHARE):
            self.start, self.goal = goal * rng.uniform(0.35, 0.75), goal
        else:
            self.start, self.goal = goal * rng.uniform(0.3, 0.6), goal
        self.years = max(year - DEMO_START.year, 1)
        self.side = -1 if target is not None and target.operator in ("<=", "<") else 1

    def level(self, day: date) -> float:
        if self.met:
            # already there: hovering just on the right side of the target
            return self.goal * (1 + self.rng.uniform(0.01, 0.06) * self.side)
        elapsed = (day - DEMO_START).days / 365.25
        share = min(1.0, self.pace * elapsed / self.years)
        noise = self.rng.uniform(-0.03, 0.03) * (self.goal - self.start)
        return self.start + (self.goal - self.start) * share + noise


def _observation(metric: Metric, path: _Path, agency: Agency, period: Period, periods_per_year: int, **extra):
    level = path.level(period.ends_on)
    if metric.kind == Metric.Kind.FLOW:
        # a yearly flow reported per period: this period's part of the year's total
        value = _quantize(max(level / periods_per_year * path.rng.uniform(0.7, 1.3), 0), "1")
        return Observation(metric=metric, agency=agency, period=period, value=value, **extra)
    if metric.kind == Metric.Kind.STOCK:
        return Observation(metric=metric, agency=agency, period=period, value=_quantize(max(level, 0), "1"), **extra)
    if metric.kind == Metric.Kind.INDEX:
        return Observation(
            metric=metric, agency=agency, period=period, value=_quantize(min(level, 1.0), "0.001"), **extra
        )
    percent = max(0.0, min(level, 100.0))
    if metric.kind == Metric.Kind.RATIO:
        # value = scale × numerator / denominator: a percentage, or e.g. researchers per vạn dân (scale 1)
        scale = metric.ratio_scale
        share = max(0.0, min(level, float(scale))) if scale in PART_OF_WHOLE_SCALES else max(0.0, level)
        denominator = path.rng.randint(40, 400)
        numerator = round(denominator * share / scale)
        return Observation(
            metric=metric,
            agency=agency,
            period=period,
            numerator=numerator,
            denominator=denominator,
            value=_quantize(scale * numerator / denominator),
            **extra,
        )
    return Observation(metric=metric, agency=agency, period=period, value=_quantize(percent), **extra)


_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}


def _periods(kind: str, until: date, start: date = DEMO_START) -> list[Period]:
    return [
        period_get_or_create(kind=b.kind, year=b.year, number=b.number) for b in periods_between(kind, start, until)
    ]


@transaction.atomic
def demo_figures_create(*, plan: Plan, as_of: date, seed: int = 65, localities_per_metric: int | None = None) -> int:
    """Figures for every metric from 2025 to ``as_of``: approved, except the latest period's, which are in
    every state of the workflow (and a few missing) so that the review queue and the gaps show. Every reporter
    reports (``localities_per_metric`` limits the communes, for a smaller set), so a province value's coverage
    reads as it would in use. Each figure is approved a few days after it was sent, and its history says so: a
    report "as of" a past day counts what had been approved by then (``indicators.readings``)."""
    rng = random.Random(seed)
    timing = random.Random(seed + 1)
    reviewer = User.objects.filter(role=User.Role.REVIEWER).first()
    now = timezone.now()
    rows = []
    for metric in plan.metrics.order_by("code").prefetch_related("reporters"):
        path = _Path(metric, rng)
        reporters = sorted(metric.reporters.all(), key=lambda a: (a.kind != Agency.Kind.DEPARTMENT, a.name))
        if metric.collection == Metric.Collection.PER_AGENCY:
            departments = [a for a in reporters if a.kind == Agency.Kind.DEPARTMENT]
            localities = [a for a in reporters if a.kind == Agency.Kind.LOCALITY][:localities_per_metric]
            reporters = departments + localities
        start = YEARLY_HISTORY_START if metric.period_kind == "year" else DEMO_START
        periods = _periods(metric.period_kind, as_of, start)
        for index, period in enumerate(periods):
            latest = index == len(periods) - 1 and len(periods) > 1 and metric.period_kind != "year"
            for agency in reporters:
                state = SubmissionStatus.APPROVED
                if latest:
                    # the period just closed: most reporters are in and approved, some wait for review,
                    # a few are still drafts and a few have not reported yet
                    state = rng.choices(
                        [SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED, SubmissionStatus.DRAFT, None],
                        weights=[80, 9, 4, 7],
                    )[0]
                    if state is None:
                        continue
                sent = _submitted_at(period, timing, now) if state != SubmissionStatus.DRAFT else None
                reviewed = min(sent + timedelta(days=timing.randint(1, 6)), now) if sent else None
                figure = _observation(
                    metric,
                    path,
                    agency,
                    period,
                    _PERIODS_PER_YEAR[metric.frequency],
                    status=state,
                    submitted_at=sent,
                    reviewed_at=reviewed if state == SubmissionStatus.APPROVED else None,
                    reviewed_by=reviewer if state == SubmissionStatus.APPROVED else None,
                )
                # the history's one version is dated when the figure reached the state it is in
                figure._history_date = figure.reviewed_at or sent or now
                rows.append(figure)
        if metric.period_kind == "year":
            rows += _provisional_year(metric, path, reporters, as_of, now, reviewer)
    _return_one(rows, reviewer, now)
    # bulk_create_with_history records every figure's first version, as any other write path must
    bulk_create_with_history(rows, Observation, batch_size=2000)
    return len(rows)


def _provisional_year(metric: Metric, path: _Path, reporters, as_of: date, now, reviewer) -> list[Observation]:
    """The year still open on ``as_of``, already reported and approved: a provisional value ("tạm tính"), so a
    yearly metric shows its trend since the plan began before the year closes (docs/progress-method.md)."""
    bounds = period_containing("year", as_of)
    if bounds.ends_on <= as_of or not reporters:
        return []
    period = period_get_or_create(kind="year", year=bounds.year, number=1)
    moment = min(now, timezone.make_aware(datetime.combine(as_of, time(9, 0))))
    figures = [
        _observation(
            metric,
            path,
            agency,
            period,
            1,
            status=SubmissionStatus.APPROVED,
            submitted_at=moment,
            reviewed_at=moment,
            reviewed_by=reviewer,
        )
        for agency in reporters
    ]
    for figure in figures:
        figure._history_date = moment
    return figures


def _return_one(rows: list[Observation], reviewer, now) -> None:
    """Return one waiting figure (the Sở KH&CN's if it has one) with a reason, as the standing office would."""
    waiting = [o for o in rows if o.status == SubmissionStatus.SUBMITTED]
    waiting.sort(key=lambda o: o.agency.code != "so-khcn")
    if waiting:
        figure = waiting[0]
        figure.status = SubmissionStatus.RETURNED
        figure.reviewed_by, figure.reviewed_at = reviewer, now
        figure._history_date = now
        figure.review_note = "Số liệu tăng đột biến so với kỳ trước, đề nghị kiểm tra lại và bổ sung giải trình."


# How each lead agency keeps up with a task: most report on time, some late, a few not at all.
_DILIGENCE = (("on_time", 85), ("late", 9), ("silent", 4), ("not_started", 2))
_WORK_DONE = [
    "Đã ban hành kế hoạch triển khai và phân công đầu mối thực hiện.",
    "Đã tổ chức hội nghị quán triệt, triển khai các nội dung của nhiệm vụ.",
    "Đang rà soát, hoàn thiện dự thảo văn bản để trình cấp có thẩm quyền.",
    "Đã hoàn thành khảo sát hiện trạng, đang xây dựng phương án triển khai.",
    "Đã triển khai thí điểm tại một số đơn vị, đang đánh giá kết quả.",
]
_DIFFICULTIES = ["", "", "Thiếu nhân lực chuyên trách về công nghệ thông tin.", "Kinh phí được giao chậm."]
_PROPOSALS = ["", "", "Đề nghị bổ sung kinh phí năm sau.", "Đề nghị tập huấn thêm cho cán bộ cấp xã."]


def _at(day: date, now):
    return min(timezone.make_aware(datetime.combine(day, time(9, 0))), now)


@transaction.atomic
def demo_task_updates_create(*, plan: Plan, as_of: date, seed: int = 65) -> int:
    """Quarterly progress reports since the plan's start by every lead agency of every task (collective leads
    included): mostly on time, some late, a handful missing or not started, so the task board looks mid-course.
    Conditional tasks wait for their trigger and get no reports."""
    rng = random.Random(seed)
    now = min(timezone.now(), timezone.make_aware(datetime.combine(as_of, time(17, 0))))
    reviewer = User.objects.filter(role=User.Role.REVIEWER).first()
    quarters = [q for q in _periods("quarter", as_of, plan.issued_on) if q.ends_on <= as_of]
    if not quarters:
        return 0
    last_closed = quarters[-1].ends_on
    leads: dict[int, list[Agency]] = {}
    for assignment in TaskAssignment.objects.filter(task__plan=plan, role=TaskAssignment.Role.LEAD).select_related(
        "agency"
    ):
        leads.setdefault(assignment.task_id, []).append(assignment.agency)
    rows = []
    tasks = Task.objects.filter(plan=plan).with_terms(as_of).order_by("number")
    for task in (t for t in tasks if t.schedule_kind != Task.ScheduleKind.CONDITIONAL):
        one_off = task.schedule_kind == Task.ScheduleKind.ONE_OFF
        for agency in sorted(leads.get(task.pk, []), key=lambda a: a.code):
            habit = rng.choices([h for h, _ in _DILIGENCE], weights=[w for _, w in _DILIGENCE])[0]
            finish_on = None
            if one_off and task.due_on:
                # on time: done a few weeks before the deadline; late: a few weeks after it
                early, late = rng.randint(5, 50), rng.randint(5, 40)
                finish_on = (
                    task.due_on - timedelta(days=early) if habit == "on_time" else task.due_on + timedelta(days=late)
                )
                if habit in ("silent", "not_started") or finish_on > last_closed:
                    finish_on = None
            percent = 0
            for index, quarter in enumerate(quarters):
                last = index == len(quarters) - 1
                if habit == "silent" and last:
                    break  # nothing reported for the quarter just closed: the occurrence is overdue
                done = finish_on is not None and finish_on <= quarter.ends_on
                if habit == "not_started":
                    progress, percent = TaskUpdate.Progress.NOT_STARTED, 0
                elif done:
                    progress, percent = TaskUpdate.Progress.DONE, 100
                else:
                    progress = TaskUpdate.Progress.IN_PROGRESS
                    percent = min(90, percent + rng.choice([15, 20, 25, 30]))
                delay = rng.randint(3, 25) if habit == "late" else -rng.randint(0, 5)
                rows.append(
                    TaskUpdate(
                        task=task,
                        agency=agency,
                        period=quarter,
                        progress=progress,
                        percent_complete=percent if one_off else (0 if progress == "not_started" else min(percent, 95)),
                        work_done="" if progress == "not_started" else rng.choice(_WORK_DONE),
                        difficulties=rng.choice(_DIFFICULTIES),
                        proposals=rng.choice(_PROPOSALS),
                        completed_on=finish_on if done else None,
                        status=SubmissionStatus.APPROVED,
                        submitted_at=_at(quarter.due_on + timedelta(days=delay), now),
                        reviewed_by=reviewer,
                        reviewed_at=now,
                    )
                )
                if done:
                    break
    bulk_create_with_history(rows, TaskUpdate, batch_size=2000)
    return len(rows)


def scale_figures_create(*, plan: Plan, until_year: int, batch_size: int = 5000, progress=None) -> int:
    """Benchmark data: every department and locality × every metric × every month, 2025 to ``until_year``.

    Written in batches (one transaction each) with plain ``bulk_create``: benchmark data carries no audit
    history, unlike every path that users or imports take. Figures that already exist are left as they are.
    """
    rng = random.Random(2045)
    agencies = list(Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY]).order_by("pk"))
    months = _periods("month", date(until_year, 12, 14))
    metrics = list(plan.metrics.order_by("code"))
    paths = {m.pk: _Path(m, rng) for m in metrics}
    existing = set(Observation.objects.filter(period__in=months).values_list("metric_id", "agency_id", "period_id"))
    total = 0
    batch: list[Observation] = []
    for metric in metrics:
        for period in months:
            for agency in agencies:
                if (metric.pk, agency.pk, period.pk) in existing:
                    continue
                batch.append(
                    _observation(metric, paths[metric.pk], agency, period, 12, status=SubmissionStatus.APPROVED)
                )
                if len(batch) >= batch_size:
                    with transaction.atomic():
                        Observation.objects.bulk_create(batch)
                    total += len(batch)
                    batch = []
                    if progress:
                        progress(total)
    if batch:
        with transaction.atomic():
            Observation.objects.bulk_create(batch)
        total += len(batch)
    snapshots_changed()
    return total


_CONFIDENCE_NOTES = {
    "confident": "Các giải pháp đang triển khai đúng kế hoạch, dự kiến hoàn thành mục tiêu.",
    "at_risk": "Tiến độ chậm do vướng mắc về kinh phí và nhân lực, cần tăng cường chỉ đạo.",
    "unlikely": "Khó đạt mục tiêu nếu không có cơ chế, nguồn lực bổ sung.",
}


@transaction.atomic
def demo_assessments_create(*, plan: Plan, as_of: date, seed: int = 65) -> int:
    """Departments' own confidence for the current quarter (mostly agreeing with the computed status, a few
    not, so that the disagreements show), and the standing office's assessment of two qualitative cells.
    Reads the target status snapshot, so run it after ``recompute``."""
    rng = random.Random(seed)
    quarter = periods_ensure_containing(as_of)["quarter"]
    statuses: dict[int, set[str]] = {}
    for metric_id, status in target_statuses_as_of(as_of=as_of).values_list("parsed_target__metric_id", "status"):
        statuses.setdefault(metric_id, set()).add(status)
    good = {TargetStatus.Status.ACHIEVED, TargetStatus.Status.ON_TRACK}
    bad = {TargetStatus.Status.LIMITED, TargetStatus.Status.REGRESSING}
    staff = {u.agency_id: u for u in User.objects.filter(role=User.Role.AGENCY_STAFF, agency__isnull=False)}
    rows = []
    disagreements = 0
    for metric in plan.metrics.order_by("code").prefetch_related("reporters"):
        computed = statuses.get(metric.pk, set())
        if not computed or TargetStatus.Status.NO_DATA in computed:
            continue
        for agency in [a for a in metric.reporters.all() if a.kind == Agency.Kind.DEPARTMENT][:2]:
            if computed & bad:
                confidence = "unlikely" if rng.random() < 0.5 else "at_risk"
            elif computed <= good:
                confidence = "confident"
            else:
                confidence = rng.choice(["confident", "at_risk"])
            if disagreements < 6 and rng.random() < 0.3 and (computed & bad or computed <= good):
                # the agency sees it differently from the figures: what the standing office should follow up
                confidence = "confident" if computed & bad else "at_risk"
                disagreements += 1
            rows.append(
                AgencyAssessment(
                    agency=agency,
                    metric=metric,
                    period=quarter,
                    confidence=confidence,
                    narrative=_CONFIDENCE_NOTES[confidence],
                    entered_by=staff.get(agency.pk),
                )
            )
    bulk_create_with_history(rows, AgencyAssessment, batch_size=500)
    reviewer = User.objects.filter(role=User.Role.REVIEWER).first()
    last_quarter = Period.objects.filter(kind="quarter", ends_on__lt=quarter.starts_on).order_by("-ends_on").first()
    notes = [
        (TargetStatus.Status.ON_TRACK, "Đã ban hành đầy đủ cơ chế, chính sách; các sở, ngành triển khai đồng bộ."),
        (TargetStatus.Status.ACCELERATE, "Đã có kế hoạch nhưng triển khai còn chậm ở một số xã, phường."),
    ]
    cells = (
        Target.objects.in_force(as_of)
        .filter(indicator__plan=plan, qualitative=True)
        .order_by("indicator__group__order", "indicator__number", "year")[:2]
    )
    qualitative = [
        QualitativeAssessment(target=cell, period=last_quarter or quarter, status=status, narrative=text)
        for cell, (status, text) in zip(cells, notes, strict=False)
    ]
    for row in qualitative:
        row.assessed_by = reviewer
    bulk_create_with_history(qualitative, QualitativeAssessment)
    return len(rows)


# Inspections and their recommendations: the loop section IV of the plan sets, a few months into each year.

#: (agency code, text, related task, days after the conclusion it is due) of each yearly inter-agency inspection;
#: ``None``: the demo's ward
_RECOMMENDATIONS = [
    (
        "so-khcn",
        "Rà soát, cập nhật đầy đủ cơ sở dữ liệu doanh nghiệp khoa học và công nghệ, báo cáo Ban Chỉ đạo.",
        7,
        30,
    ),
    (
        "cong-an",
        "Đẩy nhanh việc cấp và kích hoạt tài khoản định danh điện tử cho người dân tại các xã, phường.",
        24,
        45,
    ),
    (
        "vp-ubnd",
        "Hoàn thành tích hợp dữ liệu của các sở, ngành với nền tảng chia sẻ, tích hợp dữ liệu (LGSP) của tỉnh.",
        21,
        70,
    ),
    (None, "Bố trí cán bộ chuyên trách chuyển đổi số; hoàn thiện hạ tầng một cửa điện tử cấp xã.", 4, 150),
    ("so-khcn", "Xây dựng kế hoạch hỗ trợ doanh nghiệp khởi nghiệp sáng tạo giai đoạn tiếp theo.", 32, 200),
]
#: what the latest year's recommendations show, in the order above: every state of the loop
_LATEST = ("on_time", "late", "progress", "submitted", "returned")
#: a placeholder file that passes the evidence check (a PDF's first bytes)
_EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _saved(obj, *, user, reason: str, on: date) -> None:
    """Save a demo row as one version of its history, dated the day it happened."""
    obj._history_date = timezone.make_aware(datetime.combine(on, time(9, 0)))
    save_version(obj, user=user, reason=reason)


def _report(recommendation, *, progress: str, on: date, status: str, user, reviewer, reviewed_on=None, **extra):
    update = RecommendationUpdate(
        recommendation=recommendation,
        agency_id=recommendation.agency_id,
        progress=progress,
        status=status,
        entered_by=user,
        submitted_at=timezone.make_aware(datetime.combine(on, time(9, 0))) if status != "draft" else None,
        **extra,
    )
    if reviewed_on is not None:
        update.reviewed_by = reviewer
        update.reviewed_at = timezone.make_aware(datetime.combine(reviewed_on, time(15, 0)))
    if progress == TaskUpdate.Progress.DONE:
        update.evidence.save(f"bien-ban-{recommendation.pk}.pdf", ContentFile(_EVIDENCE), save=False)
    _saved(update, user=user, reason="Gửi duyệt", on=on)
    return update


@transaction.atomic
def demo_inspections_create(*, plan: Plan, as_of: date, seed: int = 65) -> int:
    """One inter-agency inspection of the Steering Committee each July since the plan began, concluding with five
    recommendations — the earlier years' done (one late), the latest year's in every state of the loop: done on
    time, done late, overdue with a report of progress, a report waiting for review, a report returned — and an
    inspection of the Party's Inspection Committee just concluded. Safe to run again (nothing if any exists).
    Returns the number of recommendations."""
    if Inspection.objects.filter(plan=plan).exists():
        return 0
    rng = random.Random(seed)
    agencies = {a.code: a for a in Agency.objects.all()}
    ward = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("official_code").first()
    reviewer = User.objects.filter(role=User.Role.REVIEWER).first()
    staff = {u.agency_id: u for u in User.objects.filter(role=User.Role.AGENCY_STAFF, agency__isnull=False)}
    tasks = {t.number: t for t in Task.objects.filter(plan=plan)}
    indicators = list(plan.indicators.order_by("group__order", "number")[:3])
    years = [y for y in range(plan.issued_on.year, as_of.year + 1) if date(y, 7, 20) + timedelta(days=60) <= as_of]
    count = 0
    for index, year in enumerate(years):
        latest = index == len(years) - 1
        starts = date(year, 7, 20)
        concluded = starts + timedelta(days=25)
        inspection = Inspection(
            plan=plan,
            title=f"Kiểm tra liên ngành việc thực hiện Kế hoạch 65-KH/TU năm {year}",
            kind=Inspection.Kind.INTERSECTORAL,
            team="Đoàn kiểm tra liên ngành số 1 của Ban Chỉ đạo tỉnh",
            lead_body=agencies["vp-tu"],
            starts_on=starts,
            ends_on=starts + timedelta(days=10),
            decision_number=f"{105 + index}-QĐ/BCĐ",
            decision_date=starts - timedelta(days=10),
            conclusion_number=f"{21 + index}-KL/BCĐ",
            conclusion_date=concluded,
            conclusion=(
                "Các cơ quan, địa phương được kiểm tra đã ban hành kế hoạch, phân công nhiệm vụ cụ thể; "
                "một số chỉ tiêu về dữ liệu, dịch vụ công trực tuyến và nhân lực số còn chậm so với lộ trình."
            ),
            created_by=reviewer,
        )
        _saved(inspection, user=reviewer, reason="Ghi nhận đợt kiểm tra", on=concluded)
        inspection.agencies.set(
            [agencies["so-khcn"], agencies["cong-an"], agencies["vp-ubnd"], *[w for w in [ward] if w]]
        )
        inspection.tasks.set([tasks[n] for n in (4, 7, 21, 24, 32) if n in tasks])
        inspection.indicators.set(indicators)
        for number, (code, text, task, days) in enumerate(_RECOMMENDATIONS, start=1):
            agency = agencies[code] if code else ward
            if agency is None:
                continue
            due = concluded + timedelta(days=days)
            recommendation = Recommendation(
                inspection=inspection, number=number, text=text, agency=agency, due_on=due, task=tasks.get(task)
            )
            _saved(recommendation, user=reviewer, reason="Thêm kiến nghị", on=concluded)
            count += 1
            state = _LATEST[number - 1] if latest else ("late" if number == 2 else "on_time")
            user = staff.get(agency.pk) or reviewer
            finished = (
                due - timedelta(days=rng.randint(4, 20))
                if state == "on_time"
                else due + timedelta(days=rng.randint(6, 25))
            )
            if state in ("on_time", "late") and finished + timedelta(days=4) <= as_of:
                accepted = finished + timedelta(days=rng.randint(2, 4))
                _report(
                    recommendation,
                    progress=TaskUpdate.Progress.DONE,
                    on=finished + timedelta(days=1),
                    status="approved",
                    user=user,
                    reviewer=reviewer,
                    reviewed_on=accepted,
                    completed_on=finished,
                    work_done="Đã hoàn thành nội dung kiến nghị; kèm văn bản báo cáo kết quả.",
                    document_number=f"{rng.randint(100, 900)}/BC-{agency.code.upper()[:6]}",
                    document_date=finished,
                )
                recommendation.completed_on, recommendation.accepted_on = finished, accepted
                _saved(recommendation, user=reviewer, reason="Chấp nhận kết quả thực hiện", on=accepted)
            elif state in ("progress", "on_time", "late"):
                reported = min(concluded + timedelta(days=20), as_of)
                _report(
                    recommendation,
                    progress=TaskUpdate.Progress.IN_PROGRESS,
                    on=reported,
                    status="approved",
                    user=user,
                    reviewer=reviewer,
                    reviewed_on=reported,
                    work_done="Đã xây dựng kế hoạch thực hiện, đang triển khai; dự kiến hoàn thành chậm so với hạn.",
                )
            elif state == "submitted":
                _report(
                    recommendation,
                    progress=TaskUpdate.Progress.DONE,
                    on=as_of - timedelta(days=2),
                    status="submitted",
                    user=user,
                    reviewer=reviewer,
                    completed_on=as_of - timedelta(days=3),
                    work_done="Đã bố trí 01 công chức chuyên trách chuyển đổi số; đã trang bị lại bộ phận một cửa.",
                )
            elif state == "returned":
                _report(
                    recommendation,
                    progress=TaskUpdate.Progress.IN_PROGRESS,
                    on=as_of - timedelta(days=6),
                    status="returned",
                    user=user,
                    reviewer=reviewer,
                    reviewed_on=as_of - timedelta(days=4),
                    review_note="Chưa kèm dự thảo kế hoạch; đề nghị bổ sung văn bản và lộ trình cụ thể.",
                    work_done="Đang xây dựng dự thảo kế hoạch.",
                )
    concluded = as_of - timedelta(days=20)
    if concluded - timedelta(days=25) >= plan.issued_on:
        inspection = Inspection(
            plan=plan,
            title="Kiểm tra việc lãnh đạo, chỉ đạo thực hiện Nghị quyết 57-NQ/TW tại một số cơ quan",
            kind=Inspection.Kind.PERIODIC,
            team="Đoàn kiểm tra của Ủy ban Kiểm tra Tỉnh ủy",
            lead_body=agencies["ubkt-tu"],
            starts_on=concluded - timedelta(days=25),
            ends_on=concluded - timedelta(days=18),
            decision_number="35-QĐ/UBKTTU",
            decision_date=concluded - timedelta(days=32),
            conclusion_number="12-KL/UBKTTU",
            conclusion_date=concluded,
            conclusion="Cơ bản thực hiện nghiêm; chậm ban hành quy chế phối hợp, bố trí kinh phí cho chuyển đổi số.",
            created_by=reviewer,
        )
        _saved(inspection, user=reviewer, reason="Ghi nhận đợt kiểm tra", on=concluded)
        inspection.agencies.set([agencies["so-noi-vu"], agencies["so-tai-chinh"]])
        for number, (code, text, days) in enumerate(
            [
                ("so-noi-vu", "Ban hành quy chế phối hợp về phát triển nguồn nhân lực số trong cơ quan nhà nước.", 60),
                (
                    "so-tai-chinh",
                    "Tham mưu bố trí đủ kinh phí chi cho khoa học, công nghệ và chuyển đổi số năm tới.",
                    90,
                ),
            ],
            start=1,
        ):
            recommendation = Recommendation(
                inspection=inspection,
                number=number,
                text=text,
                agency=agencies[code],
                due_on=concluded + timedelta(days=days),
            )
            _saved(recommendation, user=reviewer, reason="Thêm kiến nghị", on=concluded)
            count += 1
    return count
