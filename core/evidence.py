"""Evidence files (tài liệu minh chứng: of a figure, a task report, a plan adjustment's signed decision): which
files are accepted and how they are sent back. The kernel: every layer that keeps such a file uses it.

A file is accepted when its extension is one we expect AND its first bytes are what such a file starts
with, so a renamed executable or HTML page is refused. Files live in the private default storage
(``settings.STORAGES['default']``, var/uploads) and are only ever sent by ``evidence_response`` after the
view has checked that the user may see the row they belong to.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)  # docx, xlsx, pptx, odt, ods, odp are zip containers
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc, xls, ppt (Office 97–2003)
_PNG = (b"\x89PNG\r\n\x1a\n",)
_JPEG = (b"\xff\xd8\xff",)

#: extension → the signatures such a file may start with
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": _PDF,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "png": _PNG,
    "jpg": _JPEG,
    "jpeg": _JPEG,
}


def check_evidence(name: str, size: int, head: bytes, *, max_bytes: int) -> str | None:
    """Why this file is refused (in Vietnamese), or None if it is accepted. Pure: no storage involved."""
    extension = PurePath(name).suffix.lower().removeprefix(".")
    if extension not in SIGNATURES:
        allowed = ", ".join(sorted(SIGNATURES))
        return _("Chỉ nhận tệp PDF, Office hoặc ảnh (%(allowed)s).") % {"allowed": allowed}
    if size > max_bytes:
        return _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": f"{max_bytes / 1024 / 1024:g}".replace(".", ",")}
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        return _("Nội dung tệp không đúng định dạng .%(ext)s.") % {"ext": extension}
    return None


def validate_evidence(uploaded) -> None:
    """Form-field validator for an uploaded evidence file."""
    head = uploaded.read(16)
    uploaded.seek(0)
    problem = check_evidence(uploaded.name, uploaded.size, head, max_bytes=settings.UPLOAD_MAX_BYTES)
    if problem:
        raise ValidationError(problem)


def evidence_response(field_file) -> FileResponse:
    """Send a stored evidence file as a download (never rendered inline by the browser)."""
    name = PurePath(field_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
