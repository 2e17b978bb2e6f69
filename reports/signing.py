"""Digital signatures of issued reports' PDFs (PAdES, with pyHanko): signing with a body's key, verifying a file.

Pure functions: bytes, keys and names in, signed bytes or a verdict out. The services decide who may sign for
which body and with which key (``reports/keystore.py`` opens it from private storage); nothing here reads
settings or the database. The network is used only to ask the time-stamping authority (TSA) for a timestamp
and the certificate authority for revocation data while signing; verifying never goes online.

- **Key**: a PKCS#12 file and its password (``P12Key``) or a key on a PKCS#11 token — a USB token or an HSM
  (``TokenKey``).
- **Visible signature** (Decree 30/2020/NĐ-CP, Phụ lục I): the signer's signature image with the body's seal
  over its left third, and "Ký số bởi / Cơ quan / Thời gian ký" under them, in the space the .docx leaves in
  the signature block; that space is found in the PDF by the named destination ``documents.SIGNATURE_ANCHOR``.
- **Level**: PAdES B-B without a TSA; with one, B-LT: an RFC 3161 timestamp on the signature and the
  certificate chain with OCSP responses and CRLs in the document security store (DSS), so the signature can be
  checked after the certificate expires or once its CA is gone.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from asn1crypto import pem, x509
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, pkcs11, signers, timestamps
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import ades, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy, FreshnessReqType
from pyhanko_certvalidator.registry import SimpleTrustManager

FIELD_NAME = "ChuKySo"
B_B, B_T, B_LT, B_LTA = "B-B", "B-T", "B-LT", "B-LTA"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: Liberation Serif (SIL Open Font License, beside it), metric-compatible with the reports' Times New Roman
STAMP_FONT = Path(__file__).resolve().parent / "fonts" / "LiberationSerif-Regular.ttf"


@functools.cache
def _stamp_font() -> str:
    """The stamp's font scaled to 1000 units per em, in a temporary file for this process.

    pyHanko writes a TrueType font's glyph widths as they are in the font while PDF reads them in thousandths
    of an em: Liberation Serif's 2048 units per em spread the letters twice as wide as they should be."""
    font = TTFont(STAMP_FONT)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    handle, path = tempfile.mkstemp(prefix="plan65-stamp-", suffix=".ttf")
    with os.fdopen(handle, "wb") as out:
        font.save(out)
    return path


class SigningError(Exception):
    """The key cannot be used or the PDF cannot be signed; the message is in Vietnamese."""


# --- certificates and names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateInfo:
    """What a person reads of a certificate: whose it is, of which body, valid when, its fingerprint."""

    holder: str
    organisation: str
    units: tuple[str, ...]
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the DER, hex

    @property
    def label(self) -> str:
        """ "Nguyễn Văn A – Sở Khoa học và Công nghệ"."""
        return " – ".join(part for part in (self.holder, self.organisation) if part)


