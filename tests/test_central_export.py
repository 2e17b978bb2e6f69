"""The report to the centre (issue 20): the mapping loaded from a spreadsheet (``import_central_mapping``), the export
for a period (``central_export``, /api/central-export/, and beside the province's periodic report), its values
checked against the approved figures, with the conversion, the period, the freshness, who approved, and what
could not be mapped or has no approved value listed, never dropped."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from agencies.models import Agency, User
from config.celery import app as celery_app
from core.workflow import SubmissionStatus
from imports.batches import import_batch_undo, import_run
from indicators.models import Metric, Observation
from oversight.models import CentralIndicator
from reports import services

from .factories import period_make

AS_OF = date(2026, 10, 15)
HEADERS = ["Mã chỉ số", "Mã chỉ tiêu TW", "Tên chỉ tiêu TW", "Đơn vị TW", "Hệ số quy đổi"]
#: the plan's % of full online public services, reported by the centre as a fraction; a count; a metric
#: with no approved figure. Every other metric of the plan is unmapped (dti_index among them).
MAPPING = [
    ["full_online_public_services", "TW-DVC-01", "Tỷ lệ dịch vụ công trực tuyến toàn trình", "tỷ lệ", "0,01"],
    ["st_enterprises", "TW-KHCN-01", "Số doanh nghiệp khoa học và công nghệ", "doanh nghiệp", 1],
    ["coverage_6g", "TW-HT-01", "Tỷ lệ phủ sóng 6G", "%", None],
]


def mapping_file(path, rows=MAPPING) -> str:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return str(path)


def _figure(code: str, agency: str, quarter: int, *, value=None, numerator=None, denominator=None, status="approved"):
    reviewer_agency = Agency.objects.get(code="vp-tu")
    reviewer, _ = User.objects.get_or_create(
        username="duyet.vptu", defaults={"role": User.Role.REVIEWER, "agency": reviewer_agency}
    )
    return Observation.objects.create(
        metric=Metric.objects.get(code=code),
        agency=Agency.objects.get(code=agency),
        period=period_make("quarter", 2026, quarter),
        value=Decimal(value) if value is not None else Decimal(100) * Decimal(numerator) / Decimal(denominator),
        numerator=numerator,
        denominator=denominator,
        status=status,
        reviewed_by=reviewer if status == SubmissionStatus.APPROVED else None,
        reviewed_at=timezone.make_aware(datetime.combine(AS_OF, time(9))) if status == "approved" else None,
    )


@pytest.fixture
def figures(plan):
    """Approved quarterly figures: the ratio of two agencies in Q3 (30/40 and 15/20: 75% for the province), an
    older Q2 one, a Q4 one after the period and a submitted one (neither counts); Sở KH&CN's count in Q2 only."""
    _figure("full_online_public_services", "so-khcn", 2, numerator=10, denominator=100)
    _figure("full_online_public_services", "so-khcn", 3, numerator=30, denominator=40)
    _figure("full_online_public_services", "cong-an", 3, numerator=15, denominator=20)
    _figure("full_online_public_services", "so-noi-vu", 3, numerator=0, denominator=100, status="submitted")
    _figure("full_online_public_services", "so-khcn", 4, numerator=40, denominator=40)
    _figure("st_enterprises", "so-khcn", 2, value=17)


@pytest.fixture
def mapping(plan, tmp_path):
    call_command("import_central_mapping", mapping_file(tmp_path / "quy-doi.xlsx"), stdout=io.StringIO())


def export_json(*args) -> dict:
    out = io.StringIO()
    call_command("central_export", "--period", "2026-Q3", "--as-of", AS_OF.isoformat(), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


# --- the mapping --------------------------------------------------------------------------------------------


def test_an_unknown_metric_code_is_refused_with_its_row_and_nothing_is_written(plan, tmp_path):
    rows = [*MAPPING, ["khong_co_chi_so", "TW-X-01", "Không có", "%", 1]]
    err = io.StringIO()
    with pytest.raises(CommandError, match="không có gì được ghi"):
        call_command(
            "import_central_mapping", mapping_file(tmp_path / "sai.xlsx", rows), stderr=err, stdout=io.StringIO()
        )
    assert "dòng 5, cột A (Mã chỉ số)" in err.getvalue() and "khong_co_chi_so" in err.getvalue()
    assert not CentralIndicator.objects.exists()


def test_bad_factors_and_repeated_codes_are_refused(plan, tmp_path):
    rows = [
        ["st_enterprises", "TW-1", "Một", "", "0"],
        ["dti_index", "TW-1", "Hai", "", "mười"],
    ]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_central_mapping", mapping_file(tmp_path / "sai.xlsx", rows), stderr=err, stdout=io.StringIO()
        )
    assert "phải lớn hơn 0" in err.getvalue() and "Không đọc được số “mười”" in err.getvalue()
    assert not CentralIndicator.objects.exists()


