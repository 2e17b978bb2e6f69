"""Writes for imports: store an upload as an ImportBatch, check it, commit it in one transaction, undo it.

The pipeline follows pretix's: keep the upload, validate every row first, then write everything in one
short transaction or nothing at all. Checking and writing a large file is the work of a Celery job
(imports/jobs.py) that reports its progress on the batch for the batch page to show; a file up to
IMPORT_BACKGROUND_BYTES goes through the same functions within the request. A larger one's job is recorded
with the batch's own change of state (``enqueue_after_commit``): with Redis down the upload or the confirm
answers at once and the job runs once Redis is back. A job that dies leaves the batch "running" without
progress: after IMPORT_JOB_STALE_MINUTES the page shows it failed and offers to check it again
(``import_batch_retry``).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from core.formatting import format_number, vn_date
from core.jobs import TRANSIENT_ERRORS, enqueue_after_commit
from imports.models import ImportBatch

from . import kinds
from .base import NEW, UPDATED, Preview, PreviewMoved
from .reading import FileProblem, Progress, check_size, read_tables

logger = logging.getLogger(__name__)

Status, Step = ImportBatch.Status, ImportBatch.Step
VALIDATE_JOB, WRITE_JOB = ImportBatch.JOBS[Status.VALIDATING], ImportBatch.JOBS[Status.COMMITTING]

#: a running job writes its progress down at most this often: every 2 % of the rows, not under 200 rows
#: apart nor under a quarter of a second apart (and whenever a step starts or ends)
PROGRESS_SHARE = 50
PROGRESS_MIN_ROWS = 200
PROGRESS_MIN_SECONDS = 0.25

RACE_LOST = (
    "Chưa ghi gì: đúng lúc này một lần nhập khác đã ghi cùng số liệu (cùng cơ quan, chỉ số, kỳ). "
    "Hãy xác nhận lại: tệp sẽ được kiểm tra lại với dữ liệu mới rồi mới ghi."
)


class ImportRefused(ValueError):
    pass


class BatchProgress:
    """What a running job has done, written down on its batch for the page to show: a few updates a file
    (every 2 % of the rows), never one per row. Each step (reading, checking) counts its rows afresh."""

    def __init__(self, batch_id: int, status: str):
        self.batch_id, self.status = batch_id, status
        self.current: str | None = None
        self.next_done = 0
        self.next_time = 0.0

    def step(self, step: str) -> Progress:
        return partial(self.report, step)

    def report(self, step: str, done: int, total: int) -> None:
        """``total`` 0: not known yet (a sheet that does not declare its size)."""
        finished = total > 0 and done >= total
        if step == self.current and not finished:
            if done < self.next_done or time.monotonic() < self.next_time:
                return
        self.current = step
        self.next_done = done + max(PROGRESS_MIN_ROWS, total // PROGRESS_SHARE)
        self.next_time = time.monotonic() + PROGRESS_MIN_SECONDS
        ImportBatch.objects.filter(pk=self.batch_id, status=self.status).update(
            progress_step=step, progress_done=done, progress_total=total, progress_at=timezone.now()
        )


def import_preview(
    *,
    kind: str,
    content: bytes,
    filename: str,
    only_agency: Agency | None = None,
    approve: bool = False,
    progress: BatchProgress | None = None,
    options: dict | None = None,
) -> Preview:
    """The dry run: read and validate ``content`` as ``kind``; nothing is written (but ``progress``)."""
    spec = kinds.get(kind)
    # a kind that needs more than the file (the plan: the decision adjusting it) takes the batch's options
    extra = {"options": options or {}} if getattr(spec, "TAKES_OPTIONS", False) else {}
    streamed = getattr(spec, "STREAMED", False)
    checking = progress and progress.step(Step.CHECK)
    try:
        # the plan workbook reads its own sheets: its columns depend on the plan's milestones
        reader = getattr(spec, "read_tables", None)
        if reader:
            tables = reader(content, filename)
        else:
            # a streamed file is checked as it is read: the rows read are the rows checked
            reading = checking if streamed else progress and progress.step(Step.READ)
            tables = read_tables(content, filename, spec.SHEETS, stream=streamed, progress=reading)
        # a streamed file is read while it is validated: a problem further down it is still the file's
        preview = spec.prepare(tables, only_agency=only_agency, approve=approve, progress=checking, **extra)
    except FileProblem as exc:
        return Preview(kind=kind, file_errors=exc.errors)
    if checking:
        checking(preview.total, preview.total)
    return preview


def import_run(
    *, kind: str, content: bytes, filename: str, user=None, only_agency: Agency | None = None, approve: bool = False
) -> tuple[Preview, ImportBatch | None]:
    """Preview and, when every row is valid, commit at once (the command line's path); returns the batch."""
    batch, preview = import_batch_create(
        kind=kind, content=content, filename=filename, user=user, only_agency=only_agency, approve=approve
    )
    if batch.status != Status.PREVIEWED:
        return preview, batch
    preview = import_batch_commit(batch=batch, preview=preview)
    batch.refresh_from_db()
    return preview, batch


def import_batch_store(
    *,
    kind: str,
    content: bytes,
    filename: str,
    user=None,
    only_agency: Agency | None = None,
    approve: bool = False,
    options: dict | None = None,
) -> ImportBatch:
    """Keep the upload in private storage as a batch waiting to be checked; only its size is checked here."""
    kinds.get(kind)
    check_size(len(content))
    batch = ImportBatch(
        kind=kind,
        original_name=filename[:255],
        agency=only_agency,
        approve=approve,
        options=options or {},
        created_by=user,
        status=Status.VALIDATING,
        progress_step=Step.QUEUED,
        progress_at=timezone.now(),
    )
    batch.file.save(filename, ContentFile(content), save=False)
    batch.save()
    return batch


def import_batch_upload(
    *,
    kind: str,
    content: bytes,
    filename: str,
    user=None,
    only_agency: Agency | None = None,
    approve: bool = False,
    options: dict | None = None,
) -> ImportBatch:
    """The upload page: store the file, then check it (within the request when small, else in a job)."""
    with transaction.atomic():
        batch = import_batch_store(
            kind=kind,
            content=content,
            filename=filename,
            user=user,
            only_agency=only_agency,
            approve=approve,
            options=options,
        )
        background = _queue(batch, VALIDATE_JOB)
    if not background:
        import_batch_validate(batch_id=batch.pk)
    return batch


def import_batch_create(
    *,
    kind: str,
    content: bytes,
    filename: str,
    user=None,
    only_agency: Agency | None = None,
    approve: bool = False,
    options: dict | None = None,
) -> tuple[ImportBatch, Preview]:
    """Store the upload and check it at once, in this process (the command line, tests); the preview of a check
    that failed holds its message as a file error."""
    batch = import_batch_store(
        kind=kind,
        content=content,
        filename=filename,
        user=user,
        only_agency=only_agency,
        approve=approve,
        options=options,
    )
    preview = import_batch_validate(batch_id=batch.pk)
    batch.refresh_from_db()
    if preview is None:  # the check failed: the batch says why
        preview = Preview(kind=kind, file_errors=[batch.message])
    return batch, preview


def import_batch_validate(*, batch_id: int) -> Preview | None:
    """The check job's body: read and validate the stored file, keep its preview on the batch.

    Does nothing to a batch no longer being checked (the job delivered twice). Any failure but a passing
    one (the database or broker briefly away: the job is retried) is recorded on the batch."""
    try:
        batch = ImportBatch.objects.select_related("agency").get(pk=batch_id)
        if batch.status != Status.VALIDATING:
            return None
        preview = _check_file(batch, Status.VALIDATING)
        if preview.is_valid and hasattr(preview.work, "keep"):
            preview.work.keep(batch)  # the validated rows, next to the upload: the commit need not validate it again
        ImportBatch.objects.filter(pk=batch_id, status=Status.VALIDATING).update(
            status=Status.PREVIEWED if preview.is_valid else Status.INVALID,
            summary=preview.as_summary(),
            message="",
            progress_at=timezone.now(),
        )
        return preview
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Import batch %s could not be checked", batch_id)
        _fail(batch_id, Status.VALIDATING, f"Kiểm tra tệp không hoàn tất: {_reason(exc)}. {_AGAIN}")
        return None


def import_batch_confirm(*, batch: ImportBatch) -> None:
    """The confirm button: mark the batch as being written, then write it (within the request when small,
    else in a job). Refuses a batch that is not waiting for confirmation: a second confirm meets "Đang ghi"."""
    if not _mark_committing(batch, job=WRITE_JOB):
        _write_recorded(batch_id=batch.pk)


def import_batch_commit(*, batch: ImportBatch, preview: Preview | None = None) -> Preview:
    """Confirm and write at once, in this process (the command line, tests).

    ``preview`` may be passed by a caller that has just made it in the same process (the command line).
    When another batch writes the same new rows at the same moment, the database's unique constraint makes
    this one lose: nothing of it is written and ``ImportRefused`` says so."""
    _mark_committing(batch)
    written = import_batch_write(batch_id=batch.pk, preview=preview)
    if written is None:
        batch.refresh_from_db()
        raise ImportRefused(batch.message or "Lần nhập này không được ghi.")
    return written


def import_batch_write(*, batch_id: int, preview: Preview | None = None) -> Preview | None:
    """The commit job's body: check the stored file again (the data may have moved since the preview), then
    write it in one transaction, all or nothing; the outcome is kept on the batch.

    Returns None when nothing was done (the batch was no longer being written, or the write failed: the
    batch says why); raises ``ImportRefused`` when a concurrent import won the race for the same rows."""
    try:
        return _write(batch_id, preview)
    except ImportRefused:
        raise
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("Import batch %s could not be written", batch_id)
        _fail(
            batch_id,
            Status.COMMITTING,
            f"Ghi không hoàn tất: {_reason(exc)}. Không có gì được ghi. Hãy bấm “Kiểm tra lại” rồi xác nhận lại.",
        )
        return None


def import_batch_retry(*, batch: ImportBatch) -> None:
    """Check again, from its stored file, a batch whose job failed or went silent (see ``is_stale``)."""
    with transaction.atomic():
        try:
            # a job still writing holds the row: then it is not dead, and we do not wait for it
            locked = ImportBatch.objects.select_for_update(nowait=True).get(pk=batch.pk)
        except DatabaseError as exc:
            raise ImportRefused("Lần nhập này đang được ghi; hãy chờ kết quả.") from exc
        if not (locked.status == Status.FAILED or locked.is_stale(timezone.now())):
            raise ImportRefused("Chỉ kiểm tra lại được lần nhập không hoàn tất.")
        _set_running(locked, Status.VALIDATING)
        background = _queue(locked, VALIDATE_JOB)
    if not background:
        import_batch_validate(batch_id=batch.pk)


def import_batches_expire(*, now: datetime | None = None) -> int:
    """Delete from private storage the files of batches left unwritten for ``IMPORT_UNCONFIRMED_DAYS`` (never
    confirmed, refused, or failed and not checked again): an upload holds an agency's figures or the users' list,
    and is kept no longer than it can be of use. The batch stays, "expired", with who uploaded what, when, and
    what its preview found. Returns how many expired. A batch being confirmed at that moment is left alone."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_UNCONFIRMED_DAYS)
    old = ImportBatch.objects.filter(status__in=ImportBatch.UNWRITTEN, created_at__lt=cutoff).filter(
        Q(progress_at__isnull=True) | Q(progress_at__lt=cutoff)
    )
    expired = 0
    for pk in old.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            batch = old.select_for_update(skip_locked=True).filter(pk=pk).first()
            if batch is None:  # confirmed, checked again or written meanwhile
                continue
            _files_delete(batch)
            batch.status, batch.file = Status.EXPIRED, ""
            batch.message = (
                f"Quá {settings.IMPORT_UNCONFIRMED_DAYS} ngày chưa ghi: tệp đã được xóa khỏi máy chủ, không có gì "
                "được ghi. Nếu vẫn cần, hãy tải tệp lên lại."
            )
            batch.save(update_fields=["status", "file", "message"])
            expired += 1
    return expired


def _files_delete(batch: ImportBatch) -> None:
    """Delete the batch's upload, and what its kind kept beside it (``discard``), once the transaction commits."""
    discard = getattr(kinds.get(batch.kind), "discard", None)
    if discard:
        discard(batch)
    name = batch.file.name
    if name:
        transaction.on_commit(partial(default_storage.delete, name))


_AGAIN = "Hãy bấm “Kiểm tra lại” hoặc tải tệp lên lại."


def _reason(exc: Exception) -> str:
    return (str(exc) or exc.__class__.__name__)[:300]


def _fail(batch_id: int, status: str, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id, status=status).update(
        status=Status.FAILED, message=message, progress_at=timezone.now()
    )


def _set_running(batch: ImportBatch, status: str) -> None:
    batch.status, batch.message = status, ""
    batch.progress_step, batch.progress_done, batch.progress_total = Step.QUEUED, 0, 0
    batch.progress_at = timezone.now()
    batch.save(update_fields=["status", "message", "progress_step", "progress_done", "progress_total", "progress_at"])


def _mark_committing(batch: ImportBatch, *, job: str | None = None) -> bool:
    """Mark the batch as being written; with ``job``, queue it there when the file is large. Returns whether
    the write was left to the job."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == Status.COMMITTING:
            raise ImportRefused("Lần nhập này đang được ghi; không xác nhận lần nữa. Hãy chờ kết quả trên trang này.")
        if locked.status == Status.VALIDATING:
            raise ImportRefused("Tệp đang được kiểm tra; hãy chờ kết quả rồi mới xác nhận.")
        if locked.status != Status.PREVIEWED:
            raise ImportRefused("Lần nhập này không còn chờ xác nhận (đã ghi, có lỗi hoặc đã hoàn tác).")
        _set_running(locked, Status.COMMITTING)
        return job is not None and _queue(locked, job)


def _queue(batch: ImportBatch, job: str) -> bool:
    """Inside the transaction that sets the batch running: queue ``job`` for it once committed when its file is
    large (returns True), else leave the work to the caller, within the request (returns False).

    Never in-process for a large file, not even with the broker down: the request would hold a web thread for
    the whole file; the job waits in the database instead and runs once the broker is back."""
    if batch.file.size <= settings.IMPORT_BACKGROUND_BYTES:
        return False
    enqueue_after_commit(job, batch.pk)
    return True


def _check_file(batch: ImportBatch, status: str) -> Preview:
    with batch.file.open("rb") as handle:
        content = handle.read()
    return import_preview(
        kind=batch.kind,
        content=content,
        filename=batch.original_name,
        only_agency=batch.agency,
        approve=batch.approve,
        progress=BatchProgress(batch.pk, status),
        options=batch.options,
    )


def _write_recorded(*, batch_id: int) -> None:
    """The write, its refusal already told on the batch."""
    try:
        import_batch_write(batch_id=batch_id)
    except ImportRefused:
        pass


def _write_checked(spec, batch: ImportBatch, preview: Preview | None, recheck) -> Preview:
    """Inside the write's transaction: check the rows again if need be, then write them; the outcome is kept on
    the batch (``INVALID`` when the data moved since the preview and the file is now wrong)."""
    if preview is None:
        preview = recheck(batch)
    if preview is None:  # the rows kept cannot be used (the plan changed, not PostgreSQL)
        preview = _check_file(batch, Status.COMMITTING)
    batch.summary = preview.as_summary()
    if not preview.is_valid:
        batch.status = Status.INVALID
        batch.message = "Dữ liệu đã thay đổi từ lúc xem trước và tệp nay có lỗi; không có gì được ghi."
        batch.save(update_fields=["summary", "status", "message"])
        return preview
    when = timezone.now()
    batch.committed_at = when
    batch.changes = spec.write(preview.work, batch=batch, when=when)
    batch.status = Status.COMMITTED
    batch.message = f"Đã ghi: {preview.summary_text()}."
    batch.progress_at = timezone.now()
    batch.save(update_fields=["summary", "status", "message", "committed_at", "changes", "progress_at"])
    return preview


def _write(batch_id: int, preview: Preview | None) -> Preview | None:
    batch = ImportBatch.objects.select_related("agency", "created_by").get(pk=batch_id)
    if batch.status != Status.COMMITTING:
        return None
    spec = kinds.get(batch.kind)
    # a kind that kept its validated rows with the batch (figures) re-checks, set-based and quickly, only what
    # may have moved since the preview, inside the write's transaction; others read the file again, here,
    # where their progress can be seen
    recheck = getattr(spec, "recheck", None)
    if preview is None and recheck is None:
        preview = _check_file(batch, Status.COMMITTING)
    # the write is one transaction: what it does inside is seen by no one else until it ends, so the page
    # shows the rows being written rather than a count that could not move
    rows = preview.total if preview is not None else (batch.summary or {}).get("total", 0)
    ImportBatch.objects.filter(pk=batch_id, status=Status.COMMITTING).update(
        progress_step=Step.WRITE, progress_done=rows, progress_total=rows, progress_at=timezone.now()
    )
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=batch_id)
            if batch.status != Status.COMMITTING:
                return None  # checked again by hand meanwhile: this run was given up for dead
            try:
                with transaction.atomic():  # a savepoint: what PreviewMoved undoes
                    preview = _write_checked(spec, batch, preview, recheck)
            except PreviewMoved:
                preview = _write_checked(spec, batch, None, partial(recheck, thorough=True))
            if batch.status != Status.COMMITTED:
                return preview
    except (IntegrityError, connection.Database.IntegrityError) as exc:  # the latter: raised through COPY
        ImportBatch.objects.filter(pk=batch_id, status=Status.COMMITTING).update(
            status=Status.PREVIEWED, message=RACE_LOST, progress_at=timezone.now()
        )
        raise ImportRefused(RACE_LOST) from exc
    spec.after_commit(batch)
    return preview


@transaction.atomic
def import_batch_undo(*, batch: ImportBatch, user=None) -> None:
    """Delete what the batch created and restore what it updated."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != Status.COMMITTED:
        raise ImportRefused("Chỉ hoàn tác được lần nhập đã ghi.")
    spec = kinds.get(batch.kind)
    if not getattr(spec, "undo", None):
        raise ImportRefused(f"Không hoàn tác được loại dữ liệu “{batch.get_kind_display()}”.")
    spec.undo(batch.changes, batch=batch, when=timezone.now())
    batch.status = Status.UNDONE
    batch.undone_at = timezone.now()
    counts = (batch.summary or {}).get("counts", {})
    when = timezone.localtime(batch.undone_at)
    batch.message = (
        f"Đã hoàn tác lúc {when:%H:%M} {vn_date(when)}: xóa {format_number(counts.get(NEW, 0))} bản ghi lần này "
        f"tạo, khôi phục {format_number(counts.get(UPDATED, 0))} bản ghi lần này sửa."
    )
    batch.save(update_fields=["status", "undone_at", "message"])
