"""Writes for imports: store an upload as an ImportBatch, preview it, commit it in one transaction, undo it.

The pipeline follows pretix's: keep the upload, validate every row first, then write everything in one
short transaction or nothing at all.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agencies.models import Agency
from imports.models import ImportBatch

from . import kinds
from .base import Preview
from .reading import FileProblem, check_size, read_tables


class ImportRefused(ValueError):
    pass


def import_preview(
    *, kind: str, content: bytes, filename: str, only_agency: Agency | None = None, approve: bool = False
) -> Preview:
    """The dry run: read and validate ``content`` as ``kind``; nothing is written."""
    spec = kinds.get(kind)
    try:
        # the plan workbook reads its own sheets: its columns depend on the plan's milestones
        reader = getattr(spec, "read_tables", None)
        if reader:
            tables = reader(content, filename)
        else:
            tables = read_tables(content, filename, spec.SHEETS, stream=getattr(spec, "STREAMED", False))
        # a streamed file is read while it is validated: a problem further down it is still the file's
        return spec.prepare(tables, only_agency=only_agency, approve=approve)
    except FileProblem as exc:
        return Preview(kind=kind, file_errors=exc.errors)


def import_run(
    *, kind: str, content: bytes, filename: str, user=None, only_agency: Agency | None = None, approve: bool = False
) -> tuple[Preview, ImportBatch | None]:
    """Preview and, when every row is valid, commit at once (the command line's path); returns the batch."""
    batch, preview = import_batch_create(
        kind=kind, content=content, filename=filename, user=user, only_agency=only_agency, approve=approve
    )
    if batch.status != ImportBatch.Status.PREVIEWED:
        return preview, batch
    preview = import_batch_commit(batch=batch, preview=preview)
    batch.refresh_from_db()
    return preview, batch


def import_batch_create(
    *, kind: str, content: bytes, filename: str, user=None, only_agency: Agency | None = None, approve: bool = False
) -> tuple[ImportBatch, Preview]:
    """Keep the upload in private storage and record its preview."""
    check_size(len(content))
    preview = import_preview(kind=kind, content=content, filename=filename, only_agency=only_agency, approve=approve)
    batch = ImportBatch(
        kind=kind,
        original_name=filename[:255],
        agency=only_agency,
        approve=approve,
        created_by=user,
        summary=preview.as_summary(),
        status=ImportBatch.Status.PREVIEWED if preview.is_valid else ImportBatch.Status.INVALID,
    )
    batch.file.save(filename, ContentFile(content), save=False)
    batch.save()
    if preview.is_valid and hasattr(preview.work, "keep"):
        preview.work.keep(batch)  # the validated rows, next to the upload: the commit need not validate it again
    return batch, preview


def import_batch_commit(*, batch: ImportBatch, preview: Preview | None = None) -> Preview:
    """Check the batch again (the data may have moved since the preview) and write it, all or nothing.

    A kind that keeps its validated rows with the batch (figures) re-checks only what may have moved, set-based
    (``recheck``); otherwise, or when it cannot, the stored file is read and validated again.

    ``preview`` may be passed by a caller that has just made it in the same process (the command line).
    When another batch writes the same new rows at the same moment, the database's unique constraint makes
    this one lose: nothing of it is written and ``ImportRefused`` says so.
    """
    try:
        return _commit(batch=batch, preview=preview)
    except (IntegrityError, connection.Database.IntegrityError) as exc:  # the latter: raised through COPY
        raise ImportRefused(
            "Chưa ghi gì: đúng lúc này một lần nhập khác đã ghi cùng số liệu (cùng cơ quan, chỉ số, kỳ). "
            "Hãy xác nhận lại: tệp sẽ được kiểm tra lại với dữ liệu mới rồi mới ghi."
        ) from exc


def _commit(*, batch: ImportBatch, preview: Preview | None) -> Preview:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ImportRefused("Lần nhập này không còn chờ xác nhận (đã ghi, có lỗi hoặc đã hoàn tác).")
        recheck = getattr(kinds.get(batch.kind), "recheck", None)
        if preview is None and recheck is not None:
            preview = recheck(batch)
        if preview is None:
            with batch.file.open("rb") as handle:
                content = handle.read()
            preview = import_preview(
                kind=batch.kind,
                content=content,
                filename=batch.original_name,
                only_agency=batch.agency,
                approve=batch.approve,
            )
        batch.summary = preview.as_summary()
        if not preview.is_valid:
            batch.status = ImportBatch.Status.INVALID
            batch.save(update_fields=["summary", "status"])
            return preview
        when = timezone.now()
        batch.committed_at = when
        batch.changes = kinds.get(batch.kind).write(preview.work, batch=batch, when=when)
        batch.status = ImportBatch.Status.COMMITTED
        batch.save(update_fields=["summary", "status", "committed_at", "changes"])
    kinds.get(batch.kind).after_commit(batch)
    return preview


@transaction.atomic
def import_batch_undo(*, batch: ImportBatch, user=None) -> None:
    """Delete what the batch created and restore what it updated."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ImportRefused("Chỉ hoàn tác được lần nhập đã ghi.")
    spec = kinds.get(batch.kind)
    if not getattr(spec, "undo", None):
        raise ImportRefused(f"Không hoàn tác được loại dữ liệu “{batch.get_kind_display()}”.")
    spec.undo(batch.changes, batch=batch, when=timezone.now())
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at = timezone.now()
    batch.save(update_fields=["status", "undone_at"])
