"""The open-data figures list pages by keyset (no total count over millions, every page the same cost), and the
API's lists are kept on the snapshot generation like the dashboards."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from indicators.services import period_get_or_create
from tests.report_data import observation_create


def _figures(plan, *, years: range) -> list[Observation]:
    """Approved figures of two metrics by three agencies, quarterly over ``years``; one submitted (never listed)."""
    metrics = list(Metric.objects.filter(plan=plan, kind=Metric.Kind.STOCK).order_by("code")[:2])
    agencies = list(Agency.objects.filter(code__in=["so-khcn", "cong-an", "vp-ubnd"]).order_by("code"))
    made = []
    for year in years:
        for number in (1, 2, 3, 4):
            period = period_get_or_create(kind="quarter", year=year, number=number)
            for metric in metrics:
                for agency in agencies:
                    made.append(observation_create(metric, agency, period, str(year + number)))
    made[3].status = SubmissionStatus.SUBMITTED
    made[3].save()
    return [o for o in made if o.status == SubmissionStatus.APPROVED]


def _all_pages(client, params: dict) -> tuple[list[int], list[dict]]:
    ids, pages = [], []
    url, query = "/api/figures/", params
    while url:
        page = client.get(url, query).json()
        pages.append(page)
        ids += [row["id"] for row in page["results"]]
        url, query = page["next"], None
    return ids, pages


def test_figures_are_paged_by_keyset_without_a_count(client, plan):
    approved = _figures(plan, years=range(2025, 2027))
    ids, pages = _all_pages(client, {"page_size": 7})
    assert ids == sorted(o.pk for o in approved)  # each approved figure once, in id order
    assert all("count" not in page and len(page["results"]) <= 7 for page in pages)
    assert len(pages) == -(-len(approved) // 7) and pages[-1]["next"] is None


def test_filtered_pages_follow_the_filter(client, plan):
    approved = _figures(plan, years=range(2025, 2027))
    metric, agency = approved[0].metric, approved[0].agency
    ids, _pages = _all_pages(client, {"page_size": 5, "metric": metric.code})
    assert ids == sorted(o.pk for o in approved if o.metric_id == metric.pk)
    ids, _pages = _all_pages(client, {"page_size": 5, "agency": agency.code, "year": 2026})
    assert ids == sorted(o.pk for o in approved if o.agency_id == agency.pk and o.period.year == 2026)
    assert client.get("/api/figures/", {"metric": "khong-co"}).json() == {"next": None, "results": []}


def test_a_bad_cursor_is_refused_clearly(client, plan):
    response = client.get("/api/figures/", {"after": "abc"})
    assert response.status_code == 400
    assert "phải là số nguyên" in response.content.decode()


def test_a_deep_page_costs_the_queries_of_the_first(client, plan):
    approved = _figures(plan, years=range(2025, 2030))
    counts = []
    for after in (0, approved[len(approved) // 2].pk, approved[-3].pk):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/figures/", {"page_size": 5, "after": after, "metric": approved[0].metric.code})
        counts.append(len(queries))
    assert len(set(counts)) == 1


def test_api_lists_are_kept_until_a_write_changes_them(client, plan, settings, django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}}
    settings.DASHBOARD_CACHE_SECONDS = 600
    cache.clear()
    approved = _figures(plan, years=range(2025, 2026))
    first = client.get("/api/figures/").json()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/figures/").json() == first
    assert not [q for q in queries if "indicators_observation" in q["sql"]]  # from the cache
    figure = approved[0]
    figure.value = 4321
    with django_capture_on_commit_callbacks(execute=True):
        figure.save()
    rows = {row["id"]: row for row in client.get("/api/figures/").json()["results"]}
    assert rows[figure.pk]["value"] in ("4321", "4321.000000", 4321)
