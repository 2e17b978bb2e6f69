"""The permission matrix: every data-entry and review view × every role, and another agency's staff trying
to read or change what is not theirs (404 or 403, and nothing changes)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, Period
from indicators.services import observation_approve, observation_save, periods_ensure_containing
from indicators.validation import FigureInput, clean_figure
from tasks.models import TaskAssignment, TaskUpdate
from tasks.services import task_update_save

DAY = date(2026, 6, 10)
ROLES = ["anonymous", "steering", "reviewer", "agency_staff", "other_agency_staff", "administrator"]


@pytest.fixture
def world(plan, agency_staff, reviewer):
    """A draft and an approved figure and a submitted task update of the Sở KH&CN, with evidence files."""
    khcn = Agency.objects.get(code="so-khcn")
    metrics = list(Metric.objects.filter(reporters=khcn, kind__in=["stock", "flow"]).order_by("code")[:2])
    periods = periods_ensure_containing(DAY)
    draft = observation_save(
        metric=metrics[0],
        agency=khcn,
        period=periods[metrics[0].period_kind],
        user=agency_staff,
        figure=clean_figure(metrics[0].kind, FigureInput("5")),
        evidence=ContentFile(b"%PDF-1.4", name="a.pdf"),
    )
    approved = observation_save(
        metric=metrics[1],
        agency=khcn,
        period=periods[metrics[1].period_kind],
        user=agency_staff,
        figure=clean_figure(metrics[1].kind, FigureInput("7")),
        evidence=ContentFile(b"%PDF-1.4", name="b.pdf"),
        submit=True,
    )
    observation_approve(observation=approved, user=reviewer)
    assignment = TaskAssignment.objects.filter(agency=khcn).select_related("task").first()
    update = task_update_save(
        task=assignment.task,
        agency=khcn,
        period=periods["quarter"],
        user=agency_staff,
        data={"progress": "in_progress", "percent_complete": 40, "work_done": "Đã làm"},
        evidence=ContentFile(b"%PDF-1.4", name="c.pdf"),
        submit=True,
    )
    return {"draft": draft, "approved": approved, "update": update, "task": assignment.task, "periods": periods}


def as_role(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


# (url builder, {role: expected status}) for reads; 302 for anonymous everywhere (to the log-in page)
READS = {
    "figure_entry": (
        lambda w: reverse("figure_entry"),
        # administrators choose the agency on the page (?co_quan=); the others may not enter figures
        {"steering": 403, "reviewer": 403, "agency_staff": 200, "other_agency_staff": 200, "administrator": 200},
    ),
    "draft_detail": (
        lambda w: reverse("observation_detail", args=[w["draft"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "draft_history": (
        lambda w: reverse("observation_history", args=[w["draft"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "draft_evidence": (
        lambda w: reverse("observation_evidence", args=[w["draft"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "approved_detail": (
        lambda w: reverse("observation_detail", args=[w["approved"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 200, "administrator": 200},
    ),
    "approved_history": (
        lambda w: reverse("observation_history", args=[w["approved"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 200, "administrator": 200},
    ),
    "update_detail": (
        lambda w: reverse("task_update_detail", args=[w["update"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "update_history": (
        lambda w: reverse("task_update_history", args=[w["update"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "update_evidence": (
        lambda w: reverse("task_update_evidence", args=[w["update"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 404, "administrator": 200},
    ),
    "task_progress": (
        lambda w: reverse("task_progress"),
        {"steering": 403, "reviewer": 403, "agency_staff": 200, "other_agency_staff": 200, "administrator": 200},
    ),
    "task_update_edit": (
        lambda w: reverse("task_update_edit", args=[w["task"].number]),
        # an administrator with no agency chosen has no report to open on it
        {"steering": 403, "reviewer": 403, "agency_staff": 200, "other_agency_staff": None, "administrator": 404},
    ),
    "review_queue": (
        lambda w: reverse("review_queue"),
        {"steering": 403, "reviewer": 200, "agency_staff": 403, "other_agency_staff": 403, "administrator": 200},
    ),
    "qualitative": (
        lambda w: reverse("qualitative_assessment"),
        {"steering": 403, "reviewer": 200, "agency_staff": 403, "other_agency_staff": 403, "administrator": 200},
    ),
    "periods": (
        lambda w: reverse("period_list"),
        {"steering": 200, "reviewer": 200, "agency_staff": 200, "other_agency_staff": 200, "administrator": 200},
    ),
    "completeness": (
        lambda w: reverse("period_completeness", args=[w["periods"]["month"].pk]),
        {"steering": 200, "reviewer": 200, "agency_staff": 403, "other_agency_staff": 403, "administrator": 200},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", READS)
def test_read_matrix(client, request, world, role, view):
    url_of, expected = READS[view]
    as_role(client, request, role)
    response = client.get(url_of(world))
    if role == "anonymous":
        assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    elif expected[role] is None:  # the other agency is not assigned this task (or is): 404 or 200, never an error
        assigned = TaskAssignment.objects.filter(task=world["task"], agency=request.getfixturevalue(role).agency)
        assert response.status_code == (200 if assigned.exists() else 404)
    else:
        assert response.status_code == expected[role], response.content[:300]


def snapshot():
    return (
        sorted(Observation.objects.values_list("pk", "status", "value", "correction_status", "proposed_value")),
        sorted(TaskUpdate.objects.values_list("pk", "status", "percent_complete")),
        sorted(Period.objects.values_list("pk", "is_locked")),
    )


def _writes(w):
    approved, draft, update, month = w["approved"], w["draft"], w["update"], w["periods"]["month"]
    return {
        "correct_approved": (
            reverse("observation_correction", args=[approved.pk]),
            {"value": "9", "reason": "Sai"},
            {"agency_staff", "administrator"},
        ),
        "approve": (
            reverse("review_queue"),
            {"action": "approve", "o": [draft.pk], "t": [update.pk]},
            {"reviewer", "administrator"},
        ),
        "return": (
            reverse("review_queue"),
            {"return_t": update.pk, f"reason-t{update.pk}": "Thiếu"},
            {"reviewer", "administrator"},
        ),
        "lock": (reverse("period_lock", args=[month.pk]), {}, {"reviewer", "administrator"}),
        "lock_overdue": (reverse("periods_lock_overdue"), {}, {"reviewer", "administrator"}),
        "qualitative": (reverse("qualitative_assessment"), {}, {"reviewer", "administrator"}),
    }


WRITES = ["correct_approved", "approve", "return", "lock", "lock_overdue", "qualitative"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", WRITES)
def test_write_matrix_nothing_changes_for_those_not_allowed(client, request, world, role, action):
    url, data, allowed = _writes(world)[action]
    as_role(client, request, role)
    before = snapshot()
    response = client.post(url, data)
    if role in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code in (302, 403, 404)
        if role != "anonymous":
            assert response.status_code in (403, 404)
        assert snapshot() == before


def test_other_agency_cannot_enter_figures_for_someone_else(client, world, other_agency_staff):
    """The entry page writes only for the user's own agency: another agency's metric ids change nothing."""
    draft = world["draft"]
    client.force_login(other_agency_staff)
    client.post(
        f"{reverse('figure_entry')}?ngay={DAY.isoformat()}", {"action": "submit", f"m{draft.metric_id}-value": "99"}
    )
    draft.refresh_from_db()
    assert (draft.status, draft.value) == (SubmissionStatus.DRAFT, 5)


def test_task_not_assigned_to_the_agency_is_404(client, world, agency_staff):
    task = world["task"]
    TaskAssignment.objects.filter(task=task, agency=agency_staff.agency).delete()
    client.force_login(agency_staff)
    assert client.get(reverse("task_update_edit", args=[task.number])).status_code == 404


def test_administrators_enter_figures_for_the_agency_they_choose_staff_only_for_their_own(
    client, world, administrator, other_agency_staff
):
    from indicators.models import Metric

    khcn = world["draft"].agency
    metric = (
        Metric.objects.filter(reporters=khcn, kind="stock", frequency="quarterly")
        .exclude(pk=world["draft"].metric_id)
        .first()
    )
    client.force_login(administrator)
    page = client.get(reverse("figure_entry"), {"co_quan": khcn.code}).content.decode()
    assert f'id="chi-so-{metric.code}"' in page and 'name="co_quan"' in page
    client.post(reverse("figure_entry") + f"?co_quan={khcn.code}", {"action": "draft", f"m{metric.pk}-value": "7"})
    saved = Observation.objects.get(metric=metric, agency=khcn)
    assert saved.entered_by == administrator and saved.status == "draft"
    # agency staff cannot choose: ?co_quan= is ignored, their own agency's page is shown
    client.force_login(other_agency_staff)
    page = client.get(reverse("figure_entry"), {"co_quan": khcn.code}).content.decode()
    assert other_agency_staff.agency.display_name in page and 'name="co_quan"' not in page