def _texts(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    subject = cert.subject.native
    issuer = cert.issuer.native
    return CertificateInfo(
        holder=", ".join(_texts(subject.get("common_name"))),
        organisation=", ".join(_texts(subject.get("organization_name"))),
        units=tuple(_texts(subject.get("organizational_unit_name"))),
        issuer=", ".join(_texts(issuer.get("common_name"))) or cert.issuer.human_friendly,
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
    )


def certificate_holder(cert: x509.Certificate) -> str:
    """ "Nguyễn Văn A – Văn phòng Tỉnh ủy Hưng Yên": the subject's common name and organisation."""
    return certificate_info(cert).label or cert.subject.human_friendly


def name_key(text: str) -> str:
    """A name as compared: Unicode composed, case and spacing ignored, punctuation dropped, "đ" kept apart."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def names_agree(printed: str, holder: str) -> bool:
    """The signer's name printed on the report and the certificate holder's name are the same person's."""
    return bool(name_key(printed)) and name_key(printed) == name_key(holder)


def organisation_agrees(info: CertificateInfo, body_names: Iterable[str], place: str = "") -> bool:
    """The certificate's organisation (or one of its units) names the issuing body: "Sở Khoa học và Công nghệ
    tỉnh Hưng Yên" agrees with "Sở Khoa học và Công nghệ" (the province's name after it may be left out)."""
    suffixes = [name_key(place), name_key("tỉnh")] if place else [name_key("tỉnh")]

    def bare(text: str) -> str:
        key = name_key(text)
        for suffix in suffixes:  # "Công an tỉnh Hưng Yên" → "công an tỉnh" → "công an"
            if key.endswith(" " + suffix):
                key = key[: -len(suffix) - 1].strip()
        return key

    wanted = {bare(name) for name in body_names if name_key(name)}
    return any(bare(name) in wanted for name in (info.organisation, *info.units) if name_key(name))


def certificates_load_pem(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle (or one DER certificate)."""
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


def certificates_dump_pem(certs: Iterable[x509.Certificate]) -> str:
    return "".join(pem.armor("CERTIFICATE", cert.dump()).decode("ascii") for cert in certs)


def self_signed(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    return [cert for cert in certs if cert.self_signed == "maybe" or cert.self_signed == "yes"]


# --- keys ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class P12Key:
    """A PKCS#12 (.p12/.pfx) file's bytes and its password."""

    data: bytes = field(repr=False)
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TokenKey:
    """A key on a PKCS#11 token (USB token, HSM): the module's library, the token, the key's label, the PIN."""

    module: str
    token_label: str
    key_label: str
    pin: str | None = field(default=None, repr=False)
    cert_label: str = ""


def off_loop(function, /, *args, **kwargs):
    """Run ``function`` in a thread of its own: pyHanko's synchronous API calls ``asyncio.run()``, which fails
    where an event loop is already running in this thread (an ASGI server; Playwright in the test suite)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _p12_signer(key: P12Key) -> signers.SimpleSigner:
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            key.data, other_certs=(), passphrase=key.password.encode() if key.password else None
        )
    except (ValueError, TypeError) as exc:
        raise SigningError("Không mở được tệp chứng thư số (sai mật khẩu hoặc tệp hỏng).") from exc


class _TokenSession:
    """A PKCS#11 session and the signer on it, closed after use (the token allows few sessions at once)."""

    def __init__(self, key: TokenKey):
        self.key = key
        self.session = None

    def __enter__(self):
        try:
            self.session = pkcs11.open_pkcs11_session(
                self.key.module, token_criteria=TokenCriteria(label=self.key.token_label), user_pin=self.key.pin
            )
        except Exception as exc:  # python-pkcs11 raises its own types: no token, wrong PIN, library missing
            raise SigningError(
                f"Không mở được thiết bị ký số “{self.key.token_label}” ({type(exc).__name__}: {exc}). "
                "Hãy kiểm tra thiết bị đã cắm, mã PIN và thư viện PKCS#11."
            ) from exc
        try:
            return pkcs11.PKCS11Signer(
                self.session,
                key_label=self.key.key_label,
                cert_label=self.key.cert_label or self.key.key_label,
                other_certs_to_pull=None,
                # the token signs a digest computed here (raw RSA PKCS#1 v1.5 or ECDSA): every token has those
                # mechanisms, not every one has the hash-and-sign ones (SoftHSM has no ECDSA-SHA256)
                use_raw_mechanism=True,
            )
        except Exception as exc:
            self.__exit__(None, None, None)
            raise SigningError(
                f"Không tìm thấy khóa “{self.key.key_label}” và chứng thư số của nó trên thiết bị ký số "
                f"“{self.key.token_label}” ({exc})."
            ) from exc

    def __exit__(self, *exc_info):
        if self.session is not None:
            self.session.close()
            self.session = None


def key_certificates(key: P12Key | TokenKey) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The signing certificate of ``key`` and the other certificates that come with it (its chain)."""

    def read():
        if isinstance(key, P12Key):
            signer = _p12_signer(key)
            return signer.signing_cert, list(signer.cert_registry)
        with _TokenSession(key) as signer:
            return signer.signing_cert, list(signer.cert_registry)

    cert, others = off_loop(read)
    if cert is None:
        raise SigningError("Tệp hoặc thiết bị ký số không có chứng thư số đi kèm khóa.")
    return cert, [other for other in others if other.dump() != cert.dump()]


# --- where the signature goes and what it shows --------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    """What the visible signature shows: the signer, the body, and their signature and seal images (PNG)."""

    signer: str
    body: str
    signature_png: bytes | None = field(default=None, repr=False)
    seal_png: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Placement:
    """The named destination that marks the top left corner of the signature space, and the space's size."""

    anchor: str
    width: float  # points
    height: float


def _destinations(reader: PdfFileReader) -> dict[str, generic.PdfObject]:
    """Named destinations, from the catalogue's /Dests (PDF 1.1, as LibreOffice writes) or its /Names tree."""
    found: dict[str, generic.PdfObject] = {}
    root = reader.root
    if "/Dests" in root:
        for name, value in root["/Dests"].items():
            found[str(name).lstrip("/")] = value
    names = root.get("/Names")
    if names is not None and "/Dests" in names:
        stack = [names["/Dests"]]
        while stack:
            node = stack.pop()
            entries = node.get("/Names", [])
            for index in range(0, len(entries) - 1, 2):
                found[str(entries[index])] = entries[index + 1]
            stack.extend(node.get("/Kids", []))
    return found


def _page_index(reader: PdfFileReader, page_ref) -> int | None:
    target = page_ref.reference if isinstance(page_ref, generic.IndirectObject) else None
    index = 0
    stack = [reader.root.raw_get("/Pages")]
    while stack:
        ref = stack.pop()
        node = ref.get_object()
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node.raw_get("/Kids"))))
            continue
        if isinstance(ref, generic.IndirectObject) and ref.reference == target:
            return index
        index += 1
    return None


