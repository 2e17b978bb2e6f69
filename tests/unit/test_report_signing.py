"""The PAdES signature of an issued report's PDF (reports/signing.py, pure): signing, the visible signature's
place and look, the names that must agree, verifying; validated with pyHanko against a throwaway CA."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import BytesIO

import pytest
from matplotlib.figure import Figure
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from reports import signing
from tests.certificates import office_certificate, signature_validate

PLACEMENT = signing.Placement("ChuKySo", 215, 113)
ZOOM = generic.NumberObject(0)


def a_pdf() -> bytes:
    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.1, 0.9, "BÁO CÁO")
    buffer = BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


def a_pdf_with_signature_space(left: float = 330, top: float = 400) -> bytes:
    """A one-page PDF whose signature space is marked as LibreOffice marks the report's: a named destination."""
    writer = IncrementalPdfFileWriter(BytesIO(a_pdf()))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    writer.root["/Dests"] = generic.DictionaryObject(
        {
            generic.pdf_name("/ChuKySo"): generic.ArrayObject(
                [
                    page_ref,
                    generic.pdf_name("/XYZ"),
                    generic.FloatObject(left),
                    generic.FloatObject(top),
                    generic.NumberObject(0),
                ]
            )
        }
    )
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def png(colour: tuple[int, int, int, int], size=(300, 120)) -> bytes:
    buffer = BytesIO()
    Image.new("RGBA", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def office(tmp_path):
    return office_certificate(tmp_path)


def _key(office, password=None) -> signing.P12Key:
    return signing.P12Key(data=office.p12_path.read_bytes(), password=password or office.password)


def test_signed_pdf_validates_against_the_issuing_ca(office):
    signed, who = signing.pdf_sign(a_pdf(), key=_key(office), reason="Ban hành", location="Hưng Yên")

    assert who.signer == "Nguyễn Văn An – Văn phòng Tỉnh ủy Hưng Yên"
    assert who.signed_at is not None and who.level == signing.B_B and not who.timestamped
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = signature_validate(embedded[0], office.ca)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_signature_does_not_validate_against_another_ca(office, tmp_path):
    (tmp_path / "other").mkdir()
    stranger = office_certificate(tmp_path / "other")
    signed, _ = signing.pdf_sign(a_pdf(), key=_key(office))

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    status = signature_validate(embedded, stranger.ca)

    assert status.intact and status.valid
    assert not status.trusted
    assert not signing.pdf_verify(signed, trust_roots=[stranger.ca]).valid
    assert signing.pdf_verify(signed, trust_roots=[office.ca]).valid


def test_a_changed_byte_breaks_the_signature(office):
    signed, _ = signing.pdf_sign(a_pdf(), key=_key(office))
    tampered = signed.replace(b"/MediaBox", b"/MediaBoX", 1)

    embedded = PdfFileReader(BytesIO(tampered), strict=False).embedded_signatures[0]
    assert not signature_validate(embedded, office.ca).intact
    result = signing.pdf_verify(tampered, trust_roots=[office.ca])
    assert not result.valid and not result.intact and result.changed_after_signing
    assert "bị thay đổi" in result.problems[0]


def test_content_appended_after_signing_is_reported(office):
    signed, _ = signing.pdf_sign(a_pdf(), key=_key(office))
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en-US")  # any change to the document after signing
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    result = signing.pdf_verify(out.getvalue(), trust_roots=[office.ca])

    assert result.intact and not result.whole_file and result.changed_after_signing and not result.valid
    assert result.problems == ["Tệp đã bị sửa hoặc thêm nội dung sau khi ký."]


def test_wrong_password_is_a_clear_error(office):
    with pytest.raises(signing.SigningError, match="sai mật khẩu"):
        signing.pdf_sign(a_pdf(), key=_key(office, password="khong-dung"))


def test_visible_signature_sits_where_the_space_is_marked(office):
    appearance = signing.Appearance(
        signer="Nguyễn Văn An",
        body="Văn phòng Tỉnh ủy Hưng Yên",
        signature_png=png((0, 0, 160, 255)),
        seal_png=png((220, 0, 0, 200), size=(200, 200)),
    )
    signed, who = signing.pdf_sign(
        a_pdf_with_signature_space(330, 400), key=_key(office), appearance=appearance, placement=PLACEMENT
    )

    assert who.visible
    reader = PdfFileReader(BytesIO(signed))
    field = reader.embedded_signatures[0].sig_field
    assert [round(float(v)) for v in field["/Rect"]] == [330, 287, 545, 400]
    appearance_stream = field["/AP"]["/N"]
    assert appearance_stream["/Resources"]["/XObject"]  # the images are drawn, not only the text


def test_without_a_marked_space_the_signature_is_invisible(office):
    appearance = signing.Appearance(signer="Nguyễn Văn An", body="Văn phòng Tỉnh ủy Hưng Yên")
    _, who = signing.pdf_sign(a_pdf(), key=_key(office), appearance=appearance, placement=PLACEMENT)
    assert not who.visible


def test_a_key_with_another_certificate_than_registered_is_refused(office):
    with pytest.raises(signing.SigningError, match="không phải chứng thư đã đăng ký"):
        signing.pdf_sign(a_pdf(), key=_key(office), expect_fingerprint="0" * 64)


def test_the_signing_time_is_vietnam_time_with_its_offset():
    assert signing.signing_time_text(datetime(2026, 7, 5, 3, 15, 30, tzinfo=UTC)) == "05/07/2026 10:15:30 +07:00"


@pytest.mark.parametrize(
    ("printed", "holder", "agree"),
    [
        ("Nguyễn Văn Ký", "NGUYỄN VĂN KÝ", True),
        ("Nguyễn  Văn Ký ", "Nguyễn Văn Ký", True),
        ("Nguyễn Văn Ký", "Nguyen Van Ky", False),  # marks make different names in Vietnamese
        ("Trần Văn Phó", "Nguyễn Văn Ký", False),
        ("", "Nguyễn Văn Ký", False),
    ],
)
def test_names_agree_only_for_the_same_name(printed, holder, agree):
    assert signing.names_agree(printed, holder) is agree


def test_the_certificate_organisation_must_name_the_body(office):
    cert, _ = signing.key_certificates(_key(office))
    info = signing.certificate_info(cert)  # O=Văn phòng Tỉnh ủy Hưng Yên
    assert signing.organisation_agrees(info, ["Văn phòng Tỉnh ủy"], "Hưng Yên")
    assert not signing.organisation_agrees(info, ["Sở Khoa học và Công nghệ", "Sở KH&CN"], "Hưng Yên")


def test_signing_works_where_an_event_loop_is_running(office):
    """pyHanko's synchronous API runs its own loop; an ASGI server (or Playwright in this suite) already has one."""

    async def inside_a_loop():
        return signing.pdf_sign(a_pdf(), key=_key(office))

    # a thread of its own for the loop: this process may already run one (Playwright's, in the browser tests)
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, _ = pool.submit(asyncio.run, inside_a_loop()).result()

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    assert signature_validate(embedded, office.ca).bottom_line
