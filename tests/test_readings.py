"""Issue 21, case 7: two readings of a past date. "Số liệu tại thời điểm D" counts only what was approved by D,
a figure corrected later with the value in force on D (from its history); "số liệu hiện có" counts what is
approved now for the periods up to D. Issued reports use the first by default, and every document says which
reading it uses."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from core.workflow import SubmissionStatus
from indicators import readings
from indicators.models import Metric, Observation
from indicators.services import observation_approve, observation_correct, period_get_or_create
from indicators.validation import FigureInput, clean_figure_for
from reports import documents
from reports.content import report_content_collect
from reports.services import report_letterhead, report_request

Q3 = (2026, 3)  # Quý III/2026: 15/06–14/09, due 24/09
SENT_LATE = date(2026, 10, 5)  # approved after the end of September
CORRECTED = date(2026, 11, 10)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(9)))


@pytest.fixture
def coverage_q3(plan, reviewer):
    """I.1 (5G coverage, quarterly, Sở KH&CN): Q II approved on time at 44%; Q III approved late (5/10) at 40%,
    then corrected to 45% on 10/11."""
    metric = Metric.objects.select_related("reporting_agency").get(plan=plan, code="coverage_5g")
    agency = metric.reporting_agency
    for (year, number), percent, day in (((2026, 2), 44, date(2026, 6, 20)), (Q3, 40, SENT_LATE)):
        figure = Observation(
            metric=metric,
            agency=agency,
            period=period_get_or_create(kind="quarter", year=year, number=number),
            value=percent,
            numerator=percent,
            denominator=100,
            status=SubmissionStatus.APPROVED,
            submitted_at=_at(day),
            reviewed_at=_at(day),
        )
        figure._history_date = _at(day)
        figure.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        observation_correct(
            observation=figure,
            user=reviewer,
            figure=clean_figure_for(metric, FigureInput(numerator="45", denominator="100")),
            reason="Số liệu của nhà mạng",
        )
        observation_approve(observation=figure, user=reviewer)
    # the correction was proposed and approved on 10/11 (its two versions in the history)
    figure.history.filter(history_date__gt=_at(SENT_LATE)).update(history_date=_at(CORRECTED))
    Observation.objects.filter(pk=figure.pk).update(reviewed_at=_at(CORRECTED))
    return metric


def _report_row(plan, as_of: date, reading: str):
    content = report_content_collect(
        plan=plan, period=period_get_or_create(kind="quarter", year=2026, number=3), as_of=as_of, reading=reading
    )
    [row] = [r for g in content.groups for r in g.rows if r.indicator == "I.1" and r.year == 2030]
    return content, row


def _explain(as_of: date, reading: str | None = None) -> dict:
    out = io.StringIO()
    options = ["--reading", reading] if reading else []
    call_command("explain_target", "I.1", "2030", "--as-of", as_of.isoformat(), *options, "--json", stdout=out)
    return json.loads(out.getvalue())[0]


def test_a_past_date_as_known_counts_only_what_was_approved_by_then(plan, client, coverage_q3):
    # on 30/09 the Q III figure was not approved yet: the report as known then says Quý II/2026, 44%
    _content, row = _report_row(plan, date(2026, 9, 30), readings.AS_KNOWN)
    assert (row.latest_period, row.latest_value) == ("Quý II/2026", 44.0)
    # on 31/10 it was, at 40% (the correction came later)
    _content, row = _report_row(plan, date(2026, 10, 31), readings.AS_KNOWN)
    assert (row.latest_period, row.latest_value) == ("Quý III/2026", 40.0)
    # what is known now about the quarters up to 31/10: 45%
    _content, current = _report_row(plan, date(2026, 10, 31), readings.CURRENT)
    assert (current.latest_period, current.latest_value) == ("Quý III/2026", 45.0)
    # explain_target and the API read the same way, "as known" by default
    assert _explain(date(2026, 10, 31))["latest"]["value"] == 40.0
    assert _explain(date(2026, 10, 31), readings.CURRENT)["latest"]["value"] == 45.0
    api = client.get("/api/target-statuses/?as_of=2026-10-31&indicator=I.1").json()["results"]
    [item] = [i for i in api if i["year"] == 2030 and i["metric"] == "coverage_5g"]
    assert (item["reading"], item["latest"]["value"]) == ("as_known", 40.0)
    api = client.get("/api/target-statuses/?as_of=2026-10-31&indicator=I.1&reading=current").json()["results"]
    [item] = [i for i in api if i["year"] == 2030 and i["metric"] == "coverage_5g"]
    assert (item["reading"], item["latest"]["value"]) == ("current", 45.0)
    assert client.get("/api/target-statuses/?reading=later").status_code == 400


def test_a_report_is_as_known_by_default_and_every_document_says_which_reading(plan, reviewer, coverage_q3):
    report = report_request(
        plan=plan,
        period=period_get_or_create(kind="quarter", year=2026, number=3),
        as_of=date(2026, 9, 30),
        user=reviewer,
    )
    assert report.reading == readings.AS_KNOWN
    content, _row = _report_row(plan, date(2026, 9, 30), report.reading)
    docx = documents.build_docx(content, report_letterhead(report))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "Số liệu tại thời điểm 30/09/2026: chỉ gồm số liệu đã được phê duyệt đến hết ngày đó" in text
    sheet = load_workbook(io.BytesIO(documents.build_xlsx(content)))["Chỉ tiêu"]
    assert "Số liệu tại thời điểm 30/09/2026" in sheet["A1"].value
    current, _row = _report_row(plan, date(2026, 9, 30), readings.CURRENT)
    sheet = load_workbook(io.BytesIO(documents.build_xlsx(current)))["Chỉ tiêu"]
    assert "Số liệu hiện có cho các kỳ đến ngày 30/09/2026" in sheet["A1"].value
