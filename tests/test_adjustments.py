"""Plan adjustments: a target raised from a date, a deadline extended, an agency added or removed, a target
retired, a revoked adjustment, stale drafts, and the effective dating of statuses, overdue work and work lists."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from adjustments import services
from adjustments import state as st
from adjustments.selectors import adjustments_between, plan_state
from agencies.models import Agency
from entry.selectors import agency_work
from indicators.models import Metric, Observation, ParsedTarget, PlanAdjustment, Target, TargetStatus
from indicators.services import period_get_or_create, target_statuses_recompute
from indicators.statuses import target_statuses_at, target_statuses_compute
from tasks.models import Task, TaskAssignment, TaskTerms
from tasks.selectors import task_occurrence_rows, task_rows

V1_OLD = "Chỉ số chuyển đổi số cấp tỉnh $\\geq 0,75$"
V1_NEW = "Chỉ số chuyển đổi số cấp tỉnh $\\geq 0,80$"


def adjust(plan, changes, *, effective: date, number: str = "125-QĐ/TU", signed: date | None = None, user=None):
    """An adjustment with these changes, approved."""
    adjustment = services.adjustment_create(
        plan=plan,
        decision_number=number,
        signed_on=signed or effective - timedelta(days=10),
        effective_on=effective,
        changes=[_with_old(plan, change, effective) for change in changes],
        user=user,
    )
    return services.adjustment_approve(adjustment=adjustment, user=user)


def _with_old(plan, change: st.ChangeSpec, day: date) -> st.ChangeSpec:
    old = st.state_value(plan_state(plan, day), change)
    return st.ChangeSpec(change.subject, change.code, change.field, old, change.new, year=change.year)


def v1_raised(plan, effective: date, **kwargs):
    cell = Target.objects.in_force(effective).get(indicator__code="V.1", year=2030)
    changes = services.page_changes(
        adjustment=PlanAdjustment(plan=plan, effective_on=effective),
        what="target_text",
        code="V.1",
        year=2030,
        text=V1_NEW,
    )
    assert cell.text == V1_OLD
    return adjust(plan, changes, effective=effective, **kwargs)


def _v1_status(rows):
    [row] = [r for r in rows if r.parsed_target.target.indicator.code == "V.1" and r.parsed_target.target.year == 2030]
    return row


@pytest.fixture
def dti(plan) -> Metric:
    """The DTI at 0,60 for 2026 and 0,68 for 2028 (the year 2028 closes on 14/12/2028)."""
    metric = Metric.objects.get(plan=plan, code="dti_index")
    agency = Agency.objects.get(code="so-khcn")
    for year, value in ((2026, "0.60"), (2028, "0.68")):
        period = period_get_or_create(kind="year", year=year, number=1)
        Observation.objects.create(metric=metric, agency=agency, period=period, status="approved", value=Decimal(value))
    return metric


def test_a_target_raised_from_a_date_is_judged_by_the_aim_in_force_on_each_day(plan, dti):
    before, effective = date(2028, 12, 19), date(2028, 12, 20)
    target_statuses_recompute(as_of=before)
    stored = _v1_status(target_statuses_at(as_of=before, plan=plan))
    assert (stored.status, stored.explanation["target"]["value"]) == (TargetStatus.Status.ON_TRACK, 0.75)

    v1_raised(plan, effective)

    # the day before the decision: the old aim, on track (the stored snapshot and a fresh computation agree)
    assert _v1_status(target_statuses_at(as_of=before, plan=plan)).status == TargetStatus.Status.ON_TRACK
    again = _v1_status(target_statuses_compute(as_of=before, plan=plan))
    assert (again.status, again.explanation["target"]["value"]) == (TargetStatus.Status.ON_TRACK, 0.75)
    # from the decision: ≥ 0,80 needs 7,4 % a year where 6,5 % was achieved → accelerate
    after = _v1_status(target_statuses_compute(as_of=effective, plan=plan))
    assert after.explanation["target"]["value"] == 0.8
    assert after.status == TargetStatus.Status.ACCELERATE
    assert after.parsed_target.target.valid_from == effective

    def explained(day: date) -> list[dict]:
        out = io.StringIO()
        call_command("explain_target", "V.1", "2030", "--as-of", day.isoformat(), "--json", stdout=out)
        return json.loads(out.getvalue())

    assert [row["explanation"]["target"]["value"] for row in explained(before)] == [0.75]
    assert [row["explanation"]["target"]["value"] for row in explained(effective)] == [0.8]


def test_the_old_cell_is_closed_the_day_before_and_nothing_is_changed_in_place(plan):
    old = Target.objects.get(indicator__code="V.1", year=2030)
    old_parsed = list(old.parsed_targets.values("metric_id", "operator", "value"))
    v1_raised(plan, date(2027, 1, 1))
    old.refresh_from_db()
    assert (old.text, old.valid_from, old.valid_to) == (V1_OLD, plan.issued_on, date(2026, 12, 31))
    assert list(old.parsed_targets.values("metric_id", "operator", "value")) == old_parsed
    new = Target.objects.in_force(date(2027, 1, 1)).get(indicator__code="V.1", year=2030)
    assert (new.text, new.valid_to, new.parsed_targets.get().value) == (V1_NEW, None, Decimal("0.8"))
    assert new.adjustment.decision_number == "125-QĐ/TU"


def _overdue(day: date) -> list[dict]:
    out = io.StringIO()
    call_command("overdue", "--as-of", day.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())["overdue_tasks"]


def test_a_deadline_extended_is_overdue_before_the_decision_and_not_after(plan):
    # task 7: "Tháng 5/2026", led by Sở KH&CN; extended to June 2027 from 1 January 2027
    assert [o for o in _overdue(date(2026, 12, 31)) if o["task"] == 7]
    adjust(plan, [st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 6/2027")], effective=date(2027, 1, 1))

    overdue_then = [o for o in _overdue(date(2026, 12, 31)) if o["task"] == 7]
    assert overdue_then and {o["due_on"] for o in overdue_then} == {"2026-05-31"}
    assert not [o for o in _overdue(date(2027, 1, 5)) if o["task"] == 7]
    assert {o["due_on"] for o in _overdue(date(2027, 7, 5)) if o["task"] == 7} == {"2027-06-30"}
    task = Task.objects.get(number=7)
    assert [(t.deadline_text, t.due_on) for t in task.terms_versions.order_by("valid_from")] == [
        ("Tháng 5/2026", date(2026, 5, 31)),
        ("Tháng 6/2027", date(2027, 6, 30)),
    ]


def test_a_recurring_schedule_changed_is_due_piecewise(plan):
    # task 1, "Hàng quý" (every quarter's end), becomes yearly ("Hàng năm") from 2027
    adjust(plan, [st.ChangeSpec(st.TASK, "1", "deadline", new="Hàng năm")], effective=date(2027, 1, 1))
    rows = [r for r in task_occurrence_rows(as_of=date(2028, 1, 10)) if r.task.number == 1]
    lead = rows[0].agency_id
    due = sorted(r.due_on for r in rows if r.agency_id == lead)
    assert due == [
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 12, 31),
        date(2028, 12, 31),
    ]


def test_an_agency_added_to_a_task_has_its_work_from_the_effective_date_only(plan):
    police = Agency.objects.get(code="cong-an")
    task = Task.objects.get(number=1)  # "Hàng quý"
    assert not TaskAssignment.objects.filter(task=task, agency=police).exists()
    effective = date(2027, 1, 1)
    leads = [*task.lead_names, "Công an tỉnh"]
    adjust(plan, [st.ChangeSpec(st.ASSIGNMENT, "1", "lead", new=leads)], effective=effective)

    mine = [
        r for r in task_occurrence_rows(as_of=date(2027, 7, 10)) if r.task_id == task.pk and r.agency_id == police.pk
    ]
    assert [r.due_on for r in mine] == [date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30)]
    others = [
        r for r in task_occurrence_rows(as_of=date(2027, 7, 10)) if r.task_id == task.pk and r.agency_id != police.pk
    ]
    assert min(r.due_on for r in others) == date(2026, 6, 30)

    # its work list: the quarter ending before the effective date owes no report on task 1, the next one does
    q4 = period_get_or_create(kind="quarter", year=2026, number=4)  # ends 14/12/2026
    q1 = period_get_or_create(kind="quarter", year=2027, number=1)  # 15/12/2026–14/03/2027
    assert 1 not in [row.assignment.task.number for row in task_rows(agency=police, period=q4)]
    assert 1 in [row.assignment.task.number for row in task_rows(agency=police, period=q1)]

    assert _task_reports_owed(police, q1) == _task_reports_owed(police, q4) + 1


def _task_reports_owed(agency, period) -> int:
    """How many task reports the agency's work list counts for the quarter (the line of that quarter)."""
    work = agency_work(agency=agency, as_of=period.ends_on + timedelta(days=5), start=period.starts_on)
    items = [*work.returned, *work.overdue, *work.due, *work.waiting]
    line = next((i for i in items if i.key == f"bao-cao-nv-{period.year}-{period.number}"), None)
    return sum(line.counts.values()) if line else 0


