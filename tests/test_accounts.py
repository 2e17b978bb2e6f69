"""Logging in and out, changing and resetting a password (the email goes to Django's locmem outbox)."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def test_log_in_and_out(client, agency_staff):
    response = client.post(reverse("login"), {"username": agency_staff.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    html = client.get(reverse("home"), follow=True).content.decode()  # staff land on their work list
    assert "Đổi mật khẩu" in html and "Nhập số liệu" in html and "Việc cần làm" in html
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_nav_links_follow_the_role(client, reviewer, steering):
    client.force_login(reviewer)
    html = client.get(reverse("home"), follow=True).content.decode()
    assert "Thẩm định" in html and "Nhập số liệu" not in html and "Việc cần làm" not in html
    client.force_login(steering)
    html = client.get(reverse("home")).content.decode()
    assert "Thẩm định" not in html and "Nhập số liệu" not in html and "Kỳ báo cáo" in html


def test_password_change(client, agency_staff):
    client.force_login(agency_staff)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Mat-khau-moi-2026!", "new_password2": "Mat-khau-moi-2026!"},
    )
    assert response.status_code == 302
    agency_staff.refresh_from_db()
    assert agency_staff.check_password("Mat-khau-moi-2026!")


def test_password_reset_by_email(client, agency_staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("password_reset"), {"email": agency_staff.email})
    assert response.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/tai-khoan/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "Dat-lai-2026!x", "new_password2": "Dat-lai-2026!x"})
    assert response.status_code == 302
    agency_staff.refresh_from_db()
    assert agency_staff.check_password("Dat-lai-2026!x")
