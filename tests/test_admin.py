"""The Django admin: every model is there, pages render, workflow rows are read-only, private files stay private."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse

from agencies.models import Agency
from indicators.models import Metric, Observation
from indicators.services import period_get_or_create

OUR_APPS = ("agencies", "indicators", "tasks", "oversight", "reports")


def _models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and not m.__name__.startswith("Historical")]


def test_every_model_is_in_the_admin():
    missing = [m._meta.label for m in _models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_changelist_renders_for_the_administrator(client, plan, administrator, model):
    client.force_login(administrator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200, url


@pytest.fixture
def figure_with_evidence(plan, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    figure = Observation.objects.create(
        metric=Metric.objects.get(plan=plan, code="st_enterprises"),
        agency=Agency.objects.get(code="so-khcn"),
        period=period_get_or_create(kind="quarter", year=2026, number=3),
        value=Decimal(12),
        status="approved",
    )
    figure.evidence.save("bien-ban.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return figure


def test_a_figure_is_read_only_in_the_admin_and_its_file_goes_through_the_checked_view(
    client, administrator, figure_with_evidence
):
    client.force_login(administrator)
    url = reverse("admin:indicators_observation_change", args=[figure_with_evidence.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("observation_evidence", args=[figure_with_evidence.pk]) in html
    assert "/uploads/" not in html and "evidence/" not in html  # no path to the private file
    response = client.post(url, {"value": "99", "status": "draft"})
    assert response.status_code == 403
    figure_with_evidence.refresh_from_db()
    assert figure_with_evidence.value == Decimal(12) and figure_with_evidence.status == "approved"