def test_an_agency_removed_from_a_task_keeps_what_fell_due_before(plan):
    task = Task.objects.get(number=1)
    [lead] = TaskAssignment.objects.filter(task=task, role="lead")
    effective = date(2027, 1, 1)
    adjust(plan, [st.ChangeSpec(st.ASSIGNMENT, "1", "lead", new=["Công an tỉnh"])], effective=effective)
    lead.refresh_from_db()
    assert lead.valid_to == date(2026, 12, 31)
    rows = [r for r in task_occurrence_rows(as_of=date(2027, 7, 10)) if r.task_id == task.pk]
    theirs = [r.due_on for r in rows if r.agency_id == lead.agency_id]
    assert theirs == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]


def test_a_retired_indicator_is_judged_before_its_retirement_and_not_after(plan, dti):
    effective = date(2027, 1, 1)
    adjust(plan, [st.ChangeSpec(st.INDICATOR, "V.1", st.RETIRED)], effective=effective)
    codes = {
        r.parsed_target.target.indicator.code for r in target_statuses_compute(as_of=date(2026, 12, 20), plan=plan)
    }
    assert "V.1" in codes
    codes = {r.parsed_target.target.indicator.code for r in target_statuses_compute(as_of=effective, plan=plan)}
    assert "V.1" not in codes
    assert "V.1" in plan_state(plan, date(2026, 12, 31)).indicators
    assert "V.1" not in plan_state(plan, effective).indicators
    assert not Target.objects.in_force(effective).filter(indicator__code="V.1").exists()


