"""Open data as a portal: whole datasets streamed as CSV, a Frictionless Data Package that `frictionless
validate` passes against the live server, the DCAT catalogue in JSON-LD, and the catalogue page."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.test import override_settings

from adjustments.services import adjustment_approve, adjustment_create
from adjustments.state import ChangeSpec
from indicators.models import Observation, ProvinceValue, SubmissionStatus
from indicators.selectors import target_statuses_as_of
from tasks.models import TaskOccurrence
from tests.factories import snapshots_fill

AS_OF = date(2026, 6, 20)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_every_approved_figure_in_one_streamed_file(client, plan):
    snapshots_fill(plan, as_of=AS_OF, size=4)
    approved = Observation.objects.filter(status=SubmissionStatus.APPROVED)
    assert approved.count() > 1000  # more than the API's largest page

    response = client.get("/api/datasets/so-lieu-da-phe-duyet.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert "so-lieu-da-phe-duyet-theo-co-quan_65-KH-TU_" in disposition and disposition.endswith('.csv"')
    rows = _csv(response)
    assert len(rows) == approved.count()
    first = approved.select_related("metric", "agency", "period").order_by(
        "metric__code", "period__ends_on", "agency__code", "pk"
    )[0]
    assert rows[0]["metric"] == first.metric.code
    assert rows[0]["agency"] == first.agency.code
    assert rows[0]["period"] == first.period.label
    assert rows[0]["value"] == format(first.value.normalize(), "f")


def test_figures_waiting_for_review_stay_out(client, plan):
    snapshots_fill(plan, as_of=AS_OF)
    waiting = Observation.objects.exclude(status=SubmissionStatus.APPROVED).count()
    assert waiting
    rows = _csv(client.get("/api/datasets/so-lieu-da-phe-duyet.csv"))
    assert len(rows) == Observation.objects.filter(status=SubmissionStatus.APPROVED).count()


def test_province_values_target_and_task_statuses_download_whole(client, plan):
    snapshots_fill(plan, as_of=AS_OF)
    sizes = {
        "gia-tri-toan-tinh": ProvinceValue.objects.count(),
        "tinh-trang-muc-tieu": target_statuses_as_of().count(),
        "tinh-trang-nhiem-vu": TaskOccurrence.objects.count(),
    }
    for slug, size in sizes.items():
        rows = _csv(client.get(f"/api/datasets/{slug}.csv"))
        assert size and len(rows) == size, slug
    statuses = _csv(client.get("/api/datasets/tinh-trang-muc-tieu.csv"))
    assert not any("$" in row["target_text"] or "\\geq" in row["target_text"] for row in statuses)


def test_unknown_dataset_is_404(client, db):
    assert client.get("/api/datasets/khong-co.csv").status_code == 404


@override_settings(PUBLIC_DATA_ENABLED=False)
def test_downloads_need_login_when_public_data_is_off(client, db):
    assert client.get("/api/datasets/so-lieu-da-phe-duyet.csv").status_code in (401, 403)
    assert client.get("/api/datapackage.json").status_code in (401, 403)


def test_datapackage_points_at_the_downloads(client, plan):
    descriptor = client.get("/api/datapackage.json").json()
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    assert paths["so-lieu-da-phe-duyet"] == "http://testserver/api/datasets/so-lieu-da-phe-duyet.csv"
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["value"]["type"] == "number"
    assert fields["agency_name"]["title"] == "Cơ quan, địa phương báo cáo"
    assert fields["value"]["unit"] == "theo cột unit"


@override_settings(
    OPEN_DATA_LICENSE_NAME="ODC-BY-1.0", OPEN_DATA_LICENSE_URL="https://opendatacommons.org/licenses/by/"
)
def test_licence_follows_the_settings(client, plan):
    descriptor = client.get("/api/datapackage.json").json()
    assert descriptor["licenses"][0]["name"] == "ODC-BY-1.0"
    catalogue = json.loads(client.get("/api/catalog.jsonld").content)
    assert catalogue["dct:license"] == {"@id": "https://opendatacommons.org/licenses/by/"}


def test_dcat_catalogue(client, plan):
    snapshots_fill(plan, as_of=AS_OF)
    response = client.get("/api/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalogue = json.loads(response.content)
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(datasets) == {
        "so-lieu-da-phe-duyet",
        "gia-tri-toan-tinh",
        "tinh-trang-muc-tieu",
        "tinh-trang-nhiem-vu",
        "lich-su-ke-hoach",
    }
    figures = datasets["so-lieu-da-phe-duyet"]
    for key in ("dct:title", "dct:description", "dct:publisher", "dct:accrualPeriodicity", "dcat:contactPoint"):
        assert figures[key], key
    assert figures["dct:modified"]["@value"].startswith("20")
    distribution = figures["dcat:distribution"][0]
    assert distribution["dcat:downloadURL"]["@id"].endswith("/api/datasets/so-lieu-da-phe-duyet.csv")
    assert distribution["dcat:mediaType"] == "text/csv"


def test_catalogue_page_lists_datasets_with_their_dictionary(client, plan):
    response = client.get("/cong-khai/du-lieu/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Số liệu đã phê duyệt của các cơ quan, địa phương" in page
    assert "/api/datasets/so-lieu-da-phe-duyet.csv" in page
    assert "CC BY 4.0" in page
    assert "Cơ quan, địa phương báo cáo" in page  # the data dictionary
    assert "/api/datapackage.json" in page and "/api/catalog.jsonld" in page


def test_frictionless_validates_the_datapackage_served_live(live_server, loaded_plan):
    snapshots_fill(loaded_plan, as_of=AS_OF)
    # the plan's history has a row: an approved adjustment
    adjustment = adjustment_create(
        plan=loaded_plan,
        decision_number="125-QĐ/TU",
        signed_on=date(2026, 12, 20),
        effective_on=date(2027, 1, 1),
        changes=[ChangeSpec("task", "8", "deadline", "Thường xuyên", "Tháng 6/2027")],
    )
    adjustment_approve(adjustment=adjustment, user=None)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "frictionless"),
            "validate",
            "--json",
            f"{live_server.url}/api/datapackage.json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors = [error for task in report["tasks"] for error in task["errors"]] + report.get("errors", [])
    assert report["valid"], errors[:5]
    assert result.returncode == 0
    assert {task["name"] for task in report["tasks"]} == {
        "so-lieu-da-phe-duyet",
        "gia-tri-toan-tinh",
        "tinh-trang-muc-tieu",
        "tinh-trang-nhiem-vu",
        "lich-su-ke-hoach",
    }
    assert all(task["stats"]["rows"] > 0 for task in report["tasks"])


@pytest.mark.parametrize(
    "url", ["/api/indicators/KHONG-CO/", "/api/indicators/?page=999", "/api/khong-co/", "/api/datasets/khong-co.csv"]
)
def test_not_found_speaks_the_request_language_in_json(client, plan, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy dữ liệu yêu cầu."}


def test_writes_are_refused_in_the_request_language(client, plan):
    response = client.post("/api/figures/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Dữ liệu mở chỉ cho phép đọc (GET)."}


def test_api_texts_carry_no_raw_latex(client, plan):
    text = client.get("/api/indicators/", {"page_size": 1000}).content.decode()
    assert "\\\\geq" not in text and "$" not in text
    assert "≥" in text


def test_public_indicator_page_has_series_with_periods_targets_and_dictionary(client, plan):
    snapshots_fill(plan, as_of=AS_OF)
    indicator = plan.indicators.get(code="I.1")
    metric = indicator.targets.get(year=2030).parsed_targets.first().metric
    value = (
        ProvinceValue.objects.filter(metric=metric, period__kind=metric.period_kind).order_by("period__ends_on").last()
    )

    response = client.get("/cong-khai/chi-tieu/I.1/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cập nhật lần cuối:" in page
    assert "Từ điển dữ liệu" in page and metric.code in page and "Tần suất báo cáo" in page
    assert value.period.label in page
    figure = response.context["figures"]["series-0"]
    labels = [row[0] for row in figure["data"][0]["customdata"]]
    assert value.period.label in labels
    # each target named with its value in the legend (labels written beside them overlapped on a phone)
    assert figure["data"][1]["name"].startswith("Mục tiêu 2030: ") and "text" not in figure["data"][1]
    assert "/cong-khai/chi-tieu/I.1/" in client.get("/cong-khai/").content.decode()


def test_public_indicator_page_follows_the_setting(client, plan, settings):
    assert client.get("/cong-khai/chi-tieu/KHONG-CO/").status_code == 404
    settings.PUBLIC_DATA_ENABLED = False
    assert client.get("/cong-khai/chi-tieu/I.1/").status_code == 404
    assert client.get("/cong-khai/du-lieu/").status_code == 404


def test_api_csv_file_names_say_what_they_hold(client, plan):
    response = client.get("/api/figures/", {"format": "csv", "page_size": 5})
    assert response.status_code == 200
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("so-lieu-da-phe-duyet-theo-co-quan_") and name.endswith(".csv")
    statuses = client.get("/api/target-statuses/", {"format": "csv"})
    assert 'filename="tinh-trang-muc-tieu_' in statuses["Content-Disposition"]
