"""Issue 3 as a new user tries it, in a real headless Chromium: enter, draft, submit, review, history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indicators.models import Observation
from tests.conftest import _user, login

pytestmark = pytest.mark.browser


def shot(page, tmp_path, name):
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


@pytest.fixture
def new_page(browser):
    """Pages in their own contexts (one per user), all closed before the live server stops."""
    contexts = []

    def make(browser):
        contexts.append(browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN"))
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


def row(page, code):
    return page.locator(f"#chi-so-{code}")


def test_department_enters_reviewer_returns_one_and_approves_the_rest(
    browser, new_page, live_server, loaded_plan, tmp_path
):
    _user("khcn.test", "agency_staff", "so-khcn")
    _user("vptu.test", "reviewer", "vp-tu")
    _user("congan.test", "agency_staff", "cong-an")

    staff = new_page(browser)
    errors = []
    staff.on("pageerror", lambda exc: errors.append(str(exc)))
    login(staff, live_server, "khcn.test")
    staff.click("nav >> text=Nhập số liệu")
    assert staff.locator("h1").inner_text().startswith("Số liệu cần báo cáo")

    # this month's and quarter's figures, Vietnamese style; one bad value
    row(staff, "dti_index").locator("input[name$=-value]").fill("0,78")
    row(staff, "st_researchers").locator("input[name$=-value]").fill("12,5")
    ratio = row(staff, "digitized_admin_records")  # a monthly ratio the department reports itself
    ratio.locator("input[name$=-numerator]").fill("1.200")
    ratio.locator("input[name$=-denominator]").fill("1.600")
    assert ratio.locator("[data-percent]").inner_text() == "= 75,00%"
    staff.click("button[value=draft]")
    assert "Số lượng phải là số nguyên" in row(staff, "st_researchers").locator(".fielderror").inner_text()
    # the two rows filled in right are saved; the wrong one waits, named at the top of the page (issue 25)
    assert sorted(Observation.objects.values_list("metric__code", flat=True)) == [
        "digitized_admin_records",
        "dti_index",
    ]
    assert "Đã lưu nháp 2 số liệu" in staff.locator(".messages").inner_text()
    assert "1 số liệu chưa lưu được" in staff.locator("[data-error-summary]").inner_text()
    shot(staff, tmp_path, "entry-error")

    row(staff, "st_researchers").locator("input[name$=-value]").fill("650")
    staff.click("button[value=draft]")
    assert "Đã lưu nháp 3 số liệu" in staff.locator(".messages").inner_text()
    staff.goto(staff.url)  # come back later: the draft is there
    assert row(staff, "dti_index").locator("input[name$=-value]").input_value() == "0,78"
    shot(staff, tmp_path, "entry-draft")
    staff.click("button[value=submit]")
    assert "Đã gửi 3 số liệu để thẩm định" in staff.locator(".messages").inner_text()
    assert set(Observation.objects.values_list("status", flat=True)) == {"submitted"}

    # the reviewer returns one value with a reason and approves the rest
    review = new_page(browser)
    login(review, live_server, "vptu.test")
    review.click("nav >> text=Thẩm định")
    researchers = Observation.objects.get(metric__code="st_researchers")
    shot(review, tmp_path, "review-queue")
    review.fill(f"input[name=reason-o{researchers.pk}]", "Số cán bộ nghiên cứu chưa khớp báo cáo năm")
    review.click(f"button[name=return_o][value='{researchers.pk}']")
    assert "Đã trả lại" in review.locator(".messages").inner_text()
    review.check("input[data-select-all=o]")
    review.click("button[value=approve]")
    assert "Đã duyệt 2 mục" in review.locator(".messages").inner_text()
    statuses = dict(Observation.objects.values_list("metric__code", "status"))
    assert statuses == {"st_researchers": "returned", "dti_index": "approved", "digitized_admin_records": "approved"}

    # another agency's staff cannot see the department's unapproved (returned) figure, nor its history
    other = new_page(browser)
    login(other, live_server, "congan.test")
    assert other.goto(f"{live_server.url}/so-lieu/{researchers.pk}/").status == 404
    assert other.goto(f"{live_server.url}/so-lieu/{researchers.pk}/lich-su/").status == 404
    other.goto(f"{live_server.url}/so-lieu/")
    assert other.locator("text=chưa khớp báo cáo năm").count() == 0

    # the department sees the reason and resubmits; the reviewer approves
    staff.goto(f"{live_server.url}/so-lieu/")
    assert "chưa khớp báo cáo năm" in row(staff, "st_researchers").inner_text()
    row(staff, "st_researchers").locator("input[name$=-value]").fill("620")
    staff.click("button[value=submit]")
    review.goto(f"{live_server.url}/tham-dinh/")
    review.check(f"input[name=o][value='{researchers.pk}']")
    review.click("button[value=approve]")

    # another agency's staff cannot change approved values
    approved_dti = Observation.objects.get(metric__code="dti_index")
    response = other.goto(f"{live_server.url}/so-lieu/{approved_dti.pk}/")
    assert response.status == 200 and other.locator("text=Đề nghị điều chỉnh số liệu đã duyệt").count() == 0
    token = other.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value")
    posted = other.request.post(
        f"{live_server.url}/so-lieu/{approved_dti.pk}/dieu-chinh/",
        form={"value": "0,1", "reason": "thử", "csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + "/"},
    )
    assert posted.status == 403
    approved_dti.refresh_from_db()
    assert str(approved_dti.value.normalize()) == "0.78" and approved_dti.correction_status == ""

    # the history of the value shows every step
    staff.goto(f"{live_server.url}/so-lieu/{researchers.pk}/lich-su/")
    steps = staff.locator("tr.history-step")
    assert steps.count() == 5
    text = staff.locator("table.historytable").inner_text()
    for expected in ["Lưu nháp", "Gửi duyệt", "Trả lại: Số cán bộ nghiên cứu chưa khớp", "Phê duyệt", "650 → 620"]:
        assert expected in text
    shot(staff, tmp_path, "history")
    assert errors == []
