"""Import pages, commands, templates and the directory imports."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency, User
from imports.batches import import_batch_commit, import_batch_create, import_batch_undo
from imports.models import ImportBatch
from indicators.models import Observation
from tests.test_import_figures import GOOD, csv_bytes, xlsx


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _client(client, user):
    client.force_login(user)
    return client


def test_admin_uploads_previews_and_confirms(client, plan, administrator):
    c = _client(client, administrator)
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "so-lieu.xlsx"
    response = c.post(reverse("imports:index"), {"kind": "figures", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:preview", args=[batch.pk])
    page = c.get(response.url).content.decode()
    assert "so-khcn · coverage_5g · 2026-Q1" in page and "Xác nhận và ghi" in page
    assert not Observation.objects.filter(period__year=2026).exists()
    c.post(reverse("imports:confirm", args=[batch.pk]))
    assert Observation.objects.filter(period__year=2026).count() == 2
    # undo asks to be confirmed: without the box ticked nothing is undone
    page = c.post(reverse("imports:undo", args=[batch.pk]), follow=True).content.decode()
    assert "hãy đánh dấu ô xác nhận" in page and Observation.objects.filter(period__year=2026).count() == 2
    assert "Tôi hiểu: 2 bản ghi mới sẽ bị xóa, 0 bản ghi sẽ trở về giá trị trước lần nhập." in page
    page = c.post(reverse("imports:undo", args=[batch.pk]), {"xac_nhan": "1"}, follow=True).content.decode()
    assert not Observation.objects.filter(period__year=2026).exists()
    # the page then says what the undo did, not what the write did, and what each row became
    assert "Đã hoàn tác lúc" in page and "xóa 2 bản ghi lần này tạo" in page and "Đã ghi: 2 mới" not in page
    assert "Mới, đã xóa khi hoàn tác" in page and "<td>Mới</td>" not in page


def test_a_file_that_cannot_be_read_says_so_rather_than_counting_zero_rows(client, plan, administrator):
    c = _client(client, administrator)
    upload = io.BytesIO(xlsx(GOOD, headers=["Mã cơ quan", "Chỉ số?", "Kỳ báo cáo", "Giá trị"]))
    upload.name = "sai-mau.xlsx"
    c.post(reverse("imports:index"), {"kind": "figures", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.summary["file_errors"]
    page = c.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "thiếu cột bắt buộc: Mã chỉ số" in page and 'class="importcounts"' not in page
    listing = c.get(reverse("imports:index")).content.decode()
    assert "lỗi của tệp: không đọc được dòng nào" in listing and "0 mới" not in listing


@pytest.mark.parametrize("persona", ["steering", "reviewer"])
def test_only_importers_reach_the_pages(client, plan, persona, request, administrator):
    batch, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="a.xlsx", user=administrator)
    c = _client(client, request.getfixturevalue(persona))
    assert c.get(reverse("imports:index")).status_code == 403
    assert c.post(reverse("imports:confirm", args=[batch.pk])).status_code == 403
    assert not Observation.objects.filter(period__year=2026).exists()


def test_agency_staff_upload_only_their_own_figures_and_cannot_see_others(client, plan, agency_staff, administrator):
    other, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="a.xlsx", user=administrator)
    c = _client(client, agency_staff)
    assert c.get(reverse("imports:preview", args=[other.pk])).status_code == 404
    assert c.post(reverse("imports:undo", args=[other.pk])).status_code == 403
    upload = io.BytesIO(xlsx([["cong-an", "digitized_admin_records", "2026-T02", "5", "", "", ""]]))
    upload.name = "x.xlsx"
    c.post(reverse("imports:index"), {"kind": "agencies", "file": upload})
    mine = ImportBatch.objects.get(created_by=agency_staff)
    assert mine.kind == "figures" and mine.agency.code == "so-khcn" and mine.status == "invalid"
    assert c.get(reverse("imports:template"), {"agency": "cong-an", "period": "2026-T06"}).status_code == 403


def test_template_is_prefilled_protected_and_round_trips(client, plan, agency_staff, administrator):
    batch, _ = import_batch_create(
        kind="figures", content=xlsx(GOOD[:1]), filename="a.xlsx", user=administrator, approve=True
    )
    import_batch_commit(batch=batch)
    c = _client(client, agency_staff)
    response = c.get(reverse("imports:template"), {"period": "2026-T06"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Số liệu"]
    assert sheet.protection.sheet is True
    headers = [c.value for c in sheet[1]]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    coverage = rows["coverage_5g"]
    assert coverage[0] == "so-khcn" and coverage[4] == "%" and coverage[5] == "2026-Q2" and coverage[6] == 80
    line = next(i for i, r in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2) if r[2] == "coverage_5g")
    assert sheet.cell(row=line, column=1).protection.locked is True
    assert sheet.cell(row=line, column=headers.index("Tử số") + 1).protection.locked is False
    assert sheet.data_validations.dataValidation
    sheet.cell(row=line, column=headers.index("Tử số") + 1, value=1300)
    sheet.cell(row=line, column=headers.index("Mẫu số") + 1, value=1500)
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled = io.BytesIO(buffer.getvalue())
    filled.name = "mau.xlsx"
    c.post(reverse("imports:index"), {"file": filled})
    mine = ImportBatch.objects.get(created_by=agency_staff)
    assert mine.summary["counts"]["new"] == 1, mine.summary["errors"]
    # the template's other rows, left blank, are counted apart, not listed as "Không đổi" among the real ones
    blank = len(rows) - 1
    assert mine.summary["counts"]["unchanged"] == 0 and mine.summary["counts"]["skipped"] == blank
    page = c.get(reverse("imports:preview", args=[mine.pk])).content.decode()
    assert f"<strong>{blank}</strong> dòng trống, bỏ qua" in page and "Không đổi</td>" not in page
    assert [r[1] for r in mine.summary["rows"]] == ["new"]
    c.post(reverse("imports:confirm", args=[mine.pk]))
    saved = Observation.objects.get(metric__code="coverage_5g", period__year=2026, period__number=2)
    assert saved.numerator == 1300 and saved.status == "submitted" and saved.agency == agency_staff.agency


def test_command_exit_status_and_dry_run(plan, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD))
    out = io.StringIO()
    call_command("import_figures", str(good), "--dry-run", stdout=out)
    assert "không ghi gì" in out.getvalue() and not Observation.objects.filter(period__year=2026).exists()
    call_command("import_figures", str(good), "--approve", stdout=io.StringIO())
    assert set(Observation.objects.filter(period__year=2026).values_list("status", flat=True)) == {"approved"}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["so-khcn", "khong_co", "2026", "1", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="không có gì được ghi"):
        call_command("import_figures", str(bad), stderr=err)
    assert "không có chỉ số mã “khong_co”" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_figures", str(tmp_path / "missing.xlsx"))


def test_agencies_import_idempotent_update_and_undo(plan, administrator):
    headers = ["Mã cơ quan", "Tên cơ quan", "Tên viết tắt", "Loại", "Mã đơn vị hành chính", "Tên gọi khác"]
    rows = [
        ["xa-moi", "Xã Mới", "", "Xã, phường", "99999", "Xã Mới Lập; xã mới"],
        ["so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN", "department", "", ""],
    ]
    batch, preview = import_batch_create(
        kind="agencies", content=xlsx(rows, headers), filename="a.xlsx", user=administrator
    )
    assert preview.counts == {"new": 1, "updated": 0, "correction": 0, "unchanged": 1, "error": 0}, preview.errors
    import_batch_commit(batch=batch)
    assert Agency.objects.get(code="xa-moi").aliases == ["Xã Mới Lập", "xã mới"]
    _, again = import_batch_create(kind="agencies", content=xlsx(rows, headers), filename="a.xlsx", user=administrator)
    assert again.counts["unchanged"] == 2
    renamed = [rows[0], ["so-khcn", "Sở Khoa học và Công nghệ", "KH&CN", "department", "", ""]]
    fix, preview = import_batch_create(
        kind="agencies", content=xlsx(renamed, headers), filename="a.xlsx", user=administrator
    )
    assert preview.counts["updated"] == 1
    import_batch_commit(batch=fix)
    import_batch_undo(batch=fix)
    import_batch_undo(batch=batch)
    assert Agency.objects.get(code="so-khcn").short_name == "Sở KH&CN"
    assert not Agency.objects.filter(code="xa-moi").exists()


def test_users_import_refuses_passwords_and_sends_reset_links(plan, administrator, mailoutbox):
    headers = ["Tên đăng nhập", "Họ", "Tên", "Thư điện tử", "Vai trò", "Mã cơ quan"]
    rows = [
        ["lan.khcn", "Nguyễn", "Lan", "lan@example.invalid", "Cán bộ sở, ngành, địa phương", "Sở KH&CN"],
        ["bad", "", "", "", "agency_staff", ""],
    ]
    _, preview = import_batch_create(kind="users", content=xlsx(rows, headers), filename="u.xlsx", user=administrator)
    assert "cán bộ sở, ngành, địa phương phải có cơ quan" in "\n".join(preview.errors)
    _, preview = import_batch_create(
        kind="users",
        content=xlsx([[*rows[0], "secret"]], [*headers, "Mật khẩu"]),
        filename="u.xlsx",
        user=administrator,
    )
    assert "không nhập mật khẩu từ tệp" in "\n".join(preview.errors)
    batch, preview = import_batch_create(
        kind="users", content=xlsx(rows[:1], headers), filename="u.xlsx", user=administrator
    )
    import_batch_commit(batch=batch)
    user = User.objects.get(username="lan.khcn")
    assert not user.has_usable_password() and user.agency.code == "so-khcn" and user.role == "agency_staff"
    assert len(mailoutbox) == 1 and "/tai-khoan/reset/" in mailoutbox[0].body


def test_the_format_guide_is_a_page_written_from_the_importers_columns(client, plan, administrator, steering):
    client.force_login(administrator)
    html = client.get(reverse("imports:guide")).content.decode()
    assert "Mã chỉ số" in html and "Phần trăm hoàn thành" in html and "Tên đăng nhập" in html
    assert "Quý IV/2026" in html and "STT" in html
    assert reverse("imports:guide") in client.get(reverse("imports:index")).content.decode()
    client.force_login(steering)
    assert client.get(reverse("imports:guide")).status_code == 403