def test_a_measurable_target_retired_leaves_its_cell_qualitative(plan):
    effective = date(2027, 1, 1)
    adjust(plan, [st.ChangeSpec(st.PARSED_TARGET, "V.1", st.TARGETS, new=[], year=2030)], effective=effective)
    assert ParsedTarget.objects.in_force(date(2026, 12, 31)).filter(target__indicator__code="V.1", target__year=2030)
    assert not ParsedTarget.objects.in_force(effective).filter(target__indicator__code="V.1", target__year=2030)
    cell = Target.objects.in_force(effective).get(indicator__code="V.1", year=2030)
    assert cell.text == V1_OLD and cell.qualitative


def test_a_revoked_adjustment_keeps_its_past_and_the_old_target_returns(plan, reviewer):
    adjustment = v1_raised(plan, date(2027, 1, 1), user=reviewer)
    draft = services.adjustment_revoke(
        adjustment=adjustment,
        user=reviewer,
        decision_number="140-QĐ/TU",
        signed_on=date(2027, 6, 20),
        effective_on=date(2027, 7, 1),
    )
    assert draft.revokes == adjustment and draft.status == PlanAdjustment.Status.DRAFT
    assert [(c.subject, c.new) for c in draft.changes.order_by("order")] == [
        ("target", V1_OLD),
        (
            "parsed_target",
            [{"metric": "dti_index", "fragment": "", "operator": ">=", "value": "0.75", "value_max": None}],
        ),
    ]
    services.adjustment_approve(adjustment=draft, user=reviewer)

    def v1_text(day: date) -> str:
        return Target.objects.in_force(day).get(indicator__code="V.1", year=2030).text

    assert [v1_text(date(2026, 12, 31)), v1_text(date(2027, 6, 30)), v1_text(date(2027, 7, 1))] == [
        V1_OLD,
        V1_NEW,
        V1_OLD,
    ]
    assert adjustment.revocations.get() == draft
    with pytest.raises(services.AdjustmentRefused, match="đã bị bãi bỏ"):
        services.adjustment_revoke(
            adjustment=adjustment,
            user=reviewer,
            decision_number="141",
            signed_on=date(2027, 8, 1),
            effective_on=date(2027, 8, 1),
        )
    # an approved adjustment is never edited or deleted: it is revoked
    with pytest.raises(services.AdjustmentRefused):
        services.adjustment_delete(adjustment=adjustment, user=reviewer)


def test_a_draft_made_stale_by_another_approval_is_refused_and_writes_nothing(plan, reviewer):
    effective = date(2027, 1, 1)
    first, second = (
        services.adjustment_create(
            plan=plan,
            decision_number=number,
            signed_on=date(2026, 12, 20),
            effective_on=effective,
            changes=[_with_old(plan, st.ChangeSpec(st.TASK, "7", "deadline", new=deadline), effective)],
        )
        for number, deadline in (("1", "Tháng 6/2027"), ("2", "Tháng 9/2027"))
    )
    services.adjustment_approve(adjustment=first, user=reviewer)
    versions = TaskTerms.objects.count()
    with pytest.raises(services.AdjustmentRefused, match="Dự thảo đã cũ"):
        services.adjustment_approve(adjustment=second, user=reviewer)
    second.refresh_from_db()
    assert second.status == PlanAdjustment.Status.DRAFT and TaskTerms.objects.count() == versions


