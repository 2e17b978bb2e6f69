"""Issued reports signed with their issuing body's own key (reports/services.py, keystore.py, signing.py).

The keys come from a throwaway certomancer PKI with an OCSP responder, CRLs and a TSA served on 127.0.0.1
(tests/pki.py); signatures are validated with pyHanko with the network off.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import connection
from pyhanko.pdf_utils.reader import PdfFileReader

from agencies.models import Agency
from reports import documents, keystore, services, signing
from reports.models import PeriodicReport, SigningKey
from tests.pki import PASSWORD, TOKEN_LABEL, TOKEN_PIN
from tests.report_data import report_world
from tests.unit.test_report_signing import a_pdf_with_signature_space, png

AS_OF = date(2026, 6, 20)
ISSUED_ON = date(2026, 7, 5)
HAS_SOFFICE = bool(shutil.which("soffice")) or bool(os.environ.get("CI"))
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice absent (CI installs it and runs this test)")


@pytest.fixture(autouse=True)
def _report_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_PDF_ENABLED = True
    settings.REPORT_TSA_URL = ""


@pytest.fixture
def quick_pdf(monkeypatch):
    """A small PDF with its signature space marked, in place of LibreOffice's, for tests about the workflow."""
    monkeypatch.setattr(documents, "docx_to_pdf", lambda docx: a_pdf_with_signature_space())


@pytest.fixture
def world(plan):
    return report_world(plan, AS_OF)


def _key(pki, code: str, label: str, **extra) -> SigningKey:
    agency = services.signing_body(code)
    return services.signing_key_set(
        agency=agency, p12=pki.p12(label).read_bytes(), password=PASSWORD, now=datetime.now(UTC), **extra
    )


def _draft(plan, world, user, capture, agency=None) -> PeriodicReport:
    with capture(execute=True):
        report = services.report_request(plan=plan, period=world["quarter"], as_of=AS_OF, agency=agency, user=user)
    report.refresh_from_db()
    return report


def _signature(pdf: bytes):
    embedded = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    assert len(embedded) == 1
    return embedded[0]


# --- who signs with which key --------------------------------------------------------------------------------


def test_each_body_signs_with_its_own_key_and_no_other(
    plan, world, pki, agency_staff, other_agency_staff, reviewer, quick_pdf, django_capture_on_commit_callbacks
):
    _key(pki, "so-khcn", "khcn")
    _key(pki, "cong-an", "congan")
    _key(pki, "bcd", "bcd")
    khcn = Agency.objects.get(code="so-khcn")
    report = _draft(plan, world, agency_staff, django_capture_on_commit_callbacks, agency=khcn)

    # the standing office may edit an agency's draft but not issue it in the agency's name, nor may another agency
    for outsider in (reviewer, other_agency_staff):
        with pytest.raises(services.ReportError, match="Chỉ cán bộ của Sở Khoa học và Công nghệ"):
            services.report_issue(report=report, number="231", issued_on=ISSUED_ON, user=outsider)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT and not report.is_signed

    issued = services.report_issue(report=report, number="231", issued_on=ISSUED_ON, user=agency_staff)

    assert issued.signed_by == "Nguyễn Văn Ký – Sở Khoa học và Công nghệ tỉnh Hưng Yên"
    assert issued.signing_key.agency == khcn and issued.signer_name == "Nguyễn Văn Ký"  # printed from the key
    signature = _signature(issued.pdf.read())
    assert signing.certificate_info(signature.signer_cert).holder == "Nguyễn Văn Ký"
    assert issued.signature_digest == signature.compute_digest("sha256").hex()


def test_the_province_report_is_signed_with_the_steering_committees_key(
    plan, world, pki, reviewer, quick_pdf, django_capture_on_commit_callbacks
):
    _key(pki, "so-khcn", "khcn")
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)

    issued = services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)

    assert issued.signed_by == "Nguyễn Văn An – Văn phòng Tỉnh ủy Hưng Yên"
    assert issued.signing_key.agency is None and issued.signature_level == signing.B_B


