"""The data explorer in a real Chromium, as the standing office uses it: pick a metric and the communes, choose
what goes on the rows and columns, read the table and its chart; the link reopens the same view for someone
else; the CSV download holds what the table shows. At 1366 and 390 px, accessible, never scrolling sideways."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation
from tests.browser.axe import assert_accessible, assert_no_sideways_scroll
from tests.conftest import _user, login
from tests.factories import period_make

pytestmark = pytest.mark.browser


@pytest.fixture
def commune_figures(loaded_plan):
    reviewer = _user("vptu.tc", "reviewer", "vp-tu")
    _user("bcd.tc", "steering")
    metric = Metric.objects.get(code="online_admin_dossiers")
    communes = list(Agency.objects.filter(kind="locality").order_by("name")[:3])
    metric.reporters.add(*communes)
    for month in (3, 6, 9):
        period = period_make("month", 2026, month)
        for step, commune in enumerate(communes):
            share = Decimal(40 + 5 * step + month)
            Observation.objects.create(
                metric=metric,
                agency=commune,
                period=period,
                value=share,
                numerator=share,
                denominator=Decimal(100),
                status=SubmissionStatus.APPROVED,
                reviewed_by=reviewer,
            )
    return metric, communes


def _table(page) -> list[list[str]]:
    return [
        [cell.strip() for cell in row]
        for row in page.eval_on_selector_all(
            ".pivot tr", "rows => rows.map(r => [...r.children].map(c => c.innerText))"
        )
    ]


def test_pick_pivot_share_and_download(browser, live_server, commune_figures, tmp_path):
    metric, communes = commune_figures
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    login(page, live_server, "vptu.tc")
    page.click(".mainnav >> text=Tra cứu")
    assert page.locator("h1").inner_text() == "Tra cứu số liệu"
    # pick: the metric, three communes, 2026 by quarter, communes on the rows and quarters on the columns
    page.select_option("#chon-chi-so", [metric.code])
    page.select_option("#chon-co-quan", [c.code for c in communes])
    page.select_option("#chon-theo", "quy")
    page.select_option("#chon-tu", "2026")
    page.select_option("#chon-den", "2026")
    page.select_option("#chon-hang", "co-quan")
    page.select_option("#chon-cot", "ky")
    page.click("text=Xem bảng")
    page.wait_for_load_state()
    table = _table(page)
    assert table[0] == ["Cơ quan \\ Kỳ", "Quý I/2026", "Quý II/2026", "Quý III/2026", "Quý IV/2026"]
    assert [row[0] for row in table[1:]] == [c.display_name for c in communes]
    assert table[1][1:4] == ["43", "46", "49"]  # each quarter's latest month: 40 + 3, + 6, + 9
    page.locator(".chart .main-svg").first.wait_for()
    assert page.locator(".chart .scatterlayer .trace").count() == 3  # a line per commune
    assert_accessible(page, "/tra-cuu/ at 1366")

    # pivot: the quarters on the rows, the communes on the columns
    page.select_option("#chon-hang", "ky")
    page.select_option("#chon-cot", "co-quan")
    page.click("text=Xem bảng")
    page.wait_for_load_state()
    turned = _table(page)
    assert [row[0] for row in turned[1:]] == ["Quý I/2026", "Quý II/2026", "Quý III/2026", "Quý IV/2026"]
    assert [row[1] for row in turned[1:4]] == ["43", "46", "49"]

    # share: the link opens the same view for another reader
    shared = page.url
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    phone = other.new_page()
    login(phone, live_server, "bcd.tc")
    phone.goto(shared)
    assert _table(phone) == turned
    assert phone.locator("#chon-hang").input_value() == "ky" and phone.locator("#chon-cot").input_value() == "co-quan"
    assert_no_sideways_scroll(phone, "/tra-cuu/ at 390")
    assert_accessible(phone, "/tra-cuu/ at 390")
    other.close()

    # download: the CSV holds the table as shown
    with page.expect_download() as download:
        page.click("#ket-qua .downloads a:has-text('CSV')")
    saved = tmp_path / "tra-cuu.csv"
    download.value.save_as(saved)
    with open(saved, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == turned[0]
    for line, shown in zip(rows[1:], turned[1:], strict=True):
        assert line[0] == shown[0]
        assert [float(x) if x else None for x in line[1:]] == [
            None if x in ("", "Chưa có số liệu") else float(x.replace(".", "").replace(",", ".")) for x in shown[1:]
        ]
    context.close()