def signature_box(pdf: bytes, placement: Placement) -> tuple[int, tuple[int, int, int, int]] | None:
    """The page (from 0) and rectangle of the signature space marked in ``pdf``, or None where it is unmarked."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    destination = _destinations(reader).get(placement.anchor)
    if destination is None:
        return None
    destination = destination.get_object()
    if isinstance(destination, generic.DictionaryObject):
        destination = destination.get("/D")
    if not destination or len(destination) < 4 or destination[1] != "/XYZ":
        return None
    page = _page_index(reader, destination.raw_get(0) if hasattr(destination, "raw_get") else destination[0])
    left, top = float(destination[2] or 0), float(destination[3] or 0)
    if page is None or not top:
        return None
    box = (round(left), round(top - placement.height), round(left + placement.width), round(top))
    return page, box


def signing_time_text(moment: datetime) -> str:
    """ "05/07/2026 10:15:30 +07:00": Vietnam's time with its offset (Decree 30 asks for the ISO 8601 zone)."""
    local = moment.astimezone(VIETNAM)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


#: points: the stamp's text (three lines of 7 pt) and the margin around the images
_TEXT_SIZE, _TEXT_LEADING, _TEXT_BLOCK = 7, 9, 38


def _images_composed(appearance: Appearance, width: float, height: float):
    """The signature image with the seal over its left third (Decree 30, Phụ lục I), as one RGBA image.

    Drawn at 300 dpi, to fit ``width`` × ``height`` points; None without either image.
    """
    scale = 300 / 72
    signature = Image.open(io.BytesIO(appearance.signature_png)).convert("RGBA") if appearance.signature_png else None
    seal = Image.open(io.BytesIO(appearance.seal_png)).convert("RGBA") if appearance.seal_png else None
    if signature is None and seal is None:
        return None
    seal_side = height if seal is not None else 0.0
    sig_w = sig_h = 0.0
    if signature is not None:
        room_w = width if seal is None else 1.5 * (width - seal_side)
        ratio = signature.width / signature.height
        sig_h = min(height * 0.8, room_w / ratio)
        sig_w = sig_h * ratio
    if seal is not None and signature is not None:
        total = seal_side + sig_w * 2 / 3
        sig_left = seal_side - sig_w / 3
    else:
        total = seal_side or sig_w
        sig_left = 0.0
    canvas = Image.new("RGBA", (max(1, round(total * scale)), max(1, round(height * scale))), (255, 255, 255, 0))
    if signature is not None:
        resized = signature.resize((max(1, round(sig_w * scale)), max(1, round(sig_h * scale))), Image.LANCZOS)
        canvas.alpha_composite(resized, (round(sig_left * scale), round((height - sig_h) / 2 * scale)))
    if seal is not None:
        side = max(1, round(seal_side * scale))
        seal.thumbnail((side, side), Image.LANCZOS)
        canvas.alpha_composite(seal, ((side - seal.width) // 2, (side - seal.height) // 2))
    return canvas, total, height


def stamp_style(appearance: Appearance, width: float, height: float) -> TextStampStyle:
    """The visible signature's look: the images above, three lines of text below, no border."""
    images_height = max(height - _TEXT_BLOCK, 1)
    composed = _images_composed(appearance, width - 4, images_height - 2)
    background = None
    if composed is not None:
        image, image_w, image_h = composed
        background = PdfImage(image, box=layout.BoxConstraints(width=round(image_w), height=round(image_h)))
    return TextStampStyle(
        stamp_text="Ký số bởi: %(nguoi_ky)s\nCơ quan: %(co_quan)s\nThời gian ký: %(thoi_gian)s",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(_stamp_font(), font_size=_TEXT_SIZE),
            font_size=_TEXT_SIZE,
            leading=_TEXT_LEADING,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=2, right=2, bottom=2),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=0,
        background=background,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(top=1, bottom=_TEXT_BLOCK),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


class _PdfSignerAt(signers.PdfSigner):
    """pyHanko's signer with the signing time given, so that the time shown in the visible signature, the
    signature dictionary's /M and the signed signing-time attribute are one and the same moment."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.signing_time
        return session


# --- signing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfSignature:
    """Who signed (the certificate's subject, as a person reads it), when, and how (PAdES level, timestamp)."""

    signer: str
    signed_at: datetime
    level: str = B_B
    timestamped: bool = False
    digest: str = ""  # SHA-256 of the signed bytes (the signature's byte range), hex: finds the report again
    visible: bool = False


def pdf_sign(
    pdf: bytes,
    *,
    key: P12Key | TokenKey,
    reason: str = "",
    location: str = "",
    appearance: Appearance | None = None,
    placement: Placement | None = None,
    expect_fingerprint: str = "",
    tsa_url: str = "",
    trust_roots: Sequence[x509.Certificate] = (),
    signing_time: datetime | None = None,
) -> tuple[bytes, PdfSignature]:
    """Sign ``pdf`` with ``key`` (PAdES, SHA-256): visible where ``placement`` marks the space, else invisible.

    With ``tsa_url``: B-LT (an RFC 3161 timestamp, and the chains of the signer and the TSA with their OCSP
    responses or CRLs in the DSS; ``trust_roots`` anchor those chains). ``expect_fingerprint``: the certificate
    registered for the body; a key that now carries another certificate is refused.
    """
    moment = (signing_time or datetime.now(VIETNAM)).astimezone(VIETNAM).replace(microsecond=0)
    box = signature_box(pdf, placement) if placement and appearance else None

    def sign(signer) -> bytes:
        cert = signer.signing_cert
        if expect_fingerprint and hashlib.sha256(cert.dump()).hexdigest() != expect_fingerprint:
            raise SigningError(
                f"Chứng thư số của khóa ký ({certificate_holder(cert)}) không phải chứng thư đã đăng ký cho "
                "cơ quan này; hãy đăng ký lại khóa (signing_key_set)."
            )
        chain = list(signer.cert_registry)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None,
            location=location or None,
            name=certificate_holder(cert),
            embed_validation_info=bool(tsa_url),
            validation_context=(
                ValidationContext(
                    trust_roots=list(trust_roots), other_certs=chain, allow_fetching=True, revocation_mode="require"
                )
                if tsa_url
                else None
            ),
        )
        timestamper = timestamps.HTTPTimeStamper(tsa_url, https=tsa_url.startswith("https")) if tsa_url else None
        spec = None
        style = None
        params = None
        if box is not None:
            page, rect = box
            spec = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=page, box=rect)
            style = stamp_style(appearance, rect[2] - rect[0], rect[3] - rect[1])
            params = {"nguoi_ky": appearance.signer, "co_quan": appearance.body, "thoi_gian": signing_time_text(moment)}
        pdf_signer = _PdfSignerAt(
            meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec, signing_time=moment
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        return pdf_signer.sign_pdf(writer, appearance_text_params=params).getvalue()

    def run() -> bytes:
        if isinstance(key, P12Key):
            return sign(_p12_signer(key))
        with _TokenSession(key) as signer:
            return sign(signer)

    try:
        signed = off_loop(run)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises many types: a malformed PDF, an unusable key, a TSA or OCSP down
        raise SigningError(_signing_failure(exc, tsa_url)) from exc
    result = pdf_signature_read(signed)
    return signed, PdfSignature(
        signer=result.signer,
        signed_at=result.signed_at,
        level=B_LT if tsa_url else B_B,
        timestamped=result.timestamped,
        digest=result.digest,
        visible=box is not None,
    )


def _signing_failure(exc: Exception, tsa_url: str) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if tsa_url and ("imestamp" in text or "TSA" in text or "ClientConnector" in text or "onnect" in text):
        return f"Không lấy được dấu thời gian từ {tsa_url} ({text})."
    if tsa_url and ("revocation" in text.lower() or "path" in text.lower() or "OCSP" in text or "CRL" in text):
        return f"Không lấy được dữ liệu kiểm tra chứng thư số (OCSP/CRL) để lưu kèm chữ ký ({text})."
    return f"Không ký số được tệp PDF ({text})."


def _has_signature_timestamp(embedded) -> bool:
    """An RFC 3161 timestamp token on the signature (an unsigned attribute of the CMS signer info)."""
    return any(True for _ in extract_tst_data_iter(embedded.signer_info, signed=False))


def pdf_signature_read(pdf: bytes) -> PdfSignature:
    """The last signature embedded in ``pdf`` (who, when, whether timestamped), read back from the file itself."""
    embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures
    if not embedded:
        raise SigningError("Tệp PDF không có chữ ký số.")
    signature = embedded[-1]
    return PdfSignature(
        signer=certificate_holder(signature.signer_cert),
        signed_at=signature.self_reported_timestamp,
        timestamped=_has_signature_timestamp(signature),
        digest=signature.compute_digest("sha256").hex(),
    )


# --- verifying -----------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """What a reader needs to know of a signed PDF; ``problems`` say in Vietnamese what is wrong, if anything."""

    signed: bool = False
    valid: bool = False
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    changed_after_signing: bool = False
    long_term: bool = False
    signer: str = ""
    holder: str = ""
    organisation: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False
    trusted_time: bool = False
    level: str = ""
    digest: str = ""
    sha256: str = ""
    reason: str = ""
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "signed": self.signed,
            "valid": self.valid,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_file": self.whole_file,
            "changed_after_signing": self.changed_after_signing,
            "long_term_validation": self.long_term,
            "signer": self.holder,
            "organisation": self.organisation,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "trusted_time": self.trusted_time,
            "level": self.level,
            "reason": self.reason,
            "signed_digest": self.digest,
            "sha256": self.sha256,
            "problems": list(self.problems),
        }


def _local_only_spec(trust_roots: Sequence[x509.Certificate], other_certs: Sequence[x509.Certificate]):
    return PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(list(trust_roots)),
                revinfo_policy=CertRevTrustPolicy(
                    REQUIRE_REVINFO, freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION
                ),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
                certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
            ),
            local_knowledge=LocalKnowledge(known_certs=list(other_certs)),
        )
    )


