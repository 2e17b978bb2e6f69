"""Loading Plan 65-KH/TU: counts per group, verbatim cells, parsed targets, tasks, idempotency, bad data."""

import copy
import io
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from agencies.models import Agency
from imports.plan_data import PlanDataError, plan_load
from indicators.models import Indicator, Observation, ParsedTarget, Target
from tasks.models import Task, TaskAssignment

SOURCE = (settings.BASE_DIR / "fixtures" / "source" / "plan-65-kh-tu.txt").read_text(encoding="utf-8")


def _plan_data() -> dict:
    return yaml.safe_load(settings.PLAN_FIXTURE.read_text(encoding="utf-8"))


def test_all_indicators_and_cells_load_by_group(plan):
    per_group = {g.code: g.indicators.count() for g in plan.indicator_groups.all()}
    assert per_group == {"I": 3, "II": 6, "III": 10, "IV": 10, "V": 13, "VI": 2}
    assert Target.objects.filter(indicator__plan=plan).count() == 176
    assert set(Target.objects.values_list("year", flat=True)) == {2030, 2035, 2040, 2045}


def test_tasks_load_by_group(plan):
    per_group = {g.code: g.tasks.count() for g in plan.task_groups.all()}
    assert list(per_group) == ["I", "II", "III", "IV", "V", "VI", "VII"]
    # Tasks 1..35, as the source text numbers them.
    assert sorted(Task.objects.filter(plan=plan).values_list("number", flat=True)) == list(range(1, 36))
    assert per_group == {"I": 7, "II": 7, "III": 10, "IV": 2, "V": 2, "VI": 3, "VII": 4}


def test_a_tasks_agencies_are_stored_in_the_plans_order_leads_first(plan):
    """Loading the plan writes the same rows in the same order in every process (no set's order leaks in)."""
    for task in Task.objects.filter(plan=plan):
        roles = list(task.assignments.order_by("pk").values_list("role", flat=True))
        leads = roles.count(TaskAssignment.Role.LEAD)
        assert roles == [TaskAssignment.Role.LEAD] * leads + [TaskAssignment.Role.COOPERATING] * (len(roles) - leads)


@pytest.mark.parametrize(
    ("code", "year", "operator", "value", "value_max"),
    [
        ("I.1", 2030, ">=", "100", None),
        ("III.3", 2035, ">=", "1200", None),
        ("IV.1", 2040, "range", "50", "60"),
        ("IV.5", 2030, "range", "3", "5"),
        ("V.1", 2030, ">=", "0.75", None),
        ("V.1", 2045, ">=", "1", None),
        ("II.4", 2040, "range", "80", "90"),
        ("VI.2", 2030, ">", "45", None),
    ],
)
def test_cells_parse_to_the_published_target(plan, code, year, operator, value, value_max):
    parsed = ParsedTarget.objects.get(target__indicator__code=code, target__year=year, position=1)
    assert parsed.operator == operator
    assert parsed.value == Decimal(value)
    assert parsed.value_max == (Decimal(value_max) if value_max else None)


def test_a_cell_with_two_claims_holds_two_targets(plan):
    cell = Target.objects.get(indicator__code="V.12", year=2030)
    values = [(p.metric.unit, p.value) for p in cell.parsed_targets.order_by("position")]
    assert [v for _, v in values] == [Decimal(80), Decimal(10)]
    assert cell.parsed_targets.values("metric").distinct().count() == 2


def test_qualitative_and_empty_cells_hold_no_targets(plan):
    qualitative = Target.objects.get(indicator__code="I.3", year=2030)
    assert qualitative.qualitative and qualitative.text.startswith("Duy trì hoạt động")
    assert not qualitative.parsed_targets.exists()
    dash = Target.objects.get(indicator__code="IV.10", year=2030)
    assert dash.text == "-" and not dash.qualitative and not dash.parsed_targets.exists()
    empty = Target.objects.get(indicator__code="I.2", year=2035)
    assert empty.text == "" and not empty.qualitative and not empty.parsed_targets.exists()


def test_cell_texts_are_verbatim_from_the_source(plan):
    whole_source = " ".join(SOURCE.split())
    for target in Target.objects.filter(indicator__plan=plan).exclude(text__in=["", "-"]):
        text = " ".join(target.text.split())
        # cells split by a page break are joined; each piece still appears in the source
        if text not in whole_source:
            head, tail = text[: len(text) // 3], text[-len(text) // 3 :]
            assert head.strip() in whole_source or tail.strip() in whole_source, target


def test_collective_names_resolve_to_every_agency_they_mean(plan):
    task = Task.objects.get(plan=plan, number=2)  # cooperating: "Các sở, ngành, địa phương"
    cooperating = set(task.assignments.filter(role=TaskAssignment.Role.COOPERATING).values_list("agency", flat=True))
    everyone = set(
        Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY]).values_list("pk", flat=True)
    )
    lead = set(task.assignments.filter(role=TaskAssignment.Role.LEAD).values_list("agency", flat=True))
    assert cooperating == everyone - lead
    assert Agency.objects.filter(kind=Agency.Kind.LOCALITY).count() == 104


