"""Give an issuing body its signing key: a PKCS#12 file, or a key on a PKCS#11 token (USB token, HSM)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.formatting import vn_date
from reports import services
from reports.models import SigningKey


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được {what} {path}: {exc.strerror or exc}.") from exc


def _secret(path: str | None, what: str) -> str | None:
    """A password or PIN from a file: its first line, without the line break (never printed or logged)."""
    if not path:
        return None
    lines = _read(path, what).decode("utf-8").splitlines()
    return lines[0] if lines else ""


class Command(BaseCommand):
    help = (
        "Đăng ký khóa ký số của một cơ quan ban hành (mã cơ quan; Ban Chỉ đạo tỉnh: bcd): tệp PKCS#12 "
        "(FILE.p12 --password-file F) hoặc thiết bị ký số PKCS#11 (--pkcs11-module LIB --token-label L "
        "--key-label K --pin-file F), và hình chữ ký, con dấu. Tệp được giữ trong kho lưu trữ riêng; mật khẩu, "
        "mã PIN được mã hóa bằng khóa bí mật của trang, hoặc đọc từ biến môi trường (--password-env, --pin-env)."
    )

    def add_arguments(self, parser):
        parser.add_argument("agency_code", help=f"Mã cơ quan (Ban Chỉ đạo tỉnh: {SigningKey.STEERING_COMMITTEE}).")
        parser.add_argument("p12", nargs="?", help="Tệp chứng thư số PKCS#12 (.p12, .pfx) có khóa bí mật.")
        parser.add_argument("--password-file", help="Tệp chứa mật khẩu của tệp PKCS#12 (dòng đầu).")
        parser.add_argument("--password-env", default="", help="Biến môi trường chứa mật khẩu (không lưu mật khẩu).")
        parser.add_argument("--pkcs11-module", default="", help="Thư viện PKCS#11 của thiết bị ký số (.so).")
        parser.add_argument("--token-label", default="", help="Nhãn của thiết bị ký số.")
        parser.add_argument("--key-label", default="", help="Nhãn của khóa (và chứng thư số) trên thiết bị.")
        parser.add_argument("--pin-file", help="Tệp chứa mã PIN của thiết bị (dòng đầu).")
        parser.add_argument("--pin-env", default="", help="Biến môi trường chứa mã PIN (không lưu mã PIN).")
        parser.add_argument("--signature-image", help="Hình chữ ký của người ký (PNG nền trong suốt).")
        parser.add_argument("--seal-image", help="Hình con dấu của cơ quan (PNG nền trong suốt, màu đỏ).")

    def handle(self, *args, **options):
        if options["p12"] and options["pkcs11_module"]:
            raise CommandError("Chỉ chọn một: tệp PKCS#12 hoặc --pkcs11-module.")
        try:
            agency = services.signing_body(options["agency_code"])
            key = services.signing_key_set(
                agency=agency,
                p12=_read(options["p12"], "tệp chứng thư số") if options["p12"] else None,
                password=_secret(options["password_file"], "tệp mật khẩu"),
                password_env=options["password_env"],
                pkcs11_module=options["pkcs11_module"],
                token_label=options["token_label"],
                key_label=options["key_label"],
                pin=_secret(options["pin_file"], "tệp mã PIN"),
                pin_env=options["pin_env"],
                signature_png=_read(options["signature_image"], "hình chữ ký") if options["signature_image"] else None,
                seal_png=_read(options["seal_image"], "hình con dấu") if options["seal_image"] else None,
            )
        except services.ReportError as exc:
            raise CommandError(str(exc)) from exc
        images = [name for name, field in (("chữ ký", key.signature_image), ("con dấu", key.seal_image)) if field]
        self.stdout.write(
            f"Khóa ký số của {key.body_name}: {key.holder}"
            + (f" – {key.organisation}" if key.organisation else "")
            + f"\n  {key.get_kind_display()}, hiệu lực đến {vn_date(key.not_after.date())}"
            + f"\n  SHA-256: {key.fingerprint}"
            + f"\n  Hình: {', '.join(images) if images else 'chưa có (chữ ký hiện chỉ có chữ)'}"
        )
