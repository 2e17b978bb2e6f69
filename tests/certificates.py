"""A throwaway certificate authority and an office certificate for signing tests (never a real key)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass
class OfficeCertificate:
    p12_path: Path
    password: str
    ca_der: bytes

    @property
    def ca(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.ca_der)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def office_certificate(
    directory: Path, *, holder: str = "Nguyễn Văn An", office: str = "Văn phòng Tỉnh ủy Hưng Yên"
) -> OfficeCertificate:
    """A CA valid for a day and a signing certificate it issued, saved as a password-protected PKCS#12."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("CA thử nghiệm (không dùng thật)", "Thử nghiệm")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(holder, office))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    password = "mat-khau-thu"
    p12 = pkcs12.serialize_key_and_certificates(
        b"office", key, cert, [ca_cert], serialization.BestAvailableEncryption(password.encode())
    )
    path = directory / "office.p12"
    path.write_bytes(p12)
    return OfficeCertificate(p12_path=path, password=password, ca_der=ca_cert.public_bytes(serialization.Encoding.DER))


def signature_validate(embedded, trust_root: asn1_x509.Certificate):
    """pyHanko's validation of one embedded signature against ``trust_root`` (no network), in a thread of its
    own: ``validate_pdf_signature`` calls ``asyncio.run()``, which fails under Playwright's running loop."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[trust_root], allow_fetching=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, embedded, context).result()
