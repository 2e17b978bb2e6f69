"""English as a second language: the pages switch with the language cookie (Vietnamese without it), and the
committed translation catalogue is complete and compiled from the current .po."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dashboards.views import explanation_lines
from indicators.periods import period_bounds
from indicators.validation import FigureInput, clean_figure

from .factories import occurrences_make, snapshots_fill

AS_OF = date(2026, 9, 30)
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}")

# page -> (English strings, the Vietnamese strings they translate)
PAGES = {
    "home": (
        ["Overview of the implementation of Plan 65-KH/TU", "Key figures", "Target milestone", "Agency scorecard"],
        ["Tổng quan thực hiện Kế hoạch 65-KH/TU", "Số liệu chính", "Mốc mục tiêu", "Bảng điểm các cơ quan"],
    ),
    "indicator": (
        ["Indicator I.1", "Targets per milestone (verbatim from Appendix I)", "Why this colour?", "By the end of 2030"],
        ["Chỉ tiêu I.1", "Mục tiêu theo từng mốc (nguyên văn Phụ lục I)", "Vì sao màu này?", "Đến hết năm 2030"],
    ),
    "task_list": (
        ["Appendix II – Task board", "Filter tasks", "Deadline kind", "Lead agency", "Clear filters"],
        ["Phụ lục II – Bảng theo dõi nhiệm vụ", "Lọc nhiệm vụ", "Loại thời hạn", "Cơ quan chủ trì", "Bỏ lọc"],
    ),
}
STATUS_LABELS_EN = ["Achieved", "On track", "Needs acceleration", "Limited progress", "Moving away", "No data"]
STATUS_LABELS_VI = ["Đã đạt", "Đúng lộ trình", "Cần tăng tốc", "Tiến triển chậm", "Đi xuống", "Chưa có số liệu"]


@pytest.fixture(autouse=True)
def _vietnamese_afterwards():
    """The middleware activates the chosen language for the thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def steering_client(client, plan, steering):
    snapshots_fill(plan, as_of=AS_OF)
    occurrences_make(plan, as_of=AS_OF, size=2, seed=3)
    client.force_login(steering)
    return client


def _url(name: str) -> str:
    return reverse(name, args=["I.1"]) if name == "indicator" else reverse(name)


def _html(client, name: str, language: str | None) -> str:
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(_url(name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_english_with_the_language_cookie(steering_client, name):
    english, vietnamese = PAGES[name]
    html = _html(steering_client, name, "en")
    assert '<html lang="en"' in html
    for text in english:
        assert text in html, text
    for text in vietnamese:
        assert text not in html, text
    assert all(text in html for text in [">Overview<", ">Indicators<", ">Tasks<", "Log out"])  # the header too


@pytest.mark.parametrize("name", PAGES)
def test_pages_stay_vietnamese_without_the_cookie(steering_client, name):
    english, vietnamese = PAGES[name]
    html = _html(steering_client, name, None)
    assert '<html lang="vi"' in html
    for text in vietnamese:
        assert text in html, text
    for text in english:
        assert text not in html, text


def test_status_labels_follow_the_language(steering_client):
    english = _html(steering_client, "home", "en")
    assert all(f">{label}<" in english for label in STATUS_LABELS_EN)
    assert not any(f">{label}<" in english for label in STATUS_LABELS_VI)
    assert "Overdue" in _html(steering_client, "task_list", "en")

    vietnamese = _html(steering_client, "home", "vi")
    assert all(f">{label}<" in vietnamese for label in STATUS_LABELS_VI)
    assert not any(f">{label}<" in vietnamese for label in STATUS_LABELS_EN)


def test_login_page_in_both_languages(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("login")).content.decode()
    assert all(text in english for text in ["Log in", "Username", "Password", "Forgot your password?"])
    assert "Tên đăng nhập" not in english

    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    vietnamese = client.get(reverse("login")).content.decode()
    assert all(text in vietnamese for text in ["Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Quên mật khẩu?"])
    assert "Username" not in vietnamese


def test_the_language_selector_sets_the_cookie(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()


def test_messages_built_in_python_are_translated():
    with translation.override("en"):
        assert period_bounds("quarter", 2026, 2).label == "Quarter II/2026"
        assert clean_figure("stock", FigureInput("-3")).errors["value"] == ["A quantity cannot be negative."]
    with translation.override("vi"):
        assert period_bounds("quarter", 2026, 2).label == "Quý II/2026"
        assert clean_figure("stock", FigureInput("-3")).errors["value"] == ["Số lượng không được âm."]


def test_why_this_colour_reads_as_sentences_in_the_chosen_language():
    explanation = {"reason": "growth_ratio", "ratio": 0.4, "as_of": "2026-09-30", "next_unmet_milestone": 2035}
    with translation.override("en"):
        assert explanation_lines(explanation) == [
            "Compares the actual compound growth rate with the rate needed to meet the target on time.",
            "Next milestone not yet met: 2035.",
        ]
    with translation.override("vi"):
        lines = explanation_lines({"reason": "gap_closure", "method": "linear", "linear_because": "range"})
        assert lines == [
            "So tốc độ thu hẹp khoảng cách thực tế với tốc độ cần có để đạt mục tiêu đúng hạn.",
            "Dùng phương pháp tuyến tính vì mục tiêu là một khoảng giá trị.",
        ]


# The catalogue


def _catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_every_string_is_translated_and_none_is_fuzzy():
    po = _catalogue()
    assert len(po) > 600
    assert not po.metadata_is_fuzzy
    untranslated = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []
    assert po.obsolete_entries() == []


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in _catalogue():
        pairs = (
            [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        wrong += [(a, b) for a, b in pairs if sorted(PLACEHOLDER.findall(a)) != sorted(PLACEHOLDER.findall(b))]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (a fresh machine has no gettext tools): it must hold exactly what the .po says."""

    def messages(catalogue) -> dict:
        return {
            (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid
        }

    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    assert messages(compiled) == messages(_catalogue())


# In a real browser


@pytest.mark.browser
def test_english_pages_draw_their_charts_in_the_browser(page, live_server, loaded_plan):
    from agencies.models import User

    from .conftest import PASSWORD, login

    snapshots_fill(loaded_plan, as_of=date.today())
    User.objects.create_user(username="bcd.en", password=PASSWORD, role=User.Role.STEERING)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    login(page, live_server, "bcd.en")
    shots = os.environ.get("I18N_SCREENSHOTS")  # a folder: look at the English pages (1366×768)
    for path, heading in [("/", "Overview of the implementation"), ("/chi-tieu/I.1/", "Indicator I.1")]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert heading in page.inner_text("h1")
        assert page.locator("[data-figure] .main-svg").count() > 0
        if shots:
            page.screenshot(path=f"{shots}/en{path.replace('/', '_')}.png", full_page=False)
    assert page.console_errors == []
