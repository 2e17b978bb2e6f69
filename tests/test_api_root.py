"""The browsable API's root (/api/) wears the site's name in the reader's language and leads back to the open-data
page, not DRF's own branding."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.parametrize(
    ("language", "site", "section", "link"),
    [
        ("vi", "Kế hoạch 65-KH/TU · Dữ liệu mở", "Dữ liệu mở", "Danh mục dữ liệu mở"),
        ("en", "Plan 65-KH/TU · Open data", "Open data", "Open data catalogue"),
    ],
)
def test_api_root_is_branded_and_links_to_the_open_data_page(client, db, language, site, section, link):
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/api/", HTTP_ACCEPT="text/html")
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Django REST framework" not in html and "django-rest-framework.org" not in html
    assert f">{site}</a>" in html
    assert f"<h1>{section}</h1>" in html
    assert f'<a href="/cong-khai/du-lieu/" id="trang-du-lieu-mo">{link}</a>' in html
    assert '<a href="/cong-khai/du-lieu/">/cong-khai/du-lieu/</a>' in html  # in the description
    assert "<title>" + section in html


def test_api_root_json_is_unchanged(client, db):
    data = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert data["figures"].endswith("/api/figures/")