def test_a_signer_who_is_not_the_certificate_holder_is_refused(
    plan, world, pki, agency_staff, quick_pdf, django_capture_on_commit_callbacks
):
    _key(pki, "so-khcn", "khcn")
    report = _draft(plan, world, agency_staff, django_capture_on_commit_callbacks, agency=agency_staff.agency)
    files = (report.docx.name, report.pdf.name)

    with pytest.raises(services.ReportError, match=r"Trần Văn Phó.*Nguyễn Văn Ký"):
        services.report_issue(
            report=report,
            number="231",
            issued_on=ISSUED_ON,
            user=agency_staff,
            signing_authority="kt",
            signer_title="Phó Giám đốc",
            signer_name="Trần Văn Phó",
        )

    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT and (report.docx.name, report.pdf.name) == files
    issued = services.report_issue(
        report=report, number="231", issued_on=ISSUED_ON, user=agency_staff, signer_name="NGUYỄN VĂN KÝ"
    )
    assert issued.is_signed


def test_a_certificate_of_another_body_is_refused(db, pki):
    with pytest.raises(services.ReportError, match="là của “Công an tỉnh Hưng Yên”, không phải của Sở Khoa học"):
        _key(pki, "so-khcn", "congan")
    assert not SigningKey.objects.exists()


def test_a_certificate_whose_subject_no_longer_names_the_body_refuses_to_issue(
    plan, world, pki, agency_staff, quick_pdf, django_capture_on_commit_callbacks
):
    key = _key(pki, "so-khcn", "khcn")
    Agency.objects.filter(pk=agency_staff.agency_id).update(name="Sở Khoa học, Công nghệ và Đổi mới", short_name="")
    agency_staff.agency.refresh_from_db()
    report = _draft(plan, world, agency_staff, django_capture_on_commit_callbacks, agency=agency_staff.agency)

    with pytest.raises(services.ReportError, match="không phải của Sở Khoa học, Công nghệ và Đổi mới"):
        services.report_issue(report=report, number="1", issued_on=ISSUED_ON, user=agency_staff)
    assert key.in_use


def test_a_body_without_a_key_issues_unsigned(
    plan, world, reviewer, quick_pdf, django_capture_on_commit_callbacks, client
):
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    issued = services.report_issue(report=report, number="23", issued_on=ISSUED_ON, user=reviewer)
    assert issued.is_issued and issued.pdf and not issued.is_signed
    assert not PdfFileReader(BytesIO(issued.pdf.read())).embedded_signatures

    client.force_login(reviewer)
    assert "Tệp PDF không có chữ ký số" in client.get(f"/bao-cao/dinh-ky/{issued.pk}/").content.decode()


# --- keys kept safe ------------------------------------------------------------------------------------------


def test_keys_never_sit_in_the_database_in_clear(db, pki, settings, tmp_path):
    key = _key(pki, "so-khcn", "khcn")

    assert key.p12.name.startswith("signing/so-khcn/") and key.p12.storage.exists(key.p12.name)
    assert str(tmp_path / "uploads") in key.p12.path and settings.STATIC_ROOT.as_posix() not in key.p12.path
    assert key.secret and PASSWORD not in key.secret and keystore.secret_open(key.secret) == PASSWORD
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_signingkey")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM reports_historicalsigningkey")
        history = repr(cursor.fetchall())
    assert PASSWORD not in stored and PASSWORD not in history and key.secret not in history
    assert "PRIVATE KEY" not in stored

    sealed_with = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret"
    with pytest.raises(keystore.KeyStoreError, match="signing_key_set"):
        keystore.key_open(key)
    settings.SECRET_KEY_FALLBACKS = [sealed_with]  # a rotated secret still opens what the old one sealed
    assert keystore.key_open(key).password == PASSWORD


