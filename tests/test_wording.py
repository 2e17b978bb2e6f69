"""Issue 21, case 8: words that mislead. A single approved value is "chưa đủ số liệu để tính xu hướng", not
"chưa có số liệu"; section III never lists a deadline already past as work due next period; a percentage moves
in percentage points, and the entry form and the review queue write a change the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from indicators.services import observation_approve, observation_save, period_get_or_create
from indicators.validation import FigureInput, clean_figure_for, figure_change, jump_warning
from reports.content import report_content_collect
from reports.drafting import directions_draft
from tasks.services import task_occurrences_recompute

TODAY = timezone.localdate()


def test_a_single_value_is_not_called_no_data(plan, client, steering, reviewer):
    metric = Metric.objects.select_related("reporting_agency").get(plan=plan, code="dti_index")
    with TestCase.captureOnCommitCallbacks(execute=True):
        figure = observation_save(
            metric=metric,
            agency=metric.reporting_agency,
            period=period_get_or_create(kind="year", year=2025, number=1),
            user=reviewer,
            figure=clean_figure_for(metric, FigureInput(value="0,57")),
            submit=True,
        )
        observation_approve(observation=figure, user=reviewer)
    client.force_login(steering)
    html = client.get("/chi-tieu/V.1/").content.decode()
    block = html[html.index('data-target="') : html.index("Vì sao màu này?")]
    assert "Chưa đủ số liệu để tính xu hướng" in block and "0,57 (Năm 2025)" in block
    assert "Chưa có số liệu" not in block


def test_section_three_lists_only_deadlines_still_ahead(plan):
    task_occurrences_recompute(as_of=TODAY)
    quarter = period_get_or_create(kind="quarter", year=2026, number=3)
    content = report_content_collect(plan=plan, period=quarter, as_of=TODAY)
    assert content.next_tasks  # the quarterly progress reports of Quý IV/2026, due 24/12/2026
    assert all(row.due_on > TODAY for row in content.next_tasks)
    [line] = [line for line in directions_draft(content).splitlines() if line.startswith("- Tập trung thực hiện")]
    assert f"(hạn {quarter.due_on:%d/%m/%Y}" not in line


@pytest.mark.parametrize(
    ("previous", "value", "unit", "text"),
    [
        ("70", "74.19", "%", "+4,19 điểm %"),
        ("1000", "482", "hồ sơ", "−51,8%"),
        ("1.20", "1.45", "% GRDP", "+0,25 điểm %"),
    ],
)
def test_a_change_is_measured_one_way(previous, value, unit, text):
    assert figure_change(Decimal(previous), Decimal(value), unit=unit).text() == text


def test_the_entry_warning_and_the_review_queue_write_a_change_the_same_way(plan, client, agency_staff, reviewer):
    # a percentage: Sở KH&CN's previous approved share 70%, this one 74,19% (+4,19 points, not "+6,0%")
    metric = Metric.objects.get(plan=plan, code="online_admin_dossiers")
    agency = Agency.objects.get(code="so-khcn")
    before = period_get_or_create(kind="month", year=2026, number=9)
    Observation.objects.create(
        metric=metric,
        agency=agency,
        period=before,
        value=Decimal(70),
        numerator=Decimal(70),
        denominator=Decimal(100),
        status=SubmissionStatus.APPROVED,
    )
    figure = observation_save(
        metric=metric,
        agency=agency,
        period=period_get_or_create(kind="month", year=2026, number=10),
        user=agency_staff,
        figure=clean_figure_for(metric, FigureInput(numerator="7419", denominator="10000")),
        submit=True,
    )
    client.force_login(reviewer)
    queue = client.get(reverse("review_queue")).content.decode()
    assert "+4,19 điểm %" in queue and "+6,0%" not in queue
    warning = jump_warning(Decimal(1000), Decimal(482), unit="hồ sơ")
    review = figure_change(Decimal(1000), Decimal(482), unit="hồ sơ").text()
    assert "giảm 51,8%" in warning and review == "−51,8%"
    assert figure.status == SubmissionStatus.SUBMITTED
