"""Demo data: users for every role and plausible figures from 2025 to a given date, so a first run has
something to show; and, with ``scale``, large data sets for benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, User
from tasks.models import Task, TaskAssignment, TaskUpdate

from .models import Metric, Observation, ParsedTarget, Period, Plan, SubmissionStatus
from .periods import periods_between
from .services import period_get_or_create

DEMO_PASSWORD = "Demo@65KHTU"  # noqa: S105 - printed for demo accounts only, documented in README
DEMO_START = date(2025, 1, 1)


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
        self.pace = rng.uniform(0.55, 1.15)  # some metrics run ahead of the required path, some behind
        if metric.kind == Metric.Kind.FLOW:
            self.start, self.goal = goal * rng.uniform(0.3, 0.7), goal
        elif metric.kind == Metric.Kind.INDEX:
            self.start, self.goal = min(goal, 1.0) * rng.uniform(0.7, 0.85), min(goal, 1.0)
        elif metric.kind in (Metric.Kind.RATIO, Metric.Kind.GRDP_SHARE):
            self.start, self.goal = goal * rng.uniform(0.35, 0.75), goal
        else:
            self.start, self.goal = goal * rng.uniform(0.3, 0.6), goal
        self.years = max(year - DEMO_START.year, 1)

    def level(self, day: date) -> float:
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
        denominator = path.rng.randint(40, 400)
        numerator = round(denominator * percent / 100)
        return Observation(
            metric=metric,
            agency=agency,
            period=period,
            numerator=numerator,
            denominator=denominator,
            value=_quantize(100 * numerator / denominator),
            **extra,
        )
    return Observation(metric=metric, agency=agency, period=period, value=_quantize(percent), **extra)


_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}


def _periods(kind: str, until: date) -> list[Period]:
    return [
        period_get_or_create(kind=b.kind, year=b.year, number=b.number)
        for b in periods_between(kind, DEMO_START, until)
    ]


@transaction.atomic
def demo_figures_create(*, plan: Plan, as_of: date, seed: int = 65, localities_per_metric: int = 12) -> int:
    """Figures for every metric from 2025 to ``as_of``: approved, except the latest period's, which are in
    every state of the workflow (and a few missing) so that the review queue and the gaps show."""
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
        periods = _periods(metric.period_kind, as_of)
        for index, period in enumerate(periods):
            latest = index == len(periods) - 1 and len(periods) > 1  # keep a lone yearly figure approved
            for agency in reporters:
                state = SubmissionStatus.APPROVED
                if latest:
                    state = rng.choice(
                        [SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED, SubmissionStatus.DRAFT, None]
                    )
                    if state is None:
                        continue
                rows.append(
                    _observation(
                        metric,
                        path,
                        agency,
                        period,
                        _PERIODS_PER_YEAR[metric.frequency],
                        status=state,
                        submitted_at=_submitted_at(period, timing, now) if state != SubmissionStatus.DRAFT else None,
                        reviewed_at=now if state == SubmissionStatus.APPROVED else None,
                        reviewed_by=reviewer if state == SubmissionStatus.APPROVED else None,
                    )
                )
    # bulk_create_with_history records every figure's first version, as any other write path must
    bulk_create_with_history(rows, Observation, batch_size=2000)
    return len(rows)


@transaction.atomic
def demo_task_updates_create(*, plan: Plan, as_of: date, seed: int = 65) -> int:
    """Quarterly progress reports by each task's lead agencies (a sample of them for collective leads)."""
    rng = random.Random(seed)
    timing = random.Random(seed + 1)
    now = timezone.now()
    reviewer = User.objects.filter(role=User.Role.REVIEWER).first()
    quarters = _periods("quarter", as_of)
    rows = []
    for task in Task.objects.filter(plan=plan).order_by("number"):
        leads = [a.agency for a in task.assignments.filter(role=TaskAssignment.Role.LEAD).select_related("agency")]
        leads = sorted(leads, key=lambda a: (a.kind != Agency.Kind.DEPARTMENT, a.name))[:4]
        behind = task.number % 7 == 0  # a few tasks lag, so that overdue work shows
        for agency in leads:
            percent = 0
            for quarter in quarters:
                percent = min(100, percent + (0 if behind else rng.choice([10, 15, 25, 35])))
                done = percent >= 100 and task.schedule_kind == Task.ScheduleKind.ONE_OFF
                progress = (
                    TaskUpdate.Progress.DONE
                    if done
                    else TaskUpdate.Progress.IN_PROGRESS
                    if percent
                    else TaskUpdate.Progress.NOT_STARTED
                )
                rows.append(
                    TaskUpdate(
                        task=task,
                        agency=agency,
                        period=quarter,
                        progress=progress,
                        percent_complete=percent
                        if task.schedule_kind == Task.ScheduleKind.ONE_OFF
                        else min(percent, 95),
                        work_done=f"Đã triển khai các nội dung của nhiệm vụ trong {quarter.label.lower()}.",
                        difficulties=rng.choice(
                            ["", "Thiếu nhân lực chuyên trách về công nghệ thông tin.", "Kinh phí được giao chậm."]
                        ),
                        proposals=rng.choice(
                            ["", "Đề nghị bổ sung kinh phí năm sau.", "Đề nghị tập huấn thêm cho cán bộ cấp xã."]
                        ),
                        completed_on=quarter.ends_on if done else None,
                        status=SubmissionStatus.APPROVED,
                        submitted_at=_submitted_at(quarter, timing, now),
                        reviewed_by=reviewer,
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
    return total
