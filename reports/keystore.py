"""Where the bodies' signing keys are kept, and how a key is opened to sign.

A key's PKCS#12 file and its signature and seal images live in private storage (Django's default storage:
never under the web root, never served); the file's password or a token's PIN is kept in the database only
encrypted (Fernet: AES-128-CBC with HMAC-SHA256) with a key derived from the site's ``SECRET_KEY`` — the
previous keys of ``SECRET_KEY_FALLBACKS`` still open it after a rotation — or not kept at all and read from an
environment variable at signing time. Nothing here writes a row: ``reports.services.signing_key_set`` does.
"""

from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from . import signing
from .models import SigningKey

_CONTEXT = b"plan65 reports.SigningKey secret"


class KeyStoreError(Exception):
    """A stored key cannot be opened; the message is in Vietnamese and never contains a secret."""


def _fernet() -> MultiFernet:
    def derived(secret: str) -> Fernet:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(secret.encode())
        return Fernet(base64.urlsafe_b64encode(key))

    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([derived(secret) for secret in secrets])


def secret_seal(text: str) -> str:
    """``text`` encrypted for the database."""
    return _fernet().encrypt(text.encode()).decode("ascii")


def secret_open(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise KeyStoreError(
            _(
                "Không giải mã được mật khẩu của khóa ký số (khóa bí mật của trang, DJANGO_SECRET_KEY, đã đổi?). "
                "Hãy đăng ký lại khóa bằng lệnh signing_key_set."
            )
        ) from exc


def key_secret(key: SigningKey) -> str | None:
    """The password or PIN of ``key``: from its environment variable, or decrypted from the database."""
    if key.secret_env:
        value = os.environ.get(key.secret_env)
        if value is None:
            raise KeyStoreError(
                _("Biến môi trường %(name)s (mật khẩu hoặc mã PIN của khóa ký số) chưa được đặt.")
                % {"name": key.secret_env}
            )
        return value
    return secret_open(key.secret) if key.secret else None


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def key_open(key: SigningKey) -> signing.P12Key | signing.TokenKey:
    """The key as ``reports.signing`` uses it, its secret in memory only for as long as the signing takes."""
    if key.kind == SigningKey.Kind.TOKEN:
        return signing.TokenKey(
            module=key.pkcs11_module, token_label=key.token_label, key_label=key.key_label, pin=key_secret(key)
        )
    if not key.p12:
        raise KeyStoreError(_("Khóa ký số của %(body)s không còn tệp chứng thư.") % {"body": key.body_name})
    try:
        data = _read(key.p12)
    except OSError as exc:
        raise KeyStoreError(
            _("Không đọc được tệp chứng thư số của %(body)s trong kho lưu trữ.") % {"body": key.body_name}
        ) from exc
    return signing.P12Key(data=data, password=key_secret(key))


def key_images(key: SigningKey) -> tuple[bytes | None, bytes | None]:
    """The signer's signature image and the body's seal (PNG bytes), where uploaded."""
    return (
        _read(key.signature_image) if key.signature_image else None,
        _read(key.seal_image) if key.seal_image else None,
    )


def trust_roots() -> list:
    """The roots a signature may chain to: those of every key the bodies have registered (retired ones too, so
    that old reports still verify) and the bundle in ``REPORT_TRUST_ROOTS``."""
    roots: dict[bytes, object] = {}
    for pem in SigningKey.objects.values_list("certificates", flat=True):
        for cert in signing.self_signed(signing.certificates_load_pem(pem.encode())):
            roots[cert.dump()] = cert
    if settings.REPORT_TRUST_ROOTS:
        with open(settings.REPORT_TRUST_ROOTS, "rb") as handle:
            for cert in signing.certificates_load_pem(handle.read()):
                roots[cert.dump()] = cert
    return list(roots.values())
