"""Administrators export admin lists as xlsx or csv; exported text can never run as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from agencies.resources import AgencyResource, UserResource
from indicators.resources import IndicatorResource, TargetResource
from tasks.resources import TaskResource, TaskUpdateResource

FORMATS = {"xlsx": "0", "csv": "1"}


def _export(client, url_name: str, resource, fmt: str) -> bytes:
    """POST the admin's export form with every field of ``resource`` ticked."""
    fields = {f"{type(resource).__name__.lower()}_{name}": "on" for name in resource._meta.fields}
    response = client.post(reverse(url_name), {"format": FORMATS[fmt], "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    return response.content


def _rows(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_agency_export_neutralises_formulas(client, plan, administrator, fmt):
    Agency.objects.create(code="x-formula", name='=HYPERLINK("http://evil")', short_name="+1", kind="other")
    client.force_login(administrator)
    rows = _rows(_export(client, "admin:agencies_agency_export", AgencyResource(), fmt), fmt)
    assert rows[0][:3] == ["Mã cơ quan", "Tên cơ quan", "Tên viết tắt"]
    row = next(r for r in rows if r[0] == "x-formula")
    assert row[1] == '\'=HYPERLINK("http://evil")' and row[2] == "'+1"
    assert any(r[0] == "so-khcn" for r in rows)


def test_user_export_has_no_password(client, plan, administrator, agency_staff):
    client.force_login(administrator)
    content = _export(client, "admin:agencies_user_export", UserResource(), "csv")
    rows = _rows(content, "csv")
    assert "Mật khẩu" not in rows[0] and "password" not in " ".join(rows[0]).casefold()
    assert agency_staff.password.encode() not in content
    staff_row = next(r for r in rows if r[0] == "chi.khcn")
    assert staff_row[5] == "so-khcn" and staff_row[4] == "Cán bộ sở, ngành, địa phương"


@pytest.mark.parametrize(
    ("url_name", "resource", "header"),
    [
        ("admin:tasks_task_export", TaskResource(), "Thời gian hoàn thành"),
        ("admin:tasks_taskupdate_export", TaskUpdateResource(), "Số nhiệm vụ"),
        ("admin:indicators_indicator_export", IndicatorResource(), "Cơ quan chủ trì đánh giá"),
        ("admin:indicators_target_export", TargetResource(), "Nội dung (nguyên văn)"),
    ],
)
def test_plan_lists_export_as_xlsx(client, plan, administrator, url_name, resource, header):
    client.force_login(administrator)
    rows = _rows(_export(client, url_name, resource, "xlsx"), "xlsx")
    assert header in rows[0]
    if url_name != "admin:tasks_taskupdate_export":
        assert len(rows) > 30


def test_staff_cannot_reach_the_admin_export(client, plan, agency_staff):
    client.force_login(agency_staff)
    response = client.get(reverse("admin:agencies_agency_export"))
    assert response.status_code == 302 and "/login/" in response.url
