"""The open-data API's filters: a bad value is a 400 naming the parameter, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/figures/?year=abc", "year"),
        ("/api/province-figures/?year=abc", "year"),
        ("/api/task-statuses/?task=abc", "task"),
        ("/api/figures/?metric=%00", "metric"),
        ("/api/figures/?agency=%00", "agency"),
        ("/api/task-statuses/?status=%00", "status"),
        ("/api/target-statuses/?indicator=%00", "indicator"),
        ("/api/indicators/?group=%00", "group"),
        ("/api/tasks/?plan=%00", "plan"),
        ("/api/figures/?year=99999999999999999999", "year"),
        ("/api/metrics/?plan=" + "x" * 10_000, "plan"),
        ("/api/figures/?period_kind=week", "period_kind"),
        ("/api/target-statuses/?as_of=9999-99-99", "as_of"),
        ("/api/metrics/?page_size=abc", "page_size"),
        ("/api/metrics/?page=0", "page"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, plan, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    # a NUL byte is refused before the API sees it; a bad date is refused by its own view, with "detail"
    body = response.json()
    assert parameter in body or "detail" in body


def test_a_url_no_route_matches_is_a_json_404(client, plan):
    response = client.get("/api/figures/a.b/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_good_filters_still_filter(client, plan):
    response = client.get("/api/metrics/?plan=65-KH/TU&page_size=5")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize("proxies", ["as configured", 1])
def test_varying_x_forwarded_for_does_not_escape_the_throttle(client, plan, settings, proxies):
    from django.core.cache import cache

    cache.clear()
    settings.OPEN_DATA_THROTTLE_ANON = "3/min"
    if proxies != "as configured":
        settings.NUM_PROXIES = proxies
    statuses = [
        # behind one proxy, the proxy appends the address it saw (here always the same client)
        client.get("/api/metrics/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7").status_code
        for n in range(5)
    ]
    assert statuses[3:] == [429, 429]
