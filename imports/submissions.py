"""The bulk write path shared by figures and task updates: create, update and undo with audit history.

Imports are the bulk counterpart of the entry forms' services: rows are validated first, then written with
their audit history records, like any other change. On PostgreSQL, new rows go in with COPY (streamed, never
built whole in memory) or with ``INSERT … SELECT`` from a staging table (figures, see ``imports.figures``), and
their history rows are written by the server from the rows just written (``submissions_insert_select``,
``submissions_update_select``), in the caller's transaction: the ORM's multi-row INSERT builds and binds every
value in Python and was 45x slower than COPY (docs/performance.md). Elsewhere, and for task updates' updates,
``bulk_create_with_history`` / ``bulk_update_with_history``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.snapshots import snapshots_changed
from core.workflow import SubmissionStatus
from imports.models import ImportBatch
from indicators.services import period_get_or_create

BATCH_SIZE = 5000


class UndoRefused(ValueError):
    pass


@dataclass
class SubmissionWork:
    """What a commit writes: new rows (field values, the period by its key) and updates by primary key."""

    new: list[dict] = field(default_factory=list)
    updates: dict[int, dict] = field(default_factory=dict)
    #: approved figures a row changes: corrected through the workflow's rule (``indicators.revisions``), by pk
    corrections: dict[int, dict] = field(default_factory=dict)
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
    # the history's reason column holds 100 characters: keep the batch number whatever the file's name
    reason = f"Lần nhập #{batch.pk}: nhập từ tệp “{batch.original_name}”"[:100]
    fixed = {"status": status, "entered_by_id": user.pk if user else None, "submitted_at": when}
    if batch.approve:
        fixed.update(reviewed_by_id=user.pk if user else None, reviewed_at=when)
    rows = []
    for values in work.new:
        values = dict(values)
        values["period_id"] = periods[values.pop("period_key")].pk
        rows.append({**values, **fixed})
    if connection.vendor == "postgresql":
        created_ids = _copy_with_history(model, rows, user=user, reason=reason, when=when)
    else:
        created = bulk_create_with_history(
            [model(**row) for row in rows],
            model,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
            default_date=when,
        )
        created_ids = [obj.pk for obj in created]
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
    snapshots_changed()
    return {"created": created_ids, "updated": list(work.updates)}


def _copy_with_history(model, rows: list[dict], *, user, reason: str, when: datetime) -> list[int]:
    """COPY ``rows`` (values by attname) into ``model``'s table and its history table; return the new ids.

    Ids are taken from the table's sequence first, so each history row carries its record's id; fields not
    given take their defaults, and auto_now fields ``when``, as ``save()`` would.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: (when if _is_auto_time(f) else f.get_default()) for f in fields}
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk_column, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        keys = ["id", *(f.attname for f in fields)]
        lines = (
            "\t".join([copy_text(row.get(key, defaults.get(key))) for key in keys])
            for row in ({**row, "id": pk} for pk, row in zip(ids, rows, strict=True))
        )
        columns = [pk_column, *(f.column for f in fields)]
        _copy(cursor, table, columns, lines)
        # the history rows: the records just written, with who, when, why and "+" (created), copied by the server
        _history_insert(
            cursor,
            model,
            f"{connection.ops.quote_name(table)} t WHERE t.id = ANY(%s)",
            [ids],
            "+",
            user=user,
            reason=reason,
            when=when,
        )
    return ids


def _history_columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _history_insert(
    cursor, model, source: str, params: list, history_type: str, *, user, reason, when, prefix=("", [])
) -> list[int]:
    """INSERT INTO the history table the rows of ``source`` (``t``: rows of the model's table, or of a CTE
    written by ``prefix``, SQL and its parameters) with who, when, why and the type of change; returns their
    records' ids."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _history_columns(model))
    history = model.history.model._meta.db_table
    cursor.execute(
        f"{prefix[0]}INSERT INTO {quote(history)} ({columns}, "  # noqa: S608 - SQL from code
        "history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join('t.' + quote(c) for c in _history_columns(model))}, %s, %s, %s, %s FROM {source} "
        "RETURNING id",
        [*prefix[1], when, reason, history_type, user.pk if user else None, *params],
    )
    return [row[0] for row in cursor.fetchall()]


def submissions_insert_select(model, *, source: str, given: dict, fixed: dict, user, reason: str, when) -> list[int]:
    """Insert into ``model``'s table one row per row of ``source`` (SQL after FROM, aliased ``s``), and its
    history row ("+": created), in one statement on the server; return the new ids.

    ``given``: attname -> SQL expression over ``s``; other fields take ``fixed`` values, else their defaults
    (auto_now fields ``when``), as ``save()`` would."""
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    expressions, params = [], []
    for f in fields:
        if f.attname in given:
            expressions.append(given[f.attname])
        else:
            expressions.append("%s")
            params.append(fixed[f.attname] if f.attname in fixed else (when if _is_auto_time(f) else f.get_default()))
    table = quote(model._meta.db_table)
    returning = ", ".join(quote(c) for c in _history_columns(model))
    with connection.cursor() as cursor:
        return _history_insert(
            cursor,
            model,
            "created t",
            [],
            "+",
            user=user,
            reason=reason,
            when=when,
            prefix=(
                f"WITH created AS (INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - SQL from code
                f"SELECT {', '.join(expressions)} FROM {source} RETURNING {returning}) ",
                params,
            ),
        )


def submissions_update_select(
    model, *, source: str, where: str, given: dict, fixed: dict, user, reason: str, when, given_params=()
) -> list[int]:
    """Update the rows of ``model``'s table (aliased ``t``) matched by ``where`` against ``source`` (aliased
    ``s``): ``given`` fields (attname -> SQL over ``s`` and ``t``, with ``given_params`` for their ``%s`` in
    order) and ``fixed`` values; write each updated row's history ("~": changed) on the server in the same
    statement; return the ids updated."""
    quote = connection.ops.quote_name
    sets, params = [], list(given_params)
    for attname, expression in given.items():
        sets.append(f"{quote(model._meta.get_field(attname).column)} = {expression}")
    for attname, value in fixed.items():
        sets.append(f"{quote(model._meta.get_field(attname).column)} = %s")
        params.append(value)
    table = quote(model._meta.db_table)
    returning = ", ".join("t." + quote(c) for c in _history_columns(model))
    with connection.cursor() as cursor:
        return _history_insert(
            cursor,
            model,
            "changed t",
            [],
            "~",
            user=user,
            reason=reason,
            when=when,
            prefix=(
                f"WITH changed AS (UPDATE {table} t SET {', '.join(sets)} FROM {source} WHERE {where} "  # noqa: S608 - SQL from code
                f"RETURNING {returning}) ",
                params,
            ),
        )


def _is_auto_time(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _copy(cursor, table: str, columns: list[str], lines: Iterable[str]) -> None:
    """PostgreSQL COPY into ``table`` of ``lines`` (values of ``columns`` in COPY's text format), streamed."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    cursor.cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", LinesReader(lines))


class LinesReader(io.RawIOBase):
    """A file over an iterable of text lines, read by COPY in blocks: the lines are made as COPY asks for them."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._pending) < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._pending += (line + "\n").encode()
        if size < 0:
            size = len(self._pending)
        block, self._pending = self._pending[:size], self._pending[size:]
        return block


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).translate(_COPY_ESCAPES)


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
    snapshots_changed()
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
