"""The data explorer (/tra-cuu/): only what the reader may read, the province as the dashboards count it, the
download equal to the table, what cannot be drawn said, and a fixed number of queries whatever the data."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Agency
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, ProvinceValue
from tests.factories import period_make, snapshots_fill

URL = reverse("explorer")
MONTHS = "chi_so=online_admin_dossiers&co_quan=so-khcn&co_quan=cong-an&theo=thang&tu=2026&den=2026&hang=co-quan&cot=ky"


@pytest.fixture
def figures(plan, reviewer):
    metric = Metric.objects.get(code="online_admin_dossiers")
    khcn, congan = Agency.objects.get(code="so-khcn"), Agency.objects.get(code="cong-an")
    metric.reporters.add(khcn, congan)
    march, april = period_make("month", 2026, 3), period_make("month", 2026, 4)

    def figure(agency, period, share, status):
        Observation.objects.create(
            metric=metric,
            agency=agency,
            period=period,
            value=Decimal(share),
            numerator=Decimal(share),
            denominator=Decimal(100),
            status=status,
            reviewed_by=reviewer,
        )

    figure(khcn, march, 40, SubmissionStatus.DRAFT)  # Sở KH&CN's own draft
    figure(congan, march, 60, SubmissionStatus.APPROVED)
    figure(congan, april, 90, SubmissionStatus.SUBMITTED)  # waiting for review
    return metric


def _cells(response) -> dict[str, dict[str, float | None]]:
    table = response.context["table"]
    return {
        row.label: {c.label: v for c, (v, _t) in zip(table.columns, cells, strict=True)} for row, cells in table.lines()
    }


def test_each_reader_sees_approved_figures_and_only_the_unapproved_their_role_may_read(
    client, figures, agency_staff, other_agency_staff, steering
):
    client.force_login(agency_staff)
    approved = _cells(client.get(URL + "?" + MONTHS))
    assert approved["Sở KH&CN"]["Tháng 3/2026"] is None and approved["CA tỉnh"]["Tháng 3/2026"] == 60.0
    mine = _cells(client.get(URL + "?" + MONTHS + "&trang_thai=tat-ca"))
    assert mine["Sở KH&CN"]["Tháng 3/2026"] == 40.0  # their own draft
    assert mine["CA tỉnh"]["Tháng 4/2026"] is None  # another agency's figure waiting for review: not theirs to read
    client.force_login(other_agency_staff)
    theirs = _cells(client.get(URL + "?" + MONTHS + "&trang_thai=tat-ca"))
    assert theirs["Sở KH&CN"]["Tháng 3/2026"] is None and theirs["CA tỉnh"]["Tháng 4/2026"] == 90.0
    client.force_login(steering)
    everything = _cells(client.get(URL + "?" + MONTHS + "&trang_thai=tat-ca"))
    assert everything["Sở KH&CN"]["Tháng 3/2026"] == 40.0 and everything["CA tỉnh"]["Tháng 4/2026"] == 90.0
    # together, as the province counts them: Σ numerators / Σ denominators of what the reader may read
    together = _cells(client.get(URL + "?" + MONTHS.replace("hang=co-quan", "hang=chi-so") + "&trang_thai=tat-ca"))
    assert together["Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến (%)"]["Tháng 3/2026"] == 50.0


def test_the_whole_province_is_the_dashboards_province_value(client, plan, steering):
    snapshots_fill(plan, as_of=date(2026, 11, 20))
    metric = Metric.objects.filter(frequency="quarterly", kind="stock").order_by("code").first()
    client.force_login(steering)
    response = client.get(URL, {"chi_so": metric.code, "theo": "quy", "tu": "2025", "den": "2025"})
    [row] = _cells(response).values()
    stored = {
        pv.period.label: float(pv.value)
        for pv in ProvinceValue.objects.filter(metric=metric, period__year=2025).select_related("period")
    }
    assert stored and {label: value for label, value in row.items() if value is not None} == stored


def test_the_download_is_the_table(client, figures, steering):
    client.force_login(steering)
    page = client.get(URL + "?" + MONTHS + "&trang_thai=tat-ca")
    download = client.get(URL + "?" + MONTHS + "&trang_thai=tat-ca&format=csv&bang=tra-cuu")
    assert download["Content-Disposition"] == 'attachment; filename="tra-cuu-so-lieu.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    table = page.context["table"]
    assert rows[0] == ["Cơ quan \\ Kỳ", *[c.label for c in table.columns]]
    for line, (row, cells) in zip(rows[1:], table.lines(), strict=True):
        assert line[0] == row.label
        assert [float(x) if x else None for x in line[1:]] == [v for v, _t in cells]


def test_what_cannot_be_drawn_is_said_and_nothing_is_read(client, plan, steering):
    client.force_login(steering)
    several = client.get(URL, {"chi_tieu": "V.4", "hang": "co-quan", "cot": "ky"})
    assert "hãy đặt “Chỉ số” vào hàng hoặc cột" in several.content.decode() and "table" not in several.context
    huge = client.get(
        URL, {"chi_so": "online_admin_dossiers", "theo": "thang", "tu": "2020", "den": "2026", "hang": "co-quan"}
    )
    assert "quá 6.000: hãy chọn ít chỉ số" in huge.content.decode()
    first = client.get(URL)
    assert "Bắt đầu từ một ví dụ" in first.content.decode()


def test_a_fixed_number_of_queries_whatever_the_data(client, plan, steering, reviewer):
    metric = Metric.objects.get(code="online_admin_dossiers")
    communes = list(Agency.objects.filter(kind="locality").order_by("pk"))
    query = {"chi_so": metric.code, "loai": "locality", "theo": "quy", "tu": "2026", "den": "2026", "hang": "co-quan"}
    client.force_login(steering)
    client.get(URL, query)  # the plan and the session, once

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query).status_code == 200
        # the page's own reads; the session and the user come from the cache or the database as the stack has it
        return sum(
            1 for q in captured.captured_queries if not re.search(r'FROM "(django_session|agencies_user)"', q["sql"])
        )

    def month(number: int, agencies: list[Agency]) -> None:
        period = period_make("month", 2026, number)
        Observation.objects.bulk_create(
            Observation(
                metric=metric,
                agency=a,
                period=period,
                value=Decimal(50),
                numerator=Decimal(50),
                denominator=Decimal(100),
                status=SubmissionStatus.APPROVED,
                reviewed_by=reviewer,
            )
            for a in agencies
        )

    month(1, communes[:1])
    few = count()
    # the plan; the form's indicators, agencies and metrics; the query's metrics and agencies, the periods of its
    # years, the figures
    assert few == 8
    for number in range(2, 12):
        month(number, communes)
    assert count() == few
    query["format"], query["bang"] = "csv", "tra-cuu"
    assert count() == few  # the download reads the same
