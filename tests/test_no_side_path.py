"""Issue 21, case 1: no write path around the workflow. A changed value for an approved figure becomes a
correction proposal on every path (entry, the template upload, ``import_figures`` with and without
``--approve``, the admin): the approved value keeps counting until the correction is approved."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from core.workflow import EntryError, SubmissionStatus
from imports.batches import import_batch_commit, import_batch_create, import_batch_undo
from imports.figures import recheck
from imports.models import ImportBatch
from indicators import revisions
from indicators.models import Metric, Observation
from indicators.services import observation_approve, observation_correct, observation_save, period_get_or_create
from indicators.validation import FigureInput, clean_figure_for
from tests.test_import_figures import csv_bytes, xlsx


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _approved_dti(reviewer, value="0,57") -> Observation:
    """DTI 2025 = 0,57, entered by Sở KH&CN and approved (the figure of the issue)."""
    metric = Metric.objects.select_related("reporting_agency").get(code="dti_index")
    with TestCase.captureOnCommitCallbacks(execute=True):
        figure = observation_save(
            metric=metric,
            agency=metric.reporting_agency,
            period=period_get_or_create(kind="year", year=2025, number=1),
            user=reviewer,
            figure=clean_figure_for(metric, FigureInput(value=value)),
            submit=True,
        )
        observation_approve(observation=figure, user=reviewer)
    figure.refresh_from_db()
    return figure


def _dti_row(value: str, note: str = "") -> list:
    return ["so-khcn", "dti_index", "2025", value, "", "", note]


def _explain_v1() -> dict:
    out = io.StringIO()
    call_command("explain_target", "V.1", "2030", "--json", stdout=out)
    return json.loads(out.getvalue())[0]


def _api_dti_2025(client) -> list:
    rows = client.get("/api/figures/?metric=dti_index&year=2025").json()["results"]
    return [float(row["value"]) for row in rows]


def _assert_still_approved(figure: Observation, value: str) -> None:
    figure.refresh_from_db()
    assert figure.status == SubmissionStatus.APPROVED and figure.value == Decimal(value)


def test_a_template_upload_over_an_approved_figure_proposes_a_correction(
    client, plan, reviewer, agency_staff, settings
):
    settings.PUBLIC_DATA_ENABLED = True
    figure = _approved_dti(reviewer)
    before = _explain_v1()
    client.force_login(agency_staff)
    upload = io.BytesIO(xlsx([_dti_row("0,61", "Số liệu công bố chính thức")]))
    upload.name = "mau-so-lieu.xlsx"
    client.post(reverse("imports:index"), {"file": upload})
    batch = ImportBatch.objects.get(created_by=agency_staff)
    preview = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "đề nghị điều chỉnh" in preview and "giá trị đã duyệt vẫn được dùng" in preview
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("imports:confirm", args=[batch.pk]))
    _assert_still_approved(figure, "0.57")
    assert figure.correction_status == SubmissionStatus.SUBMITTED and figure.proposed_value == Decimal("0.61")
    assert figure.proposed_note == "Số liệu công bố chính thức"
    # every surface still tells the approved value
    assert _explain_v1() == before
    client.logout()
    assert _api_dti_2025(client) == [0.57]
    # the reviewer sees the correction, old → new, and approving it makes 0,61 count
    client.force_login(reviewer)
    queue = client.get(reverse("review_queue")).content.decode()
    assert "0,57" in queue and "0,61" in queue
    with TestCase.captureOnCommitCallbacks(execute=True):
        observation_approve(observation=figure, user=reviewer)
    _assert_still_approved(figure, "0.61")
    assert _explain_v1()["baseline"]["value"] == pytest.approx(0.61)


def test_import_figures_without_approve_proposes_and_with_approve_corrects(plan, reviewer, administrator, tmp_path):
    figure = _approved_dti(reviewer)
    source = tmp_path / "dti.csv"
    source.write_bytes(csv_bytes([_dti_row("0,61")]))
    call_command("import_figures", str(source), stdout=io.StringIO())
    _assert_still_approved(figure, "0.57")
    assert figure.proposed_value == Decimal("0.61") and figure.proposed_note.startswith("Lần nhập #")
    # the same file again changes nothing: that correction already waits
    out = io.StringIO()
    call_command("import_figures", str(source), stdout=out)
    assert "0 cập nhật" in out.getvalue() and "1 không đổi" in out.getvalue()
    # an import that approves: the correction is approved at once, with its version in the history
    source.write_bytes(csv_bytes([_dti_row("0,6")]))
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("import_figures", str(source), "--approve", stdout=io.StringIO())
    _assert_still_approved(figure, "0.6")
    assert figure.correction_status == "" and figure.proposed_value is None
    latest = figure.history.first()
    assert "phê duyệt điều chỉnh" in latest.history_change_reason
    assert [float(v) for v in figure.history.order_by("history_date", "history_id").values_list("value", flat=True)][
        -2:
    ] == [0.57, 0.6]
    assert _explain_v1()["baseline"]["value"] == pytest.approx(0.6)


def test_undo_of_a_correcting_import_restores_the_approved_figure(plan, reviewer, administrator):
    figure = _approved_dti(reviewer)
    batch, _ = import_batch_create(
        kind="figures", content=xlsx([_dti_row("0,61")]), filename="x.xlsx", user=administrator, approve=True
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_batch_commit(batch=batch)
    _assert_still_approved(figure, "0.61")
    import_batch_undo(batch=batch)
    _assert_still_approved(figure, "0.57")


def test_the_entry_form_never_overwrites_an_approved_figure(plan, reviewer, agency_staff):
    figure = _approved_dti(reviewer)
    metric = figure.metric
    with pytest.raises(EntryError):
        observation_save(
            metric=metric,
            agency=figure.agency,
            period=figure.period,
            user=agency_staff,
            figure=clean_figure_for(metric, FigureInput(value="0,61")),
            submit=True,
        )
    with pytest.raises(EntryError, match="trùng giá trị đã duyệt"):
        observation_correct(
            observation=figure,
            user=agency_staff,
            figure=clean_figure_for(metric, FigureInput(value="0,57")),
            reason="Không đổi",
        )
    _assert_still_approved(figure, "0.57")


def test_the_admin_shows_a_figure_history_but_never_reverts_it(client, plan, reviewer, administrator):
    figure = _approved_dti(reviewer, value="0,5")
    with TestCase.captureOnCommitCallbacks(execute=True):
        observation_correct(
            observation=figure,
            user=reviewer,
            figure=clean_figure_for(figure.metric, FigureInput(value="0,57")),
            reason="Số liệu chính thức",
        )
        observation_approve(observation=figure, user=reviewer)
    oldest = figure.history.order_by("history_date", "history_id").first()
    client.force_login(administrator)
    url = reverse("admin:indicators_observation_simple_history", args=[figure.pk, oldest.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"_change_history": "1"})
    assert response.status_code == 403
    _assert_still_approved(figure, "0.57")


#: stored figures in each state the rule knows, and values written over them
_STATES = [
    ("approved", "", None),
    ("approved", "submitted", "0.61"),
    ("approved", "returned", "0.61"),
    ("submitted", "", None),
    ("draft", "", None),
    ("returned", "", None),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL re-check runs on PostgreSQL")
@pytest.mark.parametrize("status,correction,proposed", _STATES)
@pytest.mark.parametrize("written", ["0,57", "0,61", "0,7"])
@pytest.mark.parametrize("approve", [False, True])
def test_the_sql_recheck_follows_the_one_rule(plan, administrator, status, correction, proposed, written, approve):
    """The commit re-checks a stored batch in SQL (imports.figures.ValidatedFigures.stage): it must classify
    every row as ``indicators.revisions.figure_revision`` does at the preview."""
    metric = Metric.objects.get(code="dti_index")
    figure = Observation.objects.create(
        metric=metric,
        agency=metric.reporting_agency,
        period=period_get_or_create(kind="year", year=2025, number=1),
        value=Decimal("0.57"),
        status=status,
        correction_status=correction,
        proposed_value=Decimal(proposed) if proposed else None,
    )
    batch, preview = import_batch_create(
        kind="figures", content=csv_bytes([_dti_row(written)]), filename="x.csv", user=administrator, approve=approve
    )
    values = {"value": Decimal(written.replace(",", ".")), "numerator": None, "denominator": None, "note": ""}
    expected = _OUTCOMES[revisions.figure_revision(revisions.StoredFigure.of(figure), values, approve=approve)]
    assert preview.rows[0].outcome == expected
    assert recheck(batch, thorough=True).rows[0].outcome == expected


_OUTCOMES = {
    revisions.NEW: "new",
    revisions.UNCHANGED: "unchanged",
    revisions.REPLACE: "updated",
    revisions.PROPOSE: "correction",
    revisions.CORRECT: "correction",
}
