"""Behind the proxy: one rule for the client's address (``core.clients.client_address``, ``DJANGO_NUM_PROXIES``),
used by the log-in lockout (django-axes) and the open-data API's throttle; and a deployment that lets no one reach
gunicorn past the proxy to forge that address."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from core.clients import client_address
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that comes through the proxy


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", PROXY),
        (0, "203.0.113.66", PROXY),  # no proxy of ours: the header is the client's own word
        (1, "", PROXY),
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "6.6.6.6, 203.0.113.66", "203.0.113.66"),  # what the client wrote, then what our proxy saw
        (2, "6.6.6.6, 203.0.113.66, 10.0.0.9", "203.0.113.66"),
        (3, "203.0.113.66", "203.0.113.66"),  # fewer entries than proxies: the leftmost
        (1, "not-an-address", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_entry_the_outermost_proxy_wrote(settings, proxies, forwarded, expected):
    settings.NUM_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_address(RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra)) == expected


def _log_in(client, username: str, password: str, address: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_the_proxy_one_clients_failures_lock_out_that_client_not_everyone(client, db, reviewer, settings):
    settings.NUM_PROXIES = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, reviewer.username, "sai", "203.0.113.66")
    assert _log_in(client, reviewer.username, "sai", "203.0.113.66").status_code == 429
    # the account's owner, elsewhere, is not locked out by a stranger's guesses
    assert _log_in(client, reviewer.username, PASSWORD, "198.51.100.20").status_code == 302


def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_lockout(client, db, reviewer, settings):
    settings.NUM_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, reviewer.username, "sai", f"198.51.100.{n}")
    assert _log_in(client, reviewer.username, PASSWORD, "198.51.100.99").status_code == 429


def test_a_user_name_longer_than_the_lockout_keeps_is_refused_with_the_login_page(client, db):
    response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_docker_compose_never_publishes_gunicorn():
    """Proxy mode trusts X-Forwarded-For: a client reaching gunicorn directly would choose its own address (70 of
    70 requests never throttled). Only the load balancer is published; the web nodes are reached through it."""
    services = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["web"] and services["web"]["expose"] == ["8000"]
    assert [name for name, service in services.items() if service.get("ports")] == ["lb"]