def test_a_password_from_the_environment_is_not_stored(db, pki, monkeypatch):
    monkeypatch.setenv("KHCN_P12_PASSWORD", PASSWORD)
    key = services.signing_key_set(
        agency=services.signing_body("so-khcn"), p12=pki.p12("khcn").read_bytes(), password_env="KHCN_P12_PASSWORD"
    )
    assert key.secret == "" and key.secret_env == "KHCN_P12_PASSWORD"
    assert keystore.key_open(key).password == PASSWORD
    monkeypatch.delenv("KHCN_P12_PASSWORD")
    with pytest.raises(keystore.KeyStoreError, match="KHCN_P12_PASSWORD"):
        keystore.key_open(key)


def test_a_wrong_password_is_refused_and_nothing_is_stored(db, pki):
    with pytest.raises(services.ReportError, match="sai mật khẩu"):
        services.signing_key_set(
            agency=services.signing_body("so-khcn"), p12=pki.p12("khcn").read_bytes(), password="sai"
        )
    assert not SigningKey.objects.exists()


def test_a_new_key_retires_the_old_one_which_still_vouches_for_old_reports(db, pki, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = _key(pki, "so-khcn", "khcn", seal_png=png((200, 0, 0, 255)))
    old_file = old.p12.name
    with django_capture_on_commit_callbacks(execute=True):
        new = _key(pki, "so-khcn", "khcn")
    old.refresh_from_db()

    assert not old.in_use and new.in_use and old.secret == "" and not old.p12
    assert not new.p12.storage.exists(old_file)  # the private key left the storage with the change
    assert new.seal_image  # the body's seal stays with the body
    assert pki.root.dump() in [cert.dump() for cert in keystore.trust_roots()]
    assert SigningKey.objects.filter(agency__code="so-khcn").count() == 2


def test_signing_key_set_command(db, pki, tmp_path):
    password_file = tmp_path / "mat-khau.txt"
    password_file.write_text(PASSWORD + "\n")
    seal = tmp_path / "dau.png"
    seal.write_bytes(png((200, 0, 0, 255)))
    out = io.StringIO()

    call_command(
        "signing_key_set",
        "so-khcn",
        str(pki.p12("khcn")),
        "--password-file",
        str(password_file),
        "--seal-image",
        str(seal),
        stdout=out,
    )

    assert "Khóa ký số của Sở Khoa học và Công nghệ: Nguyễn Văn Ký" in out.getvalue()
    assert PASSWORD not in out.getvalue()
    key = SigningKey.objects.get()
    assert key.seal_image and not key.signature_image
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có cơ quan mã “khong-co”"):
        call_command("signing_key_set", "khong-co", str(pki.p12("khcn")), "--password-file", str(password_file))
    with pytest.raises(CommandError, match="PNG"):
        (tmp_path / "x.png").write_bytes(b"GIF89a....")
        call_command("signing_key_set", "so-khcn", "--signature-image", str(tmp_path / "x.png"))


def test_a_softhsm_token_signs_a_report(
    plan, world, pki, softhsm, agency_staff, tmp_path, quick_pdf, django_capture_on_commit_callbacks
):
    pin_file = tmp_path / "pin"
    pin_file.write_text(TOKEN_PIN)
    call_command(
        "signing_key_set",
        "so-khcn",
        "--pkcs11-module",
        softhsm,
        "--token-label",
        TOKEN_LABEL,
        "--key-label",
        "khcn",
        "--pin-file",
        str(pin_file),
        stdout=io.StringIO(),
    )
    key = SigningKey.objects.get()
    assert key.kind == SigningKey.Kind.TOKEN and not key.p12 and key.holder == "Nguyễn Văn Ký"
    report = _draft(plan, world, agency_staff, django_capture_on_commit_callbacks, agency=agency_staff.agency)

    issued = services.report_issue(report=report, number="7", issued_on=ISSUED_ON, user=agency_staff)

    pdf = issued.pdf.read()
    assert _signature(pdf).signer_cert.dump() == pki.cert("khcn").dump()
    assert signing.pdf_verify(pdf, trust_roots=[pki.root]).valid


# --- timestamps and long-term validation ---------------------------------------------------------------------


def test_with_a_tsa_the_signature_is_b_lt_and_validates_offline_for_years(
    plan, world, pki, reviewer, settings, quick_pdf, django_capture_on_commit_callbacks, client
):
    settings.REPORT_TSA_URL = pki.tsa_url
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    with pki.online():  # the TSA, OCSP responder and CRLs answer only while signing
        issued = services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)
    pdf = issued.pdf.read()

    assert issued.signature_level == signing.B_LT
    reader = PdfFileReader(BytesIO(pdf))
    dss = reader.root["/DSS"]
    assert dss["/OCSPs"] and dss["/CRLs"] and len(dss["/Certs"]) >= 3
    signature = reader.embedded_regular_signatures[0]
    # pyHanko's AdES validation from the file alone, now and ten years on, after the certificate has expired
    assert signing.long_term_validate(signature, [pki.root]).ades_subindic.name == "OK"
    later = datetime.now(UTC) + timedelta(days=5 * 365)
    assert pki.cert("bcd").not_valid_after < later
    future = signing.long_term_validate(signature, [pki.root], at=later)
    assert future.ades_subindic.name == "OK"

    result = signing.pdf_verify(pdf, trust_roots=[pki.root])
    assert result.valid and result.long_term and result.trusted_time and result.level == signing.B_LT

    client.force_login(reviewer)
    page = client.get(f"/bao-cao/dinh-ky/{issued.pk}/").content.decode()
    assert "PAdES B-LT" in page and "dấu thời gian" in page


