"""The progress engine against the database: aggregation, snapshots, jobs, commands, reminders."""

import io
import json
import time as clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency, User
from core.snapshots import bump_after_commit
from indicators import jobs
from indicators.models import Metric, Observation, ParsedTarget, ProvinceValue, ReportTimeliness, TargetStatus
from indicators.selectors import province_series
from indicators.services import period_get_or_create, target_statuses_recompute
from tasks.models import Reminder, Task, TaskOccurrence
from tasks.services import (
    reminders_send,
    report_timeliness_recompute,
    steering_digest_send,
    task_occurrences_recompute,
)

AS_OF = date(2026, 11, 26)


def _approved(metric, agency, period, **values) -> Observation:
    return Observation.objects.create(metric=metric, agency=agency, period=period, status="approved", **values)


@pytest.fixture
def dti(plan) -> Metric:
    """The DTI (V.1: ≥ 0,75 by 2030) at 0,60 for 2026 and 0,68 for 2028."""
    metric = Metric.objects.get(plan=plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    _approved(metric, agency, period_get_or_create(kind="year", year=2026, number=1), value=Decimal("0.60"))
    _approved(metric, agency, period_get_or_create(kind="year", year=2028, number=1), value=Decimal("0.68"))
    return metric


def test_recompute_writes_one_row_per_parsed_target_and_twice_gives_the_same_rows(plan, dti):
    day = date(2029, 1, 1)
    written = target_statuses_recompute(as_of=day)
    assert written == ParsedTarget.objects.count()
    fields = ["parsed_target_id", "status", "method", "ratio", "baseline_value", "latest_value", "explanation"]
    first = list(TargetStatus.objects.filter(as_of=day).order_by("parsed_target_id").values_list(*fields))
    ids = set(TargetStatus.objects.values_list("pk", flat=True))
    target_statuses_recompute(as_of=day)
    again = list(TargetStatus.objects.filter(as_of=day).order_by("parsed_target_id").values_list(*fields))
    assert again == first
    assert set(TargetStatus.objects.values_list("pk", flat=True)) == ids
    row = TargetStatus.objects.get(parsed_target__metric=dti, parsed_target__target__year=2030, as_of=day)
    # growth: (0,68/0,60)^(1/2,0014) − 1 = 6,45 % a year against (0,75/0,60)^(1/4,0465) − 1 = 5,67 % → 1,137
    assert row.status == TargetStatus.Status.ON_TRACK
    assert row.method == "growth"
    assert float(row.ratio) == pytest.approx(1.137, abs=2e-3)
    assert (row.baseline_value, row.latest_value) == (Decimal("0.6"), Decimal("0.68"))
    assert row.explanation["next_unmet_milestone"] == 2030
    assert row.explanation["summary"].startswith("Giá trị gốc 0,6 (Năm 2026), mới nhất 0,68 (Năm 2028).")
    assert row.explanation["summary"].endswith("→ tỷ số 1,14 ≥ 0,95: đúng lộ trình.")
    assert ["Tỷ số tiến độ", "1,14"] in row.explanation["items"]


def test_only_approved_figures_count_and_per_agency_ratios_are_ratios_of_sums(plan):
    metric = Metric.objects.get(plan=plan, code="commune_officials_digital_trained")
    period = period_get_or_create(kind="quarter", year=2026, number=3)
    first, second, third = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("pk")[:3]
    _approved(metric, first, period, numerator=30, denominator=100, value=30)
    _approved(metric, second, period, numerator=10, denominator=20, value=50)
    Observation.objects.create(
        metric=metric, agency=third, period=period, numerator=20, denominator=20, value=100, status="submitted"
    )
    series = province_series(as_of=AS_OF, metric_ids=[metric.pk])
    [point] = series[metric.pk]
    assert point.on == period.ends_on
    assert point.value == pytest.approx(100 * 40 / 120)  # not the mean of 30 % and 50 %


def test_stocks_are_summed_over_agencies(plan):
    metric = Metric.objects.get(plan=plan, code="st_enterprises")
    # a stock reported by several agencies (not a province figure with one designated source)
    Metric.objects.filter(pk=metric.pk).update(reporting_agency=None, collection=Metric.Collection.PER_AGENCY)
    period = period_get_or_create(kind="quarter", year=2026, number=2)
    for agency, value in zip(Agency.objects.order_by("pk")[:2], (7, 5), strict=True):
        _approved(metric, agency, period, value=value)
    assert province_series(as_of=AS_OF, metric_ids=[metric.pk])[metric.pk][0].value == 12


def test_recompute_metric_job_touches_only_that_metric_once_the_day_has_a_complete_set(plan, dti):
    # the first recompute of a day computes every target: a snapshot set is always complete (issue 11)
    first = jobs.recompute_metric.apply(args=[dti.pk], kwargs={"as_of": "2029-01-01"})
    assert first.get() == ParsedTarget.objects.count()
    before = dict(TargetStatus.objects.exclude(parsed_target__metric=dti).values_list("pk", "computed_at"))
    result = jobs.recompute_metric.apply(args=[dti.pk], kwargs={"as_of": "2029-01-01"})
    assert result.get() == ParsedTarget.objects.filter(metric=dti).count()
    assert dict(TargetStatus.objects.exclude(parsed_target__metric=dti).values_list("pk", "computed_at")) == before


def _province_values(metric=None) -> list[tuple]:
    rows = ProvinceValue.objects.order_by("metric_id", "period__ends_on")
    if metric is not None:
        rows = rows.filter(metric=metric)
    return list(rows.values_list("pk", "metric_id", "period_id", "value", "numerator", "denominator", "reporters"))


def test_recompute_stores_the_province_values_it_judged_and_twice_gives_the_same_rows(plan, dti):
    ratio = Metric.objects.get(plan=plan, code="commune_officials_digital_trained")
    period = period_get_or_create(kind="quarter", year=2026, number=3)
    first, second = Agency.objects.filter(kind=Agency.Kind.LOCALITY).order_by("pk")[:2]
    _approved(ratio, first, period, numerator=30, denominator=100, value=30)
    _approved(ratio, second, period, numerator=10, denominator=20, value=50)
    day = date(2029, 1, 1)
    target_statuses_recompute(as_of=day)
    rows = _province_values()
    assert [(r[1], r[3]) for r in rows if r[1] == dti.pk] == [(dti.pk, Decimal("0.6")), (dti.pk, Decimal("0.68"))]
    [(_pk, _m, period_id, value, numerator, denominator, reporters)] = [r for r in rows if r[1] == ratio.pk]
    assert period_id == period.pk and reporters == 2
    assert (numerator, denominator) == (Decimal(40), Decimal(120))
    assert float(value) == pytest.approx(100 * 40 / 120, abs=1e-6)
    # the stored series is the one the engine judged
    status = TargetStatus.objects.get(parsed_target__metric=dti, parsed_target__target__year=2030, as_of=day)
    assert status.latest_value == ProvinceValue.objects.filter(metric=dti).order_by("period__ends_on").last().value
    target_statuses_recompute(as_of=day)
    assert _province_values() == rows  # same rows, same ids


def test_single_metric_recompute_updates_only_that_metric_and_drops_withdrawn_periods(plan, dti):
    other = Metric.objects.get(plan=plan, code="st_enterprises")
    agency = Agency.objects.get(code="so-khcn")
    _approved(other, agency, period_get_or_create(kind="quarter", year=2026, number=2), value=7)
    target_statuses_recompute(as_of=date(2029, 1, 1))  # that day's complete set
    other_rows = list(ProvinceValue.objects.filter(metric=other).values_list("pk", "value", "computed_at"))
    assert len(other_rows) == 1

    later = Observation.objects.get(metric=dti, period__year=2026)
    Observation.objects.filter(metric=dti, period__year=2026).update(value=Decimal("0.62"))
    _approved(other, agency, period_get_or_create(kind="quarter", year=2026, number=3), value=9)  # not recomputed
    Observation.objects.filter(metric=dti, period__year=2028).delete()  # e.g. an import undone
    target_statuses_recompute(as_of=date(2029, 1, 1), metric_ids=[dti.pk])

    assert [(r[2], r[3]) for r in _province_values(dti)] == [(later.period_id, Decimal("0.62"))]
    assert list(ProvinceValue.objects.filter(metric=other).values_list("pk", "value", "computed_at")) == other_rows


def _until(attempt, seconds: float = 60):
    """Retry while another test process (xdist, same Redis) holds the shared recompute lock for a moment."""
    deadline = clock.monotonic() + seconds
    while not (result := attempt()):
        assert clock.monotonic() < deadline, "the recompute lock stayed taken"
        clock.sleep(0.2)
    return result


def test_jobs_do_not_overlap(plan, dti):
    _until(lambda: cache.add(f"job-lock:{jobs.LOCK}", "someone-else", 60))
    try:
        assert jobs.recompute_all.apply(kwargs={"as_of": "2029-01-01"}).get() is None
        assert not TargetStatus.objects.exists()
    finally:
        cache.delete(f"job-lock:{jobs.LOCK}")
    written = _until(lambda: jobs.recompute_all.apply(kwargs={"as_of": "2029-01-01"}).get())
    assert written == ParsedTarget.objects.count()


def test_explain_target_command(plan, dti):
    out = io.StringIO()
    call_command("explain_target", "V.1", "2030", "--as-of", "2029-01-01", "--json", stdout=out)
    [claim] = json.loads(out.getvalue())
    assert claim["metric"] == "dti_index"
    assert claim["status"] == "on_track"
    assert claim["baseline"] == {"date": "2026-12-14", "value": 0.6}
    assert claim["latest"] == {
        "date": "2028-12-14",
        "value": 0.68,
        "period": "Năm 2028",
        "provisional": False,
        "coverage": {"reporters": 1, "expected": 1, "low": False},
    }
    assert claim["freshness"] == "current"
    assert claim["explanation"]["target"]["value"] == 0.75
    text = io.StringIO()
    call_command("explain_target", "V.1", "2030", "--as-of", "2029-01-01", stdout=text)
    assert "Đúng lộ trình" in text.getvalue()
    assert "0,68 (Năm 2028)" in text.getvalue()


def test_one_off_tasks_with_no_progress_are_overdue_once_their_deadline_passed(plan):
    task_occurrences_recompute(as_of=AS_OF)
    one_off = TaskOccurrence.objects.filter(task__terms_versions__schedule_kind=Task.ScheduleKind.ONE_OFF)
    assert one_off.exists()
    for occurrence in one_off:
        expected = "overdue" if occurrence.due_on < AS_OF else "not_due"
        assert occurrence.status == expected, occurrence
    task_7 = one_off.get(task__number=7)  # "Tháng 5/2026", Sở KH&CN
    assert (task_7.due_on, task_7.days_late) == (date(2026, 5, 31), 179)
    assert one_off.get(task__number=30, agency__code="so-tai-chinh").status == "not_due"  # "Tháng 6/2028"
    waiting = TaskOccurrence.objects.filter(task__terms_versions__schedule_kind=Task.ScheduleKind.CONDITIONAL)
    assert set(waiting.values_list("status", flat=True)) == {"awaiting_trigger"}


def test_occurrence_and_timeliness_snapshots_are_idempotent(plan):
    fields = ["task_id", "agency_id", "due_on", "status", "days_late", "period_id"]
    task_occurrences_recompute(as_of=AS_OF)
    first = sorted(TaskOccurrence.objects.values_list(*fields))
    report_timeliness_recompute(as_of=AS_OF)
    reports = sorted(ReportTimeliness.objects.values_list("agency_id", "period_id", "status", "days_late"))
    task_occurrences_recompute(as_of=AS_OF)
    report_timeliness_recompute(as_of=AS_OF)
    assert sorted(TaskOccurrence.objects.values_list(*fields)) == first
    assert sorted(ReportTimeliness.objects.values_list("agency_id", "period_id", "status", "days_late")) == reports


def test_report_timeliness_on_time_late_missing(plan):
    agency = Agency.objects.get(code="so-khcn")
    q2, q3 = (period_get_or_create(kind="quarter", year=2026, number=n) for n in (2, 3))
    on_time = timezone.make_aware(datetime.combine(q2.due_on, time(16, 0)))
    late = timezone.make_aware(datetime.combine(q3.due_on + timedelta(days=3), time(9, 0)))
    # every quarterly figure Sở KH&CN owes: all of them on time for Q II, all of them late for Q III
    for metric in Metric.objects.filter(plan=plan, frequency="quarterly", reporters=agency):
        _approved(metric, agency, q2, value=3, submitted_at=on_time)
        _approved(metric, agency, q3, value=4, submitted_at=late)
    report_timeliness_recompute(as_of=AS_OF)
    rows = ReportTimeliness.objects.filter(agency=agency, period__kind="quarter")
    assert rows.get(period=q2).status == "on_time"
    assert (rows.get(period=q3).status, rows.get(period=q3).days_late) == ("late", 3)
    other = ReportTimeliness.objects.get(agency__code="cong-an", period=q3)
    assert other.status == "missing"
    assert other.days_late == (AS_OF - q3.due_on).days


def test_overdue_command_lists_late_tasks_and_missing_reports(plan):
    out = io.StringIO()
    call_command("overdue", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert {"task": 7, "agency": "Sở Khoa học và Công nghệ", "due_on": "2026-05-31", "days_late": 179} in payload[
        "overdue_tasks"
    ]
    assert all(item["days_late"] > 0 for item in payload["overdue_tasks"])
    assert payload["missing_reports"]
    assert not TaskOccurrence.objects.exists()  # the command reads, it does not write
    text = io.StringIO()
    call_command("overdue", "--as-of", "2026-05-01", stdout=text)
    assert "NV  7" not in text.getvalue()  # not yet due on 1/5/2026


def test_reminders_are_never_sent_twice(plan, agency_staff, mailoutbox):
    task_occurrences_recompute(as_of=AS_OF)
    report_timeliness_recompute(as_of=AS_OF)
    assert reminders_send(as_of=AS_OF) >= 1
    mine = [m for m in mailoutbox if m.to == [agency_staff.email]]
    assert len(mine) == 1
    assert "Nhiệm vụ 7 đã quá hạn" in mine[0].body
    recorded = Reminder.objects.filter(user=agency_staff).count()
    assert recorded >= 1
    sent = len(mailoutbox)
    assert reminders_send(as_of=AS_OF) == 0
    assert len(mailoutbox) == sent
    assert Reminder.objects.filter(user=agency_staff).count() == recorded


def test_reminder_before_a_due_date(plan, agency_staff, mailoutbox, settings):
    settings.REMINDER_DAYS_BEFORE = 10
    day = date(2026, 5, 25)  # task 7 (Sở KH&CN) is due on 31/5/2026
    task_occurrences_recompute(as_of=day)
    reminders_send(as_of=day)
    [mail] = [m for m in mailoutbox if m.to == [agency_staff.email]]
    assert "Nhiệm vụ 7 đến hạn ngày 31/05/2026" in mail.body
    assert Reminder.objects.filter(user=agency_staff, kind="due_soon").exists()


def test_weekly_digest_once_a_week(plan, steering, mailoutbox):
    target_statuses_recompute(as_of=AS_OF)
    task_occurrences_recompute(as_of=AS_OF)
    assert steering_digest_send(as_of=AS_OF) == 1
    assert "Nhiệm vụ quá hạn" in mailoutbox[0].body
    assert steering_digest_send(as_of=date(2026, 11, 27)) == 0  # same ISO week
    assert steering_digest_send(as_of=date(2026, 12, 1)) == 1  # next week
    assert User.objects.get(pk=steering.pk).reminders.count() == 2


def test_recompute_command(plan, dti):
    out = io.StringIO()
    call_command("recompute", "--as-of", "2029-01-01", stdout=out)
    assert "01/01/2029" in out.getvalue()
    assert TargetStatus.objects.filter(as_of=date(2029, 1, 1)).count() == ParsedTarget.objects.count()
    assert TaskOccurrence.objects.exists()


def test_agency_confidence_that_disagrees_with_the_computed_status_is_found(plan, dti):
    from indicators.models import AgencyAssessment
    from indicators.selectors import assessment_disagreements

    day = date(2029, 1, 1)
    target_statuses_recompute(as_of=day)  # DTI: on track for 2030
    quarter = period_get_or_create(kind="quarter", year=2028, number=4)
    confident, doubtful = Agency.objects.order_by("pk")[:2]
    AgencyAssessment.objects.create(agency=confident, metric=dti, period=quarter, confidence="confident")
    pessimist = AgencyAssessment.objects.create(agency=doubtful, metric=dti, period=quarter, confidence="unlikely")
    [found] = assessment_disagreements(period=quarter, as_of=day)
    assert found["assessment"] == pessimist
    assert found["computed"] == ["on_track"]
    TargetStatus.objects.filter(parsed_target__metric=dti).update(status="regressing")
    [found] = assessment_disagreements(period=quarter, as_of=day)
    assert found["assessment"].agency == confident


def test_an_approval_recomputes_its_metric_once_committed(plan, dti, reviewer, django_capture_on_commit_callbacks):
    from indicators.services import observation_approve, observations_approve

    agency = Agency.objects.get(code="so-khcn")
    submitted = Observation.objects.create(
        metric=dti,
        agency=agency,
        period=period_get_or_create(kind="year", year=2027, number=1),
        status="submitted",
        value=Decimal("0.64"),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert observation_approve(observation=submitted, user=reviewer)
    assert not TargetStatus.objects.exists()  # nothing before the commit
    callbacks = [c for c in callbacks if c is not bump_after_commit]  # the dashboards' cache: not a job
    assert len(callbacks) == 1
    callbacks[0]()
    statuses = TargetStatus.objects.filter(parsed_target__metric=dti)
    assert statuses.count() == ParsedTarget.objects.filter(metric=dti).count()
    # the day had no snapshot yet: every target got one, not only the approved metric's (issue 11)
    assert TargetStatus.objects.count() == ParsedTarget.objects.count()

    # a bulk approval of several figures of one metric recomputes it once
    others = [
        Observation.objects.create(
            metric=dti,
            agency=a,
            period=period_get_or_create(kind="year", year=2027, number=1),
            status="submitted",
            value=Decimal("0.65"),
        )
        for a in Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).exclude(pk=agency.pk)[:3]
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert observations_approve(observations=others, user=reviewer) == 3
    assert len([c for c in callbacks if c is not bump_after_commit]) == 1


def test_nightly_job_locks_periods_past_their_deadline_and_grace(plan, settings):
    settings.PERIOD_LOCK_GRACE_DAYS = 5
    october = period_get_or_create(kind="month", year=2026, number=10)  # due 19/10/2026
    november = period_get_or_create(kind="month", year=2026, number=11)  # due 19/11/2026
    assert jobs.lock_past_due_periods.apply(kwargs={"as_of": "2026-11-23"}).get() >= 1
    october.refresh_from_db()
    november.refresh_from_db()
    assert october.is_locked and not november.is_locked  # 19/11 + 5 days is still ahead
    jobs.lock_past_due_periods.apply(kwargs={"as_of": "2026-11-25"})
    november.refresh_from_db()
    assert november.is_locked
