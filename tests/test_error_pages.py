"""The 400, 403, 404 and 500 pages are the site's own, in the site's layout, in Vietnamese and in English."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

pytestmark = pytest.mark.django_db


def _bad_request(request):
    raise SuspiciousOperation("bad")


def _denied(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("loi/400/", _bad_request),
    path("loi/403/", _denied),
    path("loi/500/", _broken),
]

PAGES = {
    "400": ("/loi/400/", "Yêu cầu không hợp lệ", "Bad request"),
    "403": ("/loi/403/", "Không có quyền truy cập", "Access denied"),
    "404": ("/khong-co-trang-nay/", "Không tìm thấy trang", "Page not found"),
    "500": ("/loi/500/", "Hệ thống gặp sự cố", "Something went wrong"),
}


@pytest.fixture
def error_urls(settings):
    import config.urls

    settings.ROOT_URLCONF = __name__
    # the layout's links (home, language) must resolve here too
    urlpatterns[3:] = config.urls.urlpatterns
    yield


@pytest.mark.parametrize("code", PAGES)
@override_settings(DEBUG=False)
def test_error_pages_are_styled_and_in_both_languages(code, error_urls, agency_staff):
    url, vietnamese, _english = PAGES[code]
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == int(code)
    body = response.content.decode()
    assert vietnamese in body
    assert 'class="topbar"' in body and "css/app.css" in body  # the site's layout, not Django's bare page
    assert "Traceback" not in body and "boom" not in body

    client.force_login(agency_staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(url)
    assert response.status_code == int(code)
    body = response.content.decode()
    assert '<html lang="en">' in body
    with translation.override("en"):
        assert translation.gettext(vietnamese) in body  # English once the catalogue has the English text
