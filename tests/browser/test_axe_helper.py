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


def test_undecided_contrast_fails_unless_only_scrolled_out_of_view_or_drawn(page):
    # blue on blue, as a link rule once made the "Báo cáo NV n" buttons: axe says only "incomplete" (1:1)
    page.set_content(
        '<html lang="vi"><head><title>x</title></head><body><main><h1>Trang</h1>'
        '<a href="#" style="color:#0b5cad;background:#0b5cad;padding:4px">Báo cáo NV 1</a></main></body></html>'
    )
    with pytest.raises(AssertionError, match="color-contrast-incomplete"):
        assert_accessible(page)

    # a wide table on a phone, its last column scrolled out of its box; a chart's SVG text: both fine
    page.set_viewport_size({"width": 390, "height": 844})
    cells = "".join(f"<td>{n}</td>" for n in range(12))
    page.set_content(
        '<html lang="vi"><head><title>x</title></head><body><main><h1>Trang</h1>'
        '<div style="overflow-x:auto" tabindex="0" role="region" aria-label="Bảng">'
        f'<table style="width:1200px"><tr><th scope="row">Hàng</th>{cells}</tr></table></div>'
        '<svg width="200" height="60" role="img" aria-label="Biểu đồ"><text x="5" y="30">2.559</text></svg>'
        "</main></body></html>"
    )
    assert_accessible(page)