def test_a_second_decision_the_same_day_on_the_same_task_is_refused(plan, reviewer):
    effective = date(2027, 1, 1)
    adjust(plan, [st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 6/2027")], effective=effective)
    with pytest.raises(services.AdjustmentRefused, match="gộp vào một"):
        adjust(plan, [st.ChangeSpec(st.TASK, "7", "result", new="Đề án")], effective=effective, number="2")


def test_a_decision_inserted_before_a_later_one_holds_until_it(plan):
    adjust(plan, [st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 6/2027")], effective=date(2027, 6, 1))
    adjust(plan, [st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 3/2027")], effective=date(2027, 1, 1), number="2")
    task = Task.objects.get(number=7)
    assert [(t.deadline_text, t.valid_from, t.valid_to) for t in task.terms_versions.order_by("valid_from")] == [
        ("Tháng 5/2026", plan.issued_on, date(2026, 12, 31)),
        ("Tháng 3/2027", date(2027, 1, 1), date(2027, 5, 31)),
        ("Tháng 6/2027", date(2027, 6, 1), None),
    ]


def test_an_effective_date_before_the_plan_is_refused(plan):
    with pytest.raises(services.AdjustmentRefused, match="trước ngày ban hành kế hoạch"):
        services.adjustment_create(
            plan=plan, decision_number="1", signed_on=date(2026, 5, 1), effective_on=date(2026, 1, 1)
        )


def test_adjustments_between_lists_the_approved_ones_of_a_span_with_their_changes(plan, reviewer):
    v1_raised(plan, date(2027, 1, 1), user=reviewer)
    draft = services.adjustment_create(
        plan=plan, decision_number="9", signed_on=date(2027, 2, 1), effective_on=date(2027, 2, 1)
    )
    found = adjustments_between(plan=plan, start=date(2026, 12, 1), end=date(2027, 3, 31))
    assert [a.decision_number for a in found] == ["125-QĐ/TU"]
    assert draft not in found
    assert [c.subject for c in found[0].changes.all()] == ["target", "parsed_target"]
    assert found[0].approved_by == reviewer and found[0].revoked_by == []
    assert adjustments_between(plan=plan, start=date(2027, 1, 2), end=date(2027, 3, 31)) == []


def test_moving_a_drafts_effective_date_reads_its_before_again(plan, reviewer):
    draft = services.adjustment_create(
        plan=plan,
        decision_number="2",
        signed_on=date(2026, 12, 20),
        effective_on=date(2027, 1, 1),
        changes=[_with_old(plan, st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 9/2027"), date(2027, 1, 1))],
    )
    adjust(plan, [st.ChangeSpec(st.TASK, "7", "deadline", new="Tháng 6/2027")], effective=date(2027, 3, 1))
    services.adjustment_update(
        adjustment=draft,
        user=reviewer,
        decision_number="2",
        signed_on=date(2027, 5, 20),
        effective_on=date(2027, 6, 1),
        issuer="Ban Thường vụ Tỉnh ủy",
        summary="",
    )
    assert draft.changes.get().old == "Tháng 6/2027"
    services.adjustment_approve(adjustment=draft, user=reviewer)
    versions = Task.objects.get(number=7).terms_versions.order_by("valid_from")
    assert [(v.deadline_text, v.valid_to) for v in versions] == [
        ("Tháng 5/2026", date(2027, 2, 28)),
        ("Tháng 6/2027", date(2027, 5, 31)),
        ("Tháng 9/2027", None),
    ]


def test_an_agencys_page_lists_the_target_in_force_not_the_version_it_replaced(plan, dti):
    """After a target is raised, the agency answering for it sees the aim in force with its status, as the overview
    does: not also the old version, which no status is of any more ("chưa có số liệu")."""
    from dashboards.selectors import agency_targets, milestone_targets

    khcn = Agency.objects.get(code="so-khcn")
    today = timezone.localdate()
    v1_raised(plan, today - timedelta(days=5))
    target_statuses_recompute(as_of=today)

    answered = agency_targets(plan=plan, agency=khcn, milestone=2030)
    rows = [r for r in answered if r.parsed.target.indicator.code == "V.1"]
    assert [r.parsed.target.text for r in rows] == [V1_NEW]
    assert rows[0].status is not None
    _groups, overview_rows, _as_of = milestone_targets(plan=plan, milestone=2030)
    [shown] = [r for r in overview_rows if r.parsed.target.indicator.code == "V.1"]
    assert (shown.parsed.pk, shown.code) == (rows[0].parsed.pk, rows[0].code)
