"""The vendored axe-core helper finds what it should, so a clean result on a real page means something."""

import pytest

from tests.browser.axe import assert_accessible, assert_no_sideways_scroll, axe_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def test_axe_reports_serious_violations_and_passes_a_clean_page(page):
    page.set_content(
        '<html lang="vi"><head><title>x</title></head><body><main><h1>Trang</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">chữ mờ</p></main></body></html>'
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)

    page.set_content(
        '<html lang="vi"><head><title>x</title></head><body><main><h1>Trang</h1><p>chữ rõ</p></main></body></html>'
    )
    assert_accessible(page)


def test_sideways_scroll_is_measured(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content('<html><body style="margin:0"><div id="rong" style="width:600px">x</div></body></html>')
    assert horizontal_overflow(page) == 210
    with pytest.raises(AssertionError, match="div#rong"):
        assert_no_sideways_scroll(page)
    page.set_content(
        '<html><body style="margin:0"><div style="overflow-x:auto"><div style="width:600px">x</div></div></body></html>'
    )
    assert_no_sideways_scroll(page)
