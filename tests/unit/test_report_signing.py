"""The PAdES signature of an issued report's PDF, validated with pyHanko against a throwaway CA."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from matplotlib.figure import Figure
from pyhanko.pdf_utils.reader import PdfFileReader

from reports import signing
from tests.certificates import office_certificate, signature_validate


def a_pdf() -> bytes:
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.1, 0.9, "BÁO CÁO")
    buffer = BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


def test_signed_pdf_validates_against_the_issuing_ca(tmp_path):
    office = office_certificate(tmp_path)

    signed, who = signing.pdf_sign(
        a_pdf(), p12_path=office.p12_path, password=office.password, reason="Ban hành", location="Hưng Yên"
    )

    assert who.signer == "Nguyễn Văn An – Văn phòng Tỉnh ủy Hưng Yên"
    assert who.signed_at is not None
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = signature_validate(embedded[0], office.ca)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_signature_does_not_validate_against_another_ca(tmp_path):
    office = office_certificate(tmp_path)
    (tmp_path / "other").mkdir()
    stranger = office_certificate(tmp_path / "other")
    signed, _ = signing.pdf_sign(a_pdf(), p12_path=office.p12_path, password=office.password)

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    status = signature_validate(embedded, stranger.ca)

    assert status.intact and status.valid
    assert not status.trusted


def test_a_changed_byte_breaks_the_signature(tmp_path):
    office = office_certificate(tmp_path)
    signed, _ = signing.pdf_sign(a_pdf(), p12_path=office.p12_path, password=office.password)
    tampered = signed.replace(b"/MediaBox", b"/MediaBoX", 1)

    embedded = PdfFileReader(BytesIO(tampered), strict=False).embedded_signatures[0]
    status = signature_validate(embedded, office.ca)

    assert not status.intact


def test_wrong_password_is_a_clear_error(tmp_path):
    office = office_certificate(tmp_path)
    with pytest.raises(signing.SigningError, match="sai mật khẩu"):
        signing.pdf_sign(a_pdf(), p12_path=office.p12_path, password="khong-dung")


def test_missing_certificate_file_is_a_clear_error(tmp_path):
    with pytest.raises(signing.SigningError, match="Không đọc được tệp chứng thư số"):
        signing.pdf_sign(a_pdf(), p12_path=tmp_path / "khong-co.p12", password="x")


def test_signing_works_where_an_event_loop_is_running(tmp_path):
    """pyHanko's synchronous API runs its own loop; an ASGI server (or Playwright in this suite) already has one."""
    office = office_certificate(tmp_path)

    async def inside_a_loop():
        return signing.pdf_sign(a_pdf(), p12_path=office.p12_path, password=office.password)

    # a thread of its own for the loop: this process may already run one (Playwright's, in the browser tests)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, _ = pool.submit(asyncio.run, inside_a_loop()).result()

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    assert signature_validate(embedded, office.ca).bottom_line
