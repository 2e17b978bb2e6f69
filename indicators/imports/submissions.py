"""The bulk write path shared by figures and task updates: create, update and undo with audit history.

Imports are the bulk counterpart of the entry forms' services: rows are validated in memory first, then
written with ``bulk_create_with_history`` / ``bulk_update_with_history`` so that every imported figure has
its history record, like any other change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import ImportBatch, SubmissionStatus
from indicators.services import period_get_or_create

BATCH_SIZE = 5000


class UndoRefused(ValueError):
    pass


@dataclass
class SubmissionWork:
    """What a commit writes: new rows (field values, the period by its key) and updates by primary key."""

    new: list[dict] = field(default_factory=list)
    updates: dict[int, dict] = field(default_factory=dict)
    periods: set[tuple[str, int, int]] = field(default_factory=set)


def wanted_status(approve: bool) -> str:
    return SubmissionStatus.APPROVED if approve else SubmissionStatus.SUBMITTED


def is_unchanged(existing: dict, values: dict, status: str) -> bool:
    """Same values, and already at the wanted status (an approved figure is not sent back for the same value)."""
    if any(existing[name] != value for name, value in values.items()):
        return False
    return existing["status"] == status or existing["status"] == SubmissionStatus.APPROVED


def submissions_write(model, work: SubmissionWork, *, batch: ImportBatch, when: datetime) -> dict:
    """Write ``work`` (inside the caller's transaction); return the ids created and updated, for undo."""
    periods = {key: period_get_or_create(kind=key[0], year=key[1], number=key[2]) for key in work.periods}
    user = batch.created_by
    status = wanted_status(batch.approve)
    review = {"reviewed_by": user, "reviewed_at": when} if batch.approve else {}
    reason = f"Nhập từ tệp “{batch.original_name}” (lần nhập #{batch.pk})"
    rows = []
    for values in work.new:
        values = dict(values)
        values["period"] = periods[values.pop("period_key")]
        rows.append(model(**values, status=status, entered_by=user, submitted_at=when, **review))
    created = bulk_create_with_history(
        rows, model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason, default_date=when
    )
    updated_fields = {"status", "updated_at", "submitted_at", *review}
    objects = model.objects.in_bulk(list(work.updates))
    for pk, values in work.updates.items():
        obj = objects[pk]
        for name, value in values.items():
            setattr(obj, name, value)
        updated_fields.update(values)
        obj.status, obj.updated_at, obj.submitted_at = status, when, when
        for name, value in review.items():
            setattr(obj, name, value)
    if objects:
        bulk_update_with_history(
            list(objects.values()),
            model,
            sorted(updated_fields),
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
            default_date=when,
        )
    return {"created": [obj.pk for obj in created], "updated": list(work.updates)}


def submissions_undo(model, changes: dict, *, batch: ImportBatch, when: datetime) -> None:
    """Delete what the batch created and put back, from the audit history, what it updated."""
    created, updated = changes.get("created", []), changes.get("updated", [])
    history = model.history.model
    later = history.objects.filter(id__in=created + updated, history_date__gt=batch.committed_at)
    if later.exists():
        raise UndoRefused(
            "Không thể hoàn tác: đã có số liệu của lần nhập này được sửa, duyệt hoặc trả lại sau khi nhập."
        )
    model.objects.filter(pk__in=created).delete()
    if not updated:
        return
    previous = {}
    for record in history.objects.filter(id__in=updated, history_date__lt=batch.committed_at).order_by(
        "history_date", "history_id"
    ):
        previous[record.id] = record
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    objects = model.objects.in_bulk(updated)
    for pk, obj in objects.items():
        for name in fields:
            setattr(obj, name, getattr(previous[pk], name))
    bulk_update_with_history(
        list(objects.values()),
        model,
        fields,
        batch_size=BATCH_SIZE,
        default_user=batch.created_by,
        default_change_reason=f"Hoàn tác lần nhập #{batch.pk}",
        default_date=when,
    )
