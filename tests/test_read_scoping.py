"""One read rule for every list, table, export and chart of figures: agency staff see their own agency's
figures in every state and other agencies' only once approved (``agencies.permissions.submissions_visible_to``);
the Steering Committee, the standing office and administrators see all.

The cached dashboards list less (``submissions_on_pages``): approved work, and agency staff's own agency's work in
every state too. Unapproved work reaches the standing office through its review queue, so a draft saved or a
figure sent changes no page but its own agency's (core/snapshots.py).

Each list and export that shows figures has a test here: the page, its CSV and its xlsx table.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from openpyxl import load_workbook

from agencies.permissions import submissions_visible_to

pytestmark = pytest.mark.django_db

DRAFT_VALUE, SUBMITTED_VALUE, APPROVED_VALUE = Decimal(123), Decimal(456), Decimal(789)


def _model(name: str):
    return next(model for model in apps.get_models() if model.__name__ == name)


@pytest.fixture
def khcn_figures(plan, agency_staff):
    """Sở KH&CN's figures for one metric in three states: a draft, a submitted one and an approved one."""
    Observation, Period, Metric = _model("Observation"), _model("Period"), _model("Metric")
    metric = Metric.objects.filter(kind="stock", parsed_targets__isnull=False).order_by("pk").first()
    figures = {}
    for number, (status, value) in enumerate(
        [("draft", DRAFT_VALUE), ("submitted", SUBMITTED_VALUE), ("approved", APPROVED_VALUE)], start=2
    ):
        period = Period.objects.create(
            kind="quarter",
            year=2024,
            number=number,
            starts_on=date(2024, 3 * number - 2, 1),
            ends_on=date(2024, 3 * number, 28),
            due_on=date(2024, 3 * number, 28),
        )
        figures[status] = Observation.objects.create(
            metric=metric, agency=agency_staff.agency, period=period, value=value, status=status
        )
    return metric, figures


def _indicator_code(metric) -> str:
    parsed = _model("ParsedTarget").objects.filter(metric=metric).select_related("target__indicator").first()
    return parsed.target.indicator.code


def _pages(metric):
    """(page, table) pairs listing figures: the agency page's figures, the indicator page's recent figures."""
    return [("/co-quan/so-khcn/", "so-lieu"), (f"/chi-tieu/{_indicator_code(metric)}/", "gan-day")]


def _csv_text(response) -> str:
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")


