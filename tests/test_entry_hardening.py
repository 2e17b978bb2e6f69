"""Entry services refuse what would break the database or bloat the pages, and leave nothing behind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from core.workflow import EntryError
from indicators.models import Metric, Observation
from indicators.services import observation_return
from tests.test_data_entry import PDF, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def khcn(plan) -> Agency:
    return Agency.objects.get(code="so-khcn")


@pytest.fixture
def metric(plan, khcn) -> Metric:
    return Metric.objects.filter(reporters=khcn).exclude(kind="ratio").order_by("code").first()


def test_a_replaced_evidence_file_is_deleted_from_storage(
    metric,
    khcn,
    agency_staff,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    first = save(metric, khcn, agency_staff, evidence=SimpleUploadedFile("a.pdf", PDF))
    old = tmp_path / first.evidence.name
    assert old.exists()
    with django_capture_on_commit_callbacks(execute=True):
        second = save(metric, khcn, agency_staff, evidence=SimpleUploadedFile("b.pdf", PDF))
    assert (tmp_path / second.evidence.name).exists()
    assert not old.exists()


def test_a_long_return_reason_is_kept_whole_and_shortened_only_in_the_history(
    metric,
    khcn,
    agency_staff,
    reviewer,
):
    figure = save(metric, khcn, agency_staff, submit=True)
    reason = "Số liệu chưa khớp với báo cáo quý trước; " * 5
    assert observation_return(observation=figure, user=reviewer, reason=reason)
    figure = Observation.objects.get(pk=figure.pk)
    assert figure.review_note == reason.strip()
    assert len(figure.history.first().history_change_reason) <= 100


@pytest.mark.parametrize("reason, message", [("lý do\x00", "NUL"), ("x" * 6000, "tối đa 5000")])
def test_a_bad_reason_or_note_is_refused_with_a_message(metric, khcn, agency_staff, reviewer, reason, message):
    with pytest.raises(EntryError, match=message):
        save(metric, khcn, agency_staff, note=reason)
    assert not Observation.objects.filter(agency=khcn, metric=metric).exists()
    figure = save(metric, khcn, agency_staff, submit=True)
    with pytest.raises(EntryError, match=message):
        observation_return(observation=figure, user=reviewer, reason=reason)
    assert Observation.objects.get(pk=figure.pk).status == "submitted"
