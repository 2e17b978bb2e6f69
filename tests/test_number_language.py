"""Numbers follow the reader's language, by one rule (core/formatting.py): "2.559" and "66,17%" in Vietnamese,
the default; "2,559" and "66.17%" in English, on pages and in charts alike. The official report stays Vietnamese
whatever language its requester browses in, and so do form inputs (read back the Vietnamese way)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from core.formatting import format_number, format_vn_number, plotly_separators, value_text
from dashboards import charts
from indicators.models import Indicator, Metric, ProvinceValue
from indicators.services import period_get_or_create
from opendata.public_charts import PeriodPoint, public_series_figure
from tests.report_data import report_world
from tests.test_periodic_report_sections import AS_OF, _docx, _report_settings, _request  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("language", "count", "share", "separators"),
    [("vi", "2.559", "66,17%", ",."), ("en", "2,559", "66.17%", ".,"), ("fr", "2.559", "66,17%", ",.")],
)
def test_one_rule_follows_the_active_language(language, count, share, separators):
    with translation.override(language):
        assert format_number(2559) == count
        assert value_text(Decimal("66.1666"), "%") == share
        assert plotly_separators() == separators
        assert (
            Template("{% load vn %}{{ n|vn_number }} {{ v|vn_value:'%' }}").render(
                Context({"n": 2559, "v": Decimal("66.17")})
            )
            == f"{count} {share}"
        )
        # what goes back into a form field is read the Vietnamese way, whatever the language
        assert format_vn_number(Decimal("1200.5")) == "1.200,5"


def test_vietnamese_is_the_default():
    with translation.override(None):
        assert format_number(Decimal("1234.5")) == "1.234,5"
        assert plotly_separators() == ",."


@pytest.mark.parametrize(("language", "separators"), [("vi", ",."), ("en", ".,")])
def test_charts_carry_the_readers_separators(language, separators):
    with translation.override(language):
        bars = charts.counts_bar_figure([("overdue", "Quá hạn", 2559)], title="Số lần")
        series = public_series_figure(
            name="x",
            unit="%",
            points=[PeriodPoint(date(2026, 6, 14), 66.17, "Quý II/2026", "")],
            targets=[],
            labels={"value": "v", "target": "t"},
        )
    assert bars["layout"]["separators"] == separators == series["layout"]["separators"]
    assert bars["data"][0]["texttemplate"] == "%{x:,d}"  # grouped with the layout's separators


def test_charts_js_leaves_the_separators_to_the_server():
    script = (settings.BASE_DIR / "static" / "js" / "charts.js").read_text(encoding="utf-8")
    assert "separators" not in script.split("*/", 1)[1]


@pytest.mark.parametrize(("language", "text"), [("vi", "1.234,5"), ("en", "1,234.5")])
def test_public_indicator_page_writes_values_the_readers_way(client, plan, language, text):
    metric = Metric.objects.get(plan=plan, code="innovative_startups")
    indicator = Indicator.objects.filter(targets__parsed_targets__metric=metric).first()
    bounds = period_get_or_create(kind=metric.period_kind, year=2026, number=1)
    ProvinceValue.objects.create(
        metric=metric,
        period=bounds,
        value=Decimal("1234.5"),
        reporters=1,
        as_of=date(2026, 7, 1),
        computed_at=timezone.now(),
    )
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(f"/cong-khai/chi-tieu/{indicator.code}/").content.decode()
    assert f"<td>{text} {metric.unit}</td>" in html
    figures = json.loads(re.search(r'<script id="figures" type="application/json">(.*?)</script>', html, re.S)[1])
    assert {f["layout"]["separators"] for f in figures.values()} == {",." if language == "vi" else ".,"}


def test_the_official_report_stays_vietnamese_for_an_english_requester(
    plan, reviewer, django_capture_on_commit_callbacks
):
    world = report_world(plan, AS_OF)
    with translation.override("en"):
        english = _docx(_request(plan, world, django_capture_on_commit_callbacks, user=reviewer))
    vietnamese = _docx(_request(plan, world, django_capture_on_commit_callbacks, user=reviewer))
    targets = next(t for t in english[1] if t[0][0] == "Mã")
    assert any(re.search(r"\d,\d", row[2]) for row in targets[1:])  # "12,5 — Quý III/2026"
    assert english == vietnamese