def _xlsx_text(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return "\n".join(",".join("" if c is None else str(c) for c in row) for row in sheet.iter_rows(values_only=True))


def _shown(text: str) -> set[str]:
    found = set()
    for label, value in (("draft", DRAFT_VALUE), ("submitted", SUBMITTED_VALUE), ("approved", APPROVED_VALUE)):
        if str(value) in text:
            found.add(label)
    return found


@pytest.mark.parametrize("page_index", [0, 1], ids=["agency-page", "indicator-recent"])
def test_other_agencies_staff_see_only_approved_figures_on_the_page_and_in_its_exports(
    client, khcn_figures, other_agency_staff, page_index
):
    metric, _figures = khcn_figures
    page, table = _pages(metric)[page_index]
    client.force_login(other_agency_staff)
    assert _shown(client.get(page).content.decode()) == {"approved"}
    assert _shown(_csv_text(client.get(page, {"format": "csv", "bang": table}))) == {"approved"}
    assert _shown(_xlsx_text(client.get(page, {"format": "xlsx", "bang": table}))) == {"approved"}


@pytest.mark.parametrize("page_index", [0, 1], ids=["agency-page", "indicator-recent"])
def test_the_agency_itself_sees_its_work_in_every_state_on_the_dashboards(
    client, khcn_figures, agency_staff, page_index
):
    metric, _figures = khcn_figures
    page, table = _pages(metric)[page_index]
    client.force_login(agency_staff)
    assert _shown(client.get(page).content.decode()) == {"draft", "submitted", "approved"}
    assert _shown(_csv_text(client.get(page, {"format": "csv", "bang": table}))) == {"draft", "submitted", "approved"}


@pytest.mark.parametrize("page_index", [0, 1], ids=["agency-page", "indicator-recent"])
@pytest.mark.parametrize("role", ["reviewer", "steering", "administrator"])
def test_the_plans_readers_see_approved_work_on_the_dashboards(client, request, khcn_figures, role, page_index):
    """What waits for review is the review queue's (and the scorecards' "waiting" column), not the dashboards'
    lists: so an agency's drafts leave the pages the plan's readers open cached."""
    metric, _figures = khcn_figures
    page, table = _pages(metric)[page_index]
    client.force_login(request.getfixturevalue(role))
    assert _shown(client.get(page).content.decode()) == {"approved"}
    assert _shown(_csv_text(client.get(page, {"format": "csv", "bang": table}))) == {"approved"}


def test_the_agency_pages_counts_chart_counts_only_what_the_reader_may_see(client, khcn_figures, other_agency_staff):
    client.force_login(other_agency_staff)
    response = client.get("/co-quan/so-khcn/")
    counts = dict(response.context["submission_counts"])
    assert sum(counts.values()) == 1


def test_the_scoping_helper_is_the_detail_pages_rule(khcn_figures, agency_staff, other_agency_staff, reviewer):
    from agencies.permissions import can_read_submission

    _metric, figures = khcn_figures
    Observation = _model("Observation")
    everything = Observation.objects.filter(pk__in=[f.pk for f in figures.values()])
    for user in (agency_staff, other_agency_staff, reviewer):
        visible = set(submissions_visible_to(user, everything).values_list("pk", flat=True))
        assert visible == {f.pk for f in figures.values() if can_read_submission(user, f)}


@pytest.mark.parametrize("page_index", [0, 1], ids=["agency-page", "indicator-recent"])
def test_a_cached_page_is_never_served_to_a_reader_with_a_narrower_scope(
    client, khcn_figures, agency_staff, other_agency_staff, settings, page_index
):
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    metric, _figures = khcn_figures
    page, _table = _pages(metric)[page_index]
    client.force_login(agency_staff)
    assert _shown(client.get(page).content.decode()) == {"draft", "submitted", "approved"}
    client.force_login(other_agency_staff)
    assert _shown(client.get(page).content.decode()) == {"approved"}


def _waiting_cell(html: str, agency_code: str) -> str:
    """The scorecard's "Số liệu chờ duyệt" cell (its last column) in the agency's row."""
    import re

    row = re.search(rf'<tr>\s*<th scope="row"><a href="/co-quan/{agency_code}/">.*?</tr>', html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]).strip()


def _waiting_csv(text: str, agency_name: str) -> str:
    import csv

    return next(row for row in csv.reader(io.StringIO(text)) if row[0] == agency_name)[-1]


@pytest.mark.parametrize("page", ["/co-quan/", "/tong-quan/"])
def test_the_scorecard_counts_figures_waiting_only_where_the_reader_may_see_them(
    client, khcn_figures, agency_staff, other_agency_staff, reviewer, settings, page
):
    """Sở KH&CN has one submitted figure: its staff and the standing office see the count; Công an's staff
    may not see Sở KH&CN's unapproved figures, nor so their number — also from a page cached for a reviewer."""
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    name = agency_staff.agency.name
    client.force_login(reviewer)
    assert _waiting_cell(client.get(page).content.decode(), "so-khcn") == "1"
    assert _waiting_csv(_csv_text(client.get(page, {"format": "csv", "bang": "co-quan"})), name) == "1"
    client.force_login(other_agency_staff)
    assert _waiting_cell(client.get(page).content.decode(), "so-khcn") == "—"
    assert _waiting_csv(_csv_text(client.get(page, {"format": "csv", "bang": "co-quan"})), name) == ""
    client.force_login(agency_staff)
    assert _waiting_cell(client.get(page).content.decode(), "so-khcn") == "1"
