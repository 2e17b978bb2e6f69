"""Digital signature of an issued report's PDF (PAdES, with pyHanko) with the office's certificate.

Pure functions: bytes and a PKCS#12 file in, signed bytes and who signed when out. The service decides when
to sign (on issue, if ``REPORT_SIGNING_P12`` is set); nothing here reads settings or the database.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

FIELD_NAME = "ChuKySo"


class SigningError(Exception):
    """The certificate cannot be loaded or the PDF cannot be signed; the message is in Vietnamese."""


@dataclass(frozen=True)
class PdfSignature:
    """Who signed (the certificate's subject, as a person reads it) and when (the time embedded in the PDF)."""

    signer: str
    signed_at: datetime


def certificate_holder(cert: x509.Certificate) -> str:
    """ "Nguyễn Văn A – Văn phòng Tỉnh ủy Hưng Yên": the subject's common name and organisation."""
    subject = cert.subject.native
    parts = [subject.get("common_name"), subject.get("organization_name")]
    return " – ".join(str(part) for part in parts if part) or cert.subject.human_friendly


def off_loop(function, /, *args, **kwargs):
    """Run ``function`` in a thread of its own: pyHanko's synchronous API calls ``asyncio.run()``, which fails
    where an event loop is already running in this thread (an ASGI server; Playwright in the test suite)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def signer_load(*, p12_path: str | Path, password: str | None) -> signers.SimpleSigner:
    try:
        data = Path(p12_path).read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chứng thư số {p12_path}: {exc.strerror or exc}.") from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=password.encode() if password else None
        )
    except ValueError as exc:
        raise SigningError(f"Không mở được tệp chứng thư số {p12_path} (sai mật khẩu hoặc tệp hỏng).") from exc


def pdf_sign(
    pdf: bytes, *, p12_path: str | Path, password: str | None, reason: str = "", location: str = ""
) -> tuple[bytes, PdfSignature]:
    """Sign ``pdf`` with the certificate in ``p12_path`` (PAdES baseline B, SHA-256, invisible signature)."""
    signer = signer_load(p12_path=p12_path, password=password)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=certificate_holder(signer.signing_cert),
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        signed = off_loop(signers.sign_pdf, writer, meta, signer=signer).getvalue()
    except Exception as exc:  # pyHanko raises several types for a malformed PDF or an unusable key
        raise SigningError(f"Không ký số được tệp PDF: {exc}") from exc
    return signed, pdf_signature_read(signed)


def pdf_signature_read(pdf: bytes) -> PdfSignature:
    """The last signature embedded in ``pdf`` (who and when), read back from the file itself."""
    embedded = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
    if not embedded:
        raise SigningError("Tệp PDF không có chữ ký số.")
    signature = embedded[-1]
    return PdfSignature(signer=certificate_holder(signature.signer_cert), signed_at=signature.self_reported_timestamp)
