"""Celery jobs of the import pipeline: thin, a batch id in, the service called (imports/batches.py).

Both are safe to deliver twice (a worker killed mid-job: ``acks_late``): the services act only on a batch
still in the state the job was queued for. Failures are recorded on the batch by the services.
"""

from __future__ import annotations

from celery import shared_task

from core.jobs import JOB_OPTIONS

from .batches import ImportRefused, import_batch_validate, import_batch_write, import_batches_expire
from .models import ImportBatch


@shared_task(name="imports.batch_validate", **JOB_OPTIONS)
def batch_validate(batch_id: int) -> str:
    """Read and check an uploaded file; the batch page shows its progress, then the preview."""
    import_batch_validate(batch_id=batch_id)
    return _status(batch_id)


@shared_task(name="imports.batch_write", **JOB_OPTIONS)
def batch_write(batch_id: int) -> str:
    """Check a confirmed file again and write it in one transaction."""
    try:
        import_batch_write(batch_id=batch_id)
    except ImportRefused:
        pass  # another import won the race for the same rows: the batch says so, nothing was written
    return _status(batch_id)


@shared_task(name="imports.expire_unconfirmed", **JOB_OPTIONS)
def expire_unconfirmed() -> int:
    """Nightly: delete the uploads of batches left unwritten for IMPORT_UNCONFIRMED_DAYS."""
    return import_batches_expire()


def _status(batch_id: int) -> str:
    """The state the job left the batch in (the result a real-worker test waits for)."""
    return ImportBatch.objects.values_list("status", flat=True).get(pk=batch_id)