def test_without_a_tsa_the_report_page_says_b_b(
    plan, world, pki, reviewer, quick_pdf, django_capture_on_commit_callbacks, client
):
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    issued = services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)

    assert issued.signature_level == signing.B_B
    client.force_login(reviewer)
    page = client.get(f"/bao-cao/dinh-ky/{issued.pk}/").content.decode()
    assert "PAdES B-B" in page and "không có dấu thời gian" in page


def test_an_unreachable_tsa_refuses_to_issue(
    plan, world, pki, reviewer, settings, quick_pdf, django_capture_on_commit_callbacks
):
    settings.REPORT_TSA_URL = pki.tsa_url  # the PKI's server is not started
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    with pytest.raises(services.ReportError, match="Không ký số được báo cáo"):
        services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)
    report.refresh_from_db()
    assert report.status == PeriodicReport.Status.DRAFT


# --- verify_report ---------------------------------------------------------------------------------------------


def test_verify_report_says_who_when_which_report_and_catches_a_changed_byte(
    plan, world, pki, reviewer, quick_pdf, tmp_path, django_capture_on_commit_callbacks
):
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    issued = services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)
    good = tmp_path / "BC-15-BCD-Quy-II-2026.pdf"
    good.write_bytes(issued.pdf.read())

    out = io.StringIO()
    call_command("verify_report", str(good), stdout=out)  # exit 0: no SystemExit
    text = out.getvalue()
    assert "Chữ ký: HỢP LỆ" in text and "Người ký: Nguyễn Văn An" in text
    assert "Cơ quan: Văn phòng Tỉnh ủy Hưng Yên" in text and "Dấu thời gian: không" in text
    assert "theo đồng hồ máy ký" in text and f"/bao-cao/dinh-ky/{issued.pk}/" in text

    out = io.StringIO()
    call_command("verify_report", str(good), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["valid"] and payload["covers_whole_file"] and payload["report"]["id"] == issued.pk
    assert payload["report"]["number"] == "Số 15-BC/BCĐ" and payload["timestamped"] is False

    tampered = tmp_path / "sua.pdf"
    tampered.write_bytes(good.read_bytes().replace(b"/MediaBox", b"/MediaBoX", 1))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_report", str(tampered), "--json", stdout=out)
    assert exit_.value.code == 1
    payload = json.loads(out.getvalue())
    assert not payload["valid"] and payload["changed_after_signing"] and payload["report"] is None


def test_verify_report_refuses_an_unsigned_file(db, tmp_path):
    unsigned = tmp_path / "khong-ky.pdf"
    unsigned.write_bytes(a_pdf_with_signature_space())
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_report", str(unsigned), stdout=out)
    assert exit_.value.code == 1 and "Chữ ký: KHÔNG CÓ" in out.getvalue()


# --- the issued file: where the signature is, the layout, the name ---------------------------------------------


def _pages_text(pdf_path) -> list[str]:
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return text.stdout.split("\f")[:-1]


def _words(pdf_path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, x_min, y_min, x_max, y_max) of one page (from 1), y from the top, as pdftotext -bbox gives them."""
    import re

    out = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, out)]


@needs_soffice
@pytest.mark.parametrize("province", [True, False], ids=["province", "agency"])
def test_the_visible_signature_is_on_the_last_page_of_the_body_text(
    plan, world, pki, reviewer, agency_staff, tmp_path, province, django_capture_on_commit_callbacks
):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils absent")
    signature_png = png((20, 40, 160, 255), size=(400, 160))
    seal_png = png((210, 20, 20, 255), size=(300, 300))
    if province:
        _key(pki, "bcd", "bcd", signature_png=signature_png, seal_png=seal_png)
        user, agency = reviewer, None
    else:
        _key(pki, "so-khcn", "khcn", signature_png=signature_png, seal_png=seal_png)
        user, agency = agency_staff, agency_staff.agency
    report = _draft(plan, world, user, django_capture_on_commit_callbacks, agency=agency)
    issued = services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=user)
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued.pdf.read())

    pages = _pages_text(path)
    assert all(page.strip() for page in pages), "no blank page"
    body_last = next(i for i, page in enumerate(pages) if "Trên đây là báo cáo" in page)
    signature = _signature(path.read_bytes())
    field = signature.sig_field
    page_ref = field.raw_get("/P")
    reader = PdfFileReader(BytesIO(path.read_bytes()))
    page_index = next(
        i for i in range(len(pages)) if reader.find_page_for_modification(i)[0].reference == page_ref.reference
    )
    assert page_index == body_last  # the last page of the body text, with the closing sentence on it
    x1, y1, x2, y2 = [float(v) for v in field["/Rect"]]
    height = float(reader.find_page_for_modification(page_index)[0].get_object()["/MediaBox"][3])

    # the rectangle sits between the signer's title and name, in the right-hand column
    words = _words(path, page_index + 1)
    name = next(w for w in words if w[0] == "Nguyễn" and w[1] > 300)
    title = next(w for w in words if w[0] in ("TRƯỞNG", "GIÁM") and w[1] > 300)
    assert height - title[4] >= y2 - 2 and height - name[2] <= y1 + 2
    assert x1 > 300 and x2 <= 595 - 40

    # rendered, the rectangle shows the red seal and the blue signature
    subprocess.run(
        [
            shutil.which("pdftoppm"),
            "-r",
            "72",
            "-f",
            str(page_index + 1),
            "-l",
            str(page_index + 1),
            "-png",
            str(path),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    from PIL import Image

    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    box = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    colours = box.getcolors(maxcolors=1_000_000)
    red = sum(count for count, (r, g, b) in colours if r > 180 and g < 80 and b < 80)
    blue = sum(count for count, (r, g, b) in colours if b > 120 and r < 80)
    assert red > 500 and blue > 100
    outside = image.crop((int(x1), int(height - y2) - 60, int(x2), int(height - y2) - 30)).getcolors(1_000_000)
    assert not any(r > 180 and g < 80 and b < 80 for _, (r, g, b) in outside)


# --- the public verification page -------------------------------------------------------------------------------


@pytest.fixture
def signed_report(plan, world, pki, reviewer, quick_pdf, django_capture_on_commit_callbacks):
    _key(pki, "bcd", "bcd")
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    return services.report_issue(report=report, number="15", issued_on=ISSUED_ON, user=reviewer)


@pytest.fixture
def _fresh_throttle():
    from django.core.cache import cache

    cache.delete("throttle_report_verify_127.0.0.1")
    yield
    cache.delete("throttle_report_verify_127.0.0.1")


def _upload(client, data: bytes, name="BC-15-BCD-Quy-II-2026.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/xac-thuc-bao-cao/", {"pdf": SimpleUploadedFile(name, data, "application/pdf")})


def test_anyone_can_check_an_issued_report_on_the_page(client, signed_report, _fresh_throttle):
    assert client.get("/xac-thuc-bao-cao/").status_code == 200  # no log-in

    page = _upload(client, signed_report.pdf.read()).content.decode()

    assert "Chữ ký số hợp lệ." in page and "Nguyễn Văn An" in page and "Văn phòng Tỉnh ủy Hưng Yên" in page
    assert "theo đồng hồ của máy ký, không được chứng thực" in page and "PAdES B-B" in page
    assert "Số 15-BC/BCĐ" in page and "Báo cáo Quý II/2026 – Toàn tỉnh" in page
    assert f"/bao-cao/dinh-ky/{signed_report.pk}/" not in page  # the link only for those who may open it


def test_the_page_catches_a_file_changed_after_signing_and_stores_nothing(
    client, signed_report, settings, tmp_path, _fresh_throttle
):
    signed_report.pdf.open("rb")
    tampered = signed_report.pdf.read().replace(b"/MediaBox", b"/MediaBoX", 1)
    before = sorted(p.name for p in (tmp_path / "uploads").rglob("*"))

    page = _upload(client, tampered).content.decode()

    assert "Chữ ký số KHÔNG hợp lệ." in page and "tệp không còn như lúc ký" in page
    assert "Không phải báo cáo do hệ thống này ban hành" in page
    assert sorted(p.name for p in (tmp_path / "uploads").rglob("*")) == before


def test_the_page_limits_size_and_rate_and_needs_csrf(client, signed_report, settings, _fresh_throttle):
    from django.test import Client

    settings.REPORT_VERIFY_MAX_BYTES = 1024
    response = _upload(client, signed_report.pdf.read())
    assert response.status_code == 413 and "Tệp lớn quá" in response.content.decode()

    strict = Client(enforce_csrf_checks=True)
    assert _upload(strict, b"%PDF-1.7").status_code == 403

    from django.core.cache import cache

    cache.delete("throttle_report_verify_127.0.0.1")
    settings.REPORT_VERIFY_MAX_BYTES = 20 * 1024 * 1024
    settings.REPORT_VERIFY_RATE = "2/hour"
    assert _upload(client, b"%PDF-1.7 not really").status_code == 200
    assert _upload(client, b"%PDF-1.7 not really").status_code == 200
    response = _upload(client, signed_report.pdf.read())
    assert response.status_code == 429 and "quá nhiều tệp" in response.content.decode()


def test_a_reader_of_the_report_gets_a_link_to_it(client, signed_report, reviewer, _fresh_throttle):
    client.force_login(reviewer)
    page = _upload(client, signed_report.pdf.read()).content.decode()
    assert f'href="/bao-cao/dinh-ky/{signed_report.pk}/"' in page


def test_downloads_are_named_with_the_document_number(client, signed_report, reviewer):
    client.force_login(reviewer)
    response = client.get(f"/bao-cao/dinh-ky/{signed_report.pk}/tai/pdf/")
    assert 'filename="BC-15-BCD-Quy-II-2026.pdf"' in response["Content-Disposition"]