def long_term_validate(embedded, trust_roots: Sequence[x509.Certificate], *, at: datetime | None = None):
    """pyHanko's AdES long-term validation of one signature from the document's own data, never online
    (ETSI EN 319 102-1 § 5.6.3), now or at a later moment ``at`` (after the certificate has expired)."""
    spec = _local_only_spec(trust_roots, embedded.other_embedded_certs)

    # "as if later": only the document's own data (the DSS) and the signature timestamp as proof of existence
    # count, which is what a B-LT file must carry; at the present moment this is B-LT's check
    async def run():
        return await ades.simulate_future_ades_lta_validation(
            embedded, pdf_validation_spec=spec, future_validation_time=at or datetime.now(VIETNAM)
        )

    return off_loop(asyncio.run, run())


def pdf_verify(pdf: bytes, *, trust_roots: Sequence[x509.Certificate]) -> Verification:
    """Check the last signature of ``pdf`` against ``trust_roots``, without the network.

    Valid means: the signed bytes are unchanged, the signature is cryptographically sound, the certificate
    chains to a trusted root and was good when signing (from the revocation data in the file, or, for a B-B
    signature without any, now), and the signature covers the whole file — or what follows it only adds
    validation data and timestamps (a B-LT file's DSS).
    """
    result = Verification(sha256=hashlib.sha256(pdf).hexdigest())
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_regular_signatures
    except Exception as exc:  # not a PDF, or a broken one
        result.problems.append(f"Không đọc được tệp PDF ({type(exc).__name__}).")
        return result
    if not embedded:
        result.problems.append("Tệp PDF không có chữ ký số.")
        return result
    signature = embedded[-1]
    result.signed = True
    try:
        info = certificate_info(signature.signer_cert)
        result.holder, result.organisation, result.signer = info.holder, info.organisation, info.label
        result.signed_at = signature.self_reported_timestamp
        result.reason = str(signature.sig_object.get("/Reason", "") or "")
        result.digest = signature.compute_digest("sha256").hex()
        result.timestamped = _has_signature_timestamp(signature)
        document_timestamps = list(reader.embedded_timestamp_signatures)
        context = ValidationContext(
            trust_roots=list(trust_roots),
            other_certs=signature.other_embedded_certs,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        status = off_loop(validate_pdf_signature, signature, context)
    except SignatureValidationError as exc:
        result.problems.append(f"Không kiểm tra được chữ ký ({exc}).")
        return result
    except Exception as exc:  # an uploaded file can be malformed in any way: it is then simply not valid
        result.problems.append(
            f"Không kiểm tra được chữ ký: tệp PDF hỏng hoặc không đúng chuẩn ({type(exc).__name__})."
        )
        return result
    result.intact, crypto_ok = status.intact, status.valid
    coverage, modifications = status.coverage, status.modification_level
    result.whole_file = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and modifications is not None
        and modifications <= ModificationLevel.LTA_UPDATES
        and status.docmdp_ok is not False
    )
    result.changed_after_signing = not result.intact or not result.whole_file
    if status.timestamp_validity is not None:
        result.trusted_time = status.timestamp_validity.intact and status.timestamp_validity.valid
        result.trusted_time &= status.timestamp_validity.trusted
        if result.trusted_time:
            result.signed_at = status.timestamp_validity.timestamp
    has_revinfo = reader.root.get("/DSS") is not None
    if result.intact and crypto_ok and has_revinfo:
        try:
            result.long_term = long_term_validate(signature, trust_roots).ades_subindic == AdESPassed.OK
        except Exception:  # a malformed DSS: the file is simply not verifiable in the long term
            result.long_term = False
    result.trusted = bool(status.trusted) or result.long_term
    if result.long_term:
        result.level = B_LTA if document_timestamps else B_LT
    else:
        result.level = B_T if result.timestamped else B_B
    result.valid = result.intact and crypto_ok and result.trusted and result.whole_file
    if not result.intact:
        result.problems.append("Nội dung đã ký bị thay đổi: tệp không còn như lúc ký.")
    elif not crypto_ok:
        result.problems.append("Chữ ký không khớp với chứng thư số (chữ ký hỏng).")
    elif not result.whole_file:
        result.problems.append("Tệp đã bị sửa hoặc thêm nội dung sau khi ký.")
    if result.intact and crypto_ok and not result.trusted:
        result.problems.append(
            "Chứng thư số không dẫn tới tổ chức chứng thực tin cậy của hệ thống, hoặc đã hết hạn, bị thu hồi."
        )
    return result