def test_a_dry_run_writes_nothing_and_a_load_then_a_reload_update_by_the_central_code(plan, tmp_path):
    path = mapping_file(tmp_path / "quy-doi.xlsx")
    out = io.StringIO()
    call_command("import_central_mapping", path, "--dry-run", stdout=out)
    assert "3 mới" in out.getvalue() and not CentralIndicator.objects.exists()
    call_command("import_central_mapping", path, stdout=io.StringIO())
    assert CentralIndicator.objects.get(code="TW-DVC-01").factor == Decimal("0.01")
    assert CentralIndicator.objects.get(code="TW-HT-01").factor == 1  # empty: 1
    changed = [["st_enterprises", "TW-KHCN-01", "Số doanh nghiệp KH&CN", "doanh nghiệp", 1]]
    out = io.StringIO()
    call_command("import_central_mapping", mapping_file(tmp_path / "sua.xlsx", changed), stdout=out)
    assert "1 cập nhật" in out.getvalue()
    row = CentralIndicator.objects.get(code="TW-KHCN-01")
    assert row.name == "Số doanh nghiệp KH&CN" and row.history.count() == 2
    assert CentralIndicator.objects.count() == 3


def test_the_import_pipeline_undoes_a_mapping_load(plan, tmp_path, administrator):
    mapping_file(tmp_path / "quy-doi.xlsx")
    content = (tmp_path / "quy-doi.xlsx").read_bytes()
    preview, batch = import_run(kind="central_mapping", content=content, filename="quy-doi.xlsx", user=administrator)
    assert preview.is_valid and CentralIndicator.objects.count() == 3
    import_batch_undo(batch=batch, user=administrator)
    assert not CentralIndicator.objects.exists()


# --- the export ---------------------------------------------------------------------------------------------


def test_without_a_mapping_the_export_exits_saying_so(plan):
    with pytest.raises(CommandError, match="Chưa có bảng quy đổi"):
        call_command("central_export", "--period", "2026-Q3", "--json", stdout=io.StringIO())


def test_the_export_converts_the_approved_figures_and_lists_what_it_cannot_give(plan, figures, mapping):
    export = export_json()
    assert export["period"] == "2026-Q3"
    items = {item["code"]: item for item in export["items"]}
    assert list(items) == ["TW-DVC-01", "TW-HT-01", "TW-KHCN-01"]
    for item in items.values():
        assert {"code", "name", "unit", "value", "period", "freshness", "metric"} <= set(item)

    # the province's ratio of the approved Q3 figures, (30 + 15) / (40 + 20) = 75 %, as a fraction
    approved = Observation.objects.filter(
        metric__code="full_online_public_services", period__year=2026, period__number=3, status="approved"
    )
    numerators = sum(o.numerator for o in approved)
    denominators = sum(o.denominator for o in approved)
    ratio = items["TW-DVC-01"]
    assert ratio["value"] == float(numerators / denominators) == 0.75
    assert (ratio["plan_value"], ratio["factor"], ratio["unit"]) == (75, 0.01, "tỷ lệ")
    assert (ratio["period"], ratio["freshness"], ratio["metric"]) == (
        "2026-Q3",
        "current",
        "full_online_public_services",
    )
    assert ratio["approved_by"] == "Văn phòng Tỉnh ủy"

    # the count has only a Q2 figure: that one, unchanged, and late for a Q3 report
    count = items["TW-KHCN-01"]
    assert (count["value"], count["period"], count["freshness"]) == (17, "2026-Q2", "late")

    # no approved value: kept as an item without one, and listed
    assert items["TW-HT-01"]["value"] is None and items["TW-HT-01"]["freshness"] == "missing"
    assert export["no_value"] == ["TW-HT-01"]

    # every other metric of the plan is listed as unmapped, none of the mapped ones
    mapped = {row[0] for row in MAPPING}
    assert set(export["unmapped"]) == set(Metric.objects.filter(plan=plan).values_list("code", flat=True)) - mapped
    assert "dti_index" in export["unmapped"]