def test_task_schedules_are_parsed(plan):
    task7 = Task.objects.get(plan=plan, number=7)
    assert (task7.deadline_text, task7.schedule_kind, task7.due_on.isoformat()) == (
        "Tháng 5/2026",
        "one_off",
        "2026-05-31",
    )
    task25 = Task.objects.get(plan=plan, number=25)
    assert task25.schedule_kind == "one_off" and task25.due_on.isoformat() == "2026-06-30"
    assert Task.objects.get(plan=plan, number=1).schedule_kind == "recurring"
    assert Task.objects.get(plan=plan, number=10).schedule_kind == "conditional"
    assert Task.objects.get(plan=plan, number=8).schedule_kind == "continuous"
    lead30 = Task.objects.get(plan=plan, number=30).lead_names
    assert lead30[0] == "Ban Quản lý Khu công nghiệp tỉnh"


def test_loading_twice_changes_nothing(plan):
    before = {
        "targets": list(Target.objects.order_by("pk").values()),
        "parsed": list(ParsedTarget.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "assignments": TaskAssignment.objects.count(),
    }
    out = io.StringIO()
    call_command("load_plan", stdout=out)
    assert "0 mới, 0 cập nhật" in out.getvalue()
    after = {
        "targets": list(Target.objects.order_by("pk").values()),
        "parsed": list(ParsedTarget.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "assignments": TaskAssignment.objects.count(),
    }
    assert before == after


def test_a_corrected_plan_is_refused_and_points_to_adjust_plan(plan):
    """A plan already loaded is never overwritten: a change is made by an adjustment, from a date."""
    data = _plan_data()
    data["indicator_groups"][0]["indicators"][0]["cells"][2030]["text"] = "Tỷ lệ phủ sóng 5G trên địa bàn đạt 95%."
    data["indicator_groups"][0]["indicators"][0]["cells"][2030]["claims"][0].pop("fragment", None)
    with pytest.raises(PlanDataError) as excinfo:
        plan_load(data=data)
    messages = "\n".join(excinfo.value.errors)
    assert "không bị ghi đè" in messages and "adjust_plan" in messages
    assert "Chỉ tiêu I.1, mục tiêu định lượng năm 2030: ≥ 100 → ≥ 95" in messages
    parsed = ParsedTarget.objects.get(target__indicator__code="I.1", target__year=2030)
    assert parsed.value == Decimal(100)
    assert Indicator.objects.filter(plan=plan).count() == 44


def test_bad_plan_data_is_reported_and_writes_nothing(plan):
    data = _plan_data()
    broken = copy.deepcopy(data)
    broken["indicator_groups"][0]["indicators"][0]["lead"] = ["Sở Không Tồn Tại"]
    broken["indicator_groups"][0]["indicators"][0]["cells"][2030]["text"] = "Đổi nội dung"
    broken["task_groups"][0]["tasks"][0]["deadline"] = "Khi nào rảnh"
    before = list(Target.objects.order_by("pk").values_list("text", flat=True))
    with pytest.raises(PlanDataError) as excinfo:
        plan_load(data=broken)
    messages = "\n".join(excinfo.value.errors)
    assert "Không xác định được cơ quan “Sở Không Tồn Tại”" in messages
    assert "Nhiệm vụ 1:" in messages
    assert list(Target.objects.order_by("pk").values_list("text", flat=True)) == before


def test_load_plan_command_rejects_a_missing_file(db):
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("load_plan", "/nonexistent/plan.yaml", stdout=io.StringIO())


def test_metrics_have_reporters(plan):
    for metric in plan.metrics.all():
        assert metric.reporters.exists(), metric.code
    assert not Observation.objects.exists()


def test_loading_again_makes_a_new_commune_a_reporter_and_changes_nothing_of_the_plan(plan):
    commune = Agency.objects.create(code="xa-moi", name="Xã Mới", kind=Agency.Kind.LOCALITY)
    per_agency = plan.metrics.filter(collection="per_agency").first()
    assert not per_agency.reporters.filter(pk=commune.pk).exists()
    targets = list(Target.objects.order_by("pk").values())
    plan_load(data=_plan_data())
    assert per_agency.reporters.filter(pk=commune.pk).exists()
    assert list(Target.objects.order_by("pk").values()) == targets