def test_an_earlier_period_reads_the_values_up_to_its_end(plan, figures, mapping):
    out = io.StringIO()
    call_command("central_export", "--period", "Quý II/2026", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    items = {item["code"]: item for item in json.loads(out.getvalue())["items"]}
    assert items["TW-DVC-01"]["value"] == 0.1 and items["TW-DVC-01"]["period"] == "2026-Q2"


def test_the_xlsx_has_one_row_per_central_indicator_with_the_numbers(plan, figures, mapping, tmp_path):
    path = tmp_path / "tw.xlsx"
    export = export_json("--xlsx", str(path))
    workbook = load_workbook(path)
    rows = [r for r in workbook["Chỉ tiêu TW"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[1], r[4]) for r in rows] == [(item["code"], item["value"]) for item in export["items"]]
    assert rows[0][4] == 0.75 and rows[0][8] == 75 and rows[0][10] == 0.01
    unmapped = [r[1] for r in workbook["Chưa quy đổi"].iter_rows(min_row=4, values_only=True)]
    assert unmapped == export["unmapped"]
    assert [r[1] for r in workbook["Chưa có số liệu"].iter_rows(min_row=4, values_only=True)] == ["TW-HT-01"]


def test_a_bad_period_is_refused(plan, mapping):
    with pytest.raises(CommandError, match="Không đọc được kỳ báo cáo"):
        call_command("central_export", "--period", "2026-Q5", stdout=io.StringIO())


def test_the_api_gives_the_same_json(client, plan, figures, mapping, settings):
    settings.PUBLIC_DATA_ENABLED = True
    response = client.get(reverse("api:central-export"), {"period": "2026-Q3", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert response.json() == export_json()
    assert client.get(reverse("api:central-export"), {"period": "Q3"}).status_code == 400
    assert client.get(reverse("api:central-export")).status_code == 400


def test_the_api_says_when_there_is_no_mapping(client, plan, settings):
    settings.PUBLIC_DATA_ENABLED = True
    response = client.get(reverse("api:central-export"), {"period": "2026-Q3"})
    assert response.status_code == 404 and "Chưa có bảng quy đổi" in response.json()["detail"]


# --- beside the periodic report -----------------------------------------------------------------------------


@pytest.fixture
def eager_reports(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_PDF_ENABLED = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def test_the_province_report_keeps_the_export_and_offers_it(
    client, plan, figures, mapping, reviewer, agency_staff, eager_reports, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            plan=plan, period=period_make("quarter", 2026, 3), as_of=AS_OF, agency=None, user=reviewer
        )
    report.refresh_from_db()
    assert report.content["central"] == export_json()
    client.force_login(reviewer)
    page = client.get(reverse("periodic_report_detail", args=[report.pk])).content.decode()
    assert reverse("periodic_report_central", args=[report.pk, "xlsx"]) in page
    stored = client.get(reverse("periodic_report_central", args=[report.pk, "json"]))
    assert json.loads(stored.content) == report.content["central"]
    xlsx = client.get(reverse("periodic_report_central", args=[report.pk, "xlsx"]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook["Chỉ tiêu TW"]["B5"].value == "TW-DVC-01" and workbook["Chỉ tiêu TW"]["E5"].value == 0.75
    # the mapping changes later: the report keeps what it said
    CentralIndicator.objects.filter(code="TW-DVC-01").update(factor=1)
    assert (
        json.loads(client.get(reverse("periodic_report_central", args=[report.pk, "json"])).content)
        == (report.content["central"])
    )
    client.force_login(agency_staff)  # the province's report is not an agency's to read
    assert client.get(reverse("periodic_report_central", args=[report.pk, "json"])).status_code == 404
