"""Importing figures (observations): one row per agency, metric and period.

The file is read as a stream and validated once, at the preview: each valid row, resolved to ids, goes as one
line into a compact file (``ValidatedFigures``) kept in private storage next to the upload. The commit does not
read the upload again: on PostgreSQL it COPYs those lines into a temporary table and re-checks, in SQL, only what
may have moved since the preview (figures written, changed or approved meanwhile, periods locked), then writes
the figures and their audit history on the server (``INSERT … SELECT``). When what the validation read from the
plan (metrics, reporters, agencies) has changed since, or on other databases, the upload is validated again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from decimal import Decimal

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from simple_history.utils import bulk_update_with_history

from agencies.models import Agency
from core.formatting import number_as_read, with_unit
from core.snapshots import snapshots_changed
from core.workflow import SubmissionStatus
from indicators import revisions
from indicators.models import Metric, Observation, Period
from indicators.periods import period_bounds, period_code
from indicators.selectors import plan_current
from indicators.services import metrics_recompute_after_commit
from indicators.validation import FigureInput, clean_figure_for

from .base import (
    CORRECTION,
    ERROR,
    NEW,
    PREVIEW_ERRORS_KEPT,
    PREVIEW_ROWS_KEPT,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    AgencyLookup,
    PeriodLookup,
    Preview,
    PreviewMoved,
    RowResult,
    text,
)
from .reading import Column, Table
from .submissions import (
    BATCH_SIZE,
    SubmissionWork,
    copy_text,
    submissions_insert_select,
    submissions_undo,
    submissions_update_select,
    submissions_write,
    wanted_status,
)

KIND = "figures"
#: the file is read as a stream (reading.read_tables(stream=True)): its rows are never all in memory
STREAMED = True
#: rows validated together: their stored figures are read with one query
CHUNK_ROWS = 5000
COLUMNS = [
    Column("agency", "Mã cơ quan", aliases=("Cơ quan", "agency_code")),
    Column("agency_name", "Tên cơ quan", informative=True),
    Column("metric", "Mã chỉ số", required=True, aliases=("metric_code",)),
    Column("metric_name", "Tên chỉ số", informative=True),
    Column("unit", "Đơn vị tính", informative=True),
    Column("period", "Kỳ báo cáo", required=True, aliases=("Kỳ",)),
    Column("previous", "Giá trị kỳ trước (đã duyệt)", informative=True),
    Column("value", "Giá trị"),
    Column("numerator", "Tử số"),
    Column("denominator", "Mẫu số"),
    Column("note", "Ghi chú"),
    Column("status", "Trạng thái", informative=True),
]
SHEETS = {None: COLUMNS}
_FIGURE_FIELDS = {"value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số"}


def prepare(tables: dict, *, only_agency: Agency | None = None, approve: bool = False, progress=None) -> Preview:
    """Validate every row against the plan's metrics, agencies, reporters and periods; write nothing.

    Rows are read and validated as a stream, ``CHUNK_ROWS`` at a time; the preview keeps their counts and the
    rows a summary shows, ``work`` the valid rows resolved to ids (``ValidatedFigures``). ``progress`` is not
    used: the stream's reading reports the rows as they are checked (``reading.read_tables``)."""
    table: Table = tables[None]
    preview = Preview(kind=KIND)
    plan = plan_current()
    if plan is None:
        preview.file_errors.append("Chưa có kế hoạch nào được nạp; hãy nạp kế hoạch trước khi nhập số liệu.")
        return preview
    # taken before the lookups: if they change after it, the commit sees a different one and validates again
    fingerprint = reference_fingerprint(plan)
    metrics = {m.code.casefold(): m for m in Metric.objects.filter(plan=plan)}
    reporters = set(Metric.reporters.through.objects.filter(metric__plan=plan).values_list("metric_id", "agency_id"))
    agencies = AgencyLookup()
    periods = PeriodLookup()
    has_note = "note" in table.letters
    status = wanted_status(approve)
    work = ValidatedFigures({"fingerprint": fingerprint, "status": status, "has_note": has_note})
    seen: dict[tuple, int] = {}
    chunk: list[RowResult] = []  # every row's result, in line order, until the chunk's candidates are classified
    candidates = []  # (row result, natural key, values)
    for row in table.rows:
        if len(chunk) >= CHUNK_ROWS:
            _classify(preview, work, chunk, candidates, periods, only_agency, status)
            chunk, candidates = [], []
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        chunk.append(result)
        v = row.values
        agency = agencies.for_row(table, row, result, only_agency=only_agency)
        metric = metrics.get(text(v.get("metric")).casefold())
        if metric is None:
            result.messages.append(f"{table.where(row, 'metric')}: không có chỉ số mã “{text(v.get('metric'))}”.")
        period_key = None
        try:
            period_key = periods.parse(text(v.get("period")))
        except ValueError as exc:
            result.messages.append(f"{table.where(row, 'period')}: {exc}")
        if metric and period_key and period_key[0] != metric.period_kind:
            result.messages.append(
                f"{table.where(row, 'period')}: chỉ số “{metric.code}” báo cáo "
                f"{metric.get_frequency_display().lower()}, kỳ “{text(v.get('period'))}” không phù hợp."
            )
            period_key = None
        if metric and agency and (metric.pk, agency.pk) not in reporters:
            result.messages.append(
                f"Dòng {row.line}: “{agency.name}” không phải cơ quan báo cáo chỉ số “{metric.code}”."
            )
        raw = FigureInput(**{name: text(v.get(name)) for name in _FIGURE_FIELDS})
        if not any((raw.value, raw.numerator, raw.denominator)):
            if not result.messages:
                result.outcome, result.messages = SKIPPED, ["Chưa nhập giá trị: bỏ qua dòng này."]
                work.header["skipped"] += 1
            continue
        clean = None
        if metric:
            clean = clean_figure_for(metric, raw)
            for name, messages in clean.errors.items():
                result.messages += [f"{table.where(row, name)}: {m}" for m in messages]
        result.read = _as_read(agency, metric, period_key, raw, clean)
        if result.messages or not (metric and agency and period_key and clean):
            continue
        result.label = f"{agency.code} · {metric.code} · {period_code(*period_key)}"
        key = (metric.pk, agency.pk, period_key)
        if key in seen:
            result.messages.append(f"Dòng {row.line}: trùng cơ quan, chỉ số và kỳ với dòng {seen[key]}.")
            continue
        seen[key] = row.line
        values = {"value": clean.value, "numerator": clean.numerator, "denominator": clean.denominator}
        if has_note:
            values["note"] = text(v.get("note"))
        candidates.append((result, key, values))

    _classify(preview, work, chunk, candidates, periods, only_agency, status)
    preview.work = work
    return preview


def _classify(preview: Preview, work, chunk: list, candidates: list, periods, only_agency, status: str) -> None:
    """The chunk's valid rows against the stored figures, by the one rule of ``indicators.revisions``: new,
    updated (not yet approved), a correction of an approved figure, or unchanged (a locked period is an error);
    each goes to ``work``, then every row of the chunk to the preview, in line order."""
    existing = _existing(candidates, periods, only_agency)
    approve = status == SubmissionStatus.APPROVED
    for result, key, values in candidates:
        metric_id, agency_id, period_key = key
        period = periods.get(period_key)
        current = existing.get((metric_id, agency_id, period.pk)) if period else None
        revision = revisions.figure_revision(
            revisions.StoredFigure.of(current) if current else None, values, approve=approve
        )
        if revision == revisions.UNCHANGED:
            result.outcome = UNCHANGED
        elif period is not None and period.is_locked:
            result.messages.append(f"Dòng {result.line}: kỳ {period.label} đã khóa, không nhận số liệu mới.")
            continue
        elif revision in (revisions.PROPOSE, revisions.CORRECT):
            result.outcome = CORRECTION
            result.messages.append(_correction_message(current, values, approve=approve))
        else:
            result.outcome = NEW if current is None else UPDATED
        work.append(
            result.line, result.outcome, current["id"] if current else None, metric_id, agency_id, period_key, values
        )
    for result in chunk:
        preview.add(result)


def _correction_message(current: dict, values: dict, *, approve: bool) -> str:
    """What the preview says of a row that changes an approved figure."""
    old, new = current["value"], values["value"]
    change = f"{number_as_read(old) if old is not None else '?'} → {number_as_read(new) if new is not None else '?'}"
    if approve:
        return f"Số liệu đã duyệt được điều chỉnh ({change}) và duyệt ngay; lịch sử ghi lại giá trị cũ."
    return (
        f"Số liệu đã duyệt: giá trị mới thành đề nghị điều chỉnh ({change}), chờ cơ quan thường trực duyệt; "
        "giá trị đã duyệt vẫn được dùng đến khi đó."
    )


def _as_read(agency, metric, period_key, raw: FigureInput, clean) -> list[tuple[str, str]]:
    """What the preview shows of a row as the app read it: names for codes, numbers as understood."""
    read = []
    if agency is not None:
        read.append(("Cơ quan", agency.display_name))
    if metric is not None:
        read.append(("Chỉ số", metric.name))
    if period_key is not None:
        read.append(("Kỳ", period_bounds(*period_key).label))
    for name, label in _FIGURE_FIELDS.items():
        written = getattr(raw, name)
        if not written:
            continue
        number = getattr(clean, name, None) if clean is not None and not clean.errors.get(name) else None
        unit = metric.unit if metric is not None and name == "value" else ""
        shown = with_unit(number_as_read(number), unit) if number is not None else "?"
        read.append((label, f"“{written}” → {shown}"))
    return read


def _existing(candidates: list, periods: PeriodLookup, only_agency: Agency | None) -> dict[tuple, dict]:
    """The stored figures the rows may match, by (metric, agency, period), from one query."""
    period_ids = {periods.get(key[2]).pk for _, key, _ in candidates if periods.get(key[2])}
    if not period_ids:
        return {}
    query = Observation.objects.filter(
        period_id__in=period_ids,
        metric_id__in={key[0] for _, key, _ in candidates},
        agency_id__in={key[1] for _, key, _ in candidates},
    )
    if only_agency:
        query = query.filter(agency=only_agency)
    fields = (
        "id",
        "metric_id",
        "agency_id",
        "period_id",
        "value",
        "numerator",
        "denominator",
        "note",
        "status",
        "correction_status",
        "proposed_value",
        "proposed_numerator",
        "proposed_denominator",
    )
    return {(r["metric_id"], r["agency_id"], r["period_id"]): r for r in query.values(*fields)}


def write(work, *, batch, when) -> dict:
    discard(batch)  # the validated rows are kept until the batch is written
    if isinstance(work, ValidatedFigures) and connection.vendor == "postgresql":
        return work.write(batch=batch, when=when)
    if isinstance(work, ValidatedFigures):
        work = work.as_submission_work()
    changes = submissions_write(Observation, work, batch=batch, when=when)
    # corrections of approved figures are undone like updates: from the history, to the version before
    changes["updated"] = [*changes["updated"], *_corrections_write(work.corrections, batch=batch, when=when)]
    return changes


def correction_reason(batch) -> str:
    """The history's reason for a correction an import makes (100 characters at most)."""
    action = "phê duyệt điều chỉnh" if batch.approve else "đề nghị điều chỉnh"
    return f"Lần nhập #{batch.pk}: {action} từ tệp “{batch.original_name}”"[:100]


def _corrections_write(corrections: dict[int, dict], *, batch, when) -> list[int]:
    """The ORM path's corrections of approved figures (the rule of ``indicators.revisions``): proposed, or with
    ``batch.approve`` approved at once; each with its version in the history. Returns the ids."""
    if not corrections:
        return []
    user = batch.created_by
    objects = Observation.objects.in_bulk(list(corrections))
    fields = {"updated_at"}
    for pk, obj in objects.items():
        values = corrections[pk]
        obj.updated_at = when
        if batch.approve:
            changed = revisions.correction_approved(obj, values, note=values.get("note"))
            obj.reviewed_by, obj.reviewed_at = user, when
            fields |= {"reviewed_by", "reviewed_at"}
        else:
            changed = revisions.correction_proposed(
                obj, values, reason=values.get("note") or f"Lần nhập #{batch.pk}: nhập từ tệp “{batch.original_name}”"
            )
        fields |= set(changed)
    bulk_update_with_history(
        list(objects.values()),
        Observation,
        sorted(fields),
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=correction_reason(batch),
        default_date=when,
    )
    snapshots_changed()
    return sorted(objects)


def undo(changes: dict, *, batch, when) -> None:
    """Put back what the batch changed; an approved figure it created or corrected counts no more (or again as
    before), so its metrics' statuses are recomputed once the undo commits."""
    written = [*changes.get("created", []), *changes.get("updated", [])]
    approved = Observation.objects.filter(pk__in=written, status=SubmissionStatus.APPROVED)
    metric_ids = list(approved.values_list("metric_id", flat=True).distinct())
    submissions_undo(Observation, changes, batch=batch, when=when)
    metrics_recompute_after_commit(metric_ids)


def recheck(batch, *, thorough: bool = False) -> Preview | None:
    """The preview of ``batch`` as of now, from its validated rows, re-checked in SQL against the data as it is
    (inside the commit's transaction); None when they cannot be used (not PostgreSQL, no stored rows, or the
    plan's metrics, reporters or agencies changed since): the caller then validates the upload again.

    Rows the preview found new are taken as still new unless ``thorough``: the database's unique constraint
    tells at the write if a figure was written for one of them since, and ``write`` then raises
    ``PreviewMoved`` for the caller to check every row again. Looking each one up here would cost as much as
    writing it."""
    if connection.vendor != "postgresql":
        return None
    work = ValidatedFigures.stored(batch)
    if work is None:
        return None
    if work.header["fingerprint"] != reference_fingerprint(plan_current()):
        work.file.close()
        discard(batch)  # validated against what has changed: never of use again
        return None
    summary = batch.summary or {}
    found = work.stage(recheck="all" if thorough else "existing", lines=[row[0] for row in summary.get("rows", [])])
    tally = Counter(
        {
            NEW: found["counts"].get(NEW, 0),
            UPDATED: found["counts"].get(UPDATED, 0),
            CORRECTION: found["counts"].get(CORRECTION, 0),
            UNCHANGED: found["counts"].get(UNCHANGED, 0),
            SKIPPED: work.header["skipped"],
            ERROR: found["counts"].get("locked", 0),
        }
    )
    preview = Preview(kind=KIND, work=work, tally=tally, file_errors=list(summary.get("file_errors", [])))
    locked = {line: f"Dòng {line}: kỳ {label} đã khóa, không nhận số liệu mới." for line, _, label in found["locked"]}
    preview.error_messages = list(locked.values())
    kept = set()
    for line, outcome, label, messages, read in (row[:5] for row in summary.get("rows", []) if len(row) >= 5):
        now = found["outcomes"].get(line, outcome)
        if now == "locked":
            outcome, messages = ERROR, [locked[line]] if line in locked else messages
        else:
            outcome = now
        preview.rows.append(RowResult(line, outcome, label, list(messages), [tuple(pair) for pair in read]))
        kept.add(line)
    for line, row_label, _ in found["locked"][:PREVIEW_ROWS_KEPT]:
        if line not in kept:
            preview.rows.append(RowResult(line, ERROR, row_label, [locked[line]]))
    if not preview.is_valid:
        discard(batch)  # the batch is now invalid: it will not be committed
    return preview


def discard(batch) -> None:
    """Delete the batch's validated rows once the current transaction commits (also when its upload expires)."""
    name = ValidatedFigures.name_for(batch)
    transaction.on_commit(lambda: default_storage.delete(name) if default_storage.exists(name) else None)


def reference_fingerprint(plan) -> str:
    """A digest of what validating a figure reads besides the figures and periods: the plan's metrics, their
    reporters, the agencies. Equal at preview and commit: the rows validated then are still valid as read."""
    if plan is None:
        return ""
    digest = hashlib.sha256(str(plan.pk).encode())
    metric_fields = [f.attname for f in Metric._meta.concrete_fields]
    agency_fields = [f.attname for f in Agency._meta.concrete_fields]
    through = Metric.reporters.through.objects.filter(metric__plan=plan)
    for query in (
        Metric.objects.filter(plan=plan).order_by("pk").values_list(*metric_fields),
        through.order_by("metric_id", "agency_id").values_list("metric_id", "agency_id"),
        Agency.objects.order_by("pk").values_list(*agency_fields),
    ):
        for row in query.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


class ValidatedFigures:
    """The valid rows of a figures file, resolved to ids: one line each, in COPY's text format, in a file.

    Columns: ``COLUMNS``; ``outcome`` and ``existing_id`` as the preview found them; ``note`` is ``\\N`` when the
    file has no note column (a figure's note is then left as it is). ``header``: the fingerprint of what the
    validation read (``reference_fingerprint``), the wanted status, the rows skipped as empty.
    """

    COLUMNS = (
        ("line", "integer"),
        ("outcome", "varchar(10)"),
        ("existing_id", "bigint"),
        ("metric_id", "bigint"),
        ("agency_id", "bigint"),
        ("kind", "varchar(10)"),
        ("year", "integer"),
        ("number", "integer"),
        ("value", "numeric"),
        ("numerator", "numeric"),
        ("denominator", "numeric"),
        ("note", "text"),
    )
    SUFFIX = ".validated"

    def __init__(self, header: dict, file=None):
        self.header = {"version": 1, "skipped": 0, **header}
        #: the rows' periods (a few hundred at most): created, if need be, before the rows are staged
        self.periods = {tuple(key) for key in self.header.pop("periods", [])}
        self.file = file if file is not None else tempfile.TemporaryFile()
        self.start = self.file.tell()

    def append(self, line, outcome, existing_id, metric_id, agency_id, period_key, values) -> None:
        self.periods.add(period_key)
        kind, year, number = period_key
        fields = [line, outcome, existing_id, metric_id, agency_id, kind, year, number]
        fields += [values["value"], values["numerator"], values["denominator"], values.get("note")]
        self.file.write(("\t".join(map(copy_text, fields)) + "\n").encode())

    def lines(self):
        """The rows back as Python values (for the ORM path)."""
        self.file.seek(self.start)
        for raw in self.file:
            fields = [None if f == "\\N" else f for f in _copy_split(raw.decode().rstrip("\n"))]
            line, outcome, existing_id, metric_id, agency_id, kind, year, number, value, numerator, denominator = (
                fields[:11]
            )
            values = {
                name: Decimal(v) if v is not None else None
                for name, v in (("value", value), ("numerator", numerator), ("denominator", denominator))
            }
            if fields[11] is not None:
                values["note"] = fields[11]
            yield (
                int(line),
                outcome,
                existing_id and int(existing_id),
                int(metric_id),
                int(agency_id),
                (kind, int(year), int(number)),
                values,
            )

    def as_submission_work(self) -> SubmissionWork:
        """The rows to write as the bulk write path of other databases takes them."""
        work = SubmissionWork()
        for _, outcome, existing_id, metric_id, agency_id, period_key, values in self.lines():
            if outcome == NEW:
                work.new.append({"metric_id": metric_id, "agency_id": agency_id, "period_key": period_key, **values})
                work.periods.add(period_key)
            elif outcome == UPDATED:
                work.updates[existing_id] = values
            elif outcome == CORRECTION:
                work.corrections[existing_id] = values
        return work

    # keeping the rows with the batch

    @classmethod
    def name_for(cls, batch) -> str:
        return batch.file.name + cls.SUFFIX

    def keep(self, batch) -> None:
        """Store the rows in private storage next to the batch's upload."""
        name = self.name_for(batch)
        if default_storage.exists(name):
            default_storage.delete(name)
        self.file.seek(self.start)
        header = {**self.header, "batch": batch.pk, "periods": sorted(self.periods)}
        header = json.dumps(header).encode() + b"\n"
        with tempfile.TemporaryFile() as stored:
            stored.write(header)
            while block := self.file.read(1 << 20):
                stored.write(block)
            stored.seek(0)
            saved = default_storage.save(name, File(stored, name=name))
        if saved != name:  # storage chose another name: the commit would not find it; it validates again
            default_storage.delete(saved)

    @classmethod
    def stored(cls, batch) -> ValidatedFigures | None:
        name = cls.name_for(batch)
        if not batch.file.name or not default_storage.exists(name):
            return None
        handle = default_storage.open(name, "rb")
        try:
            header = json.loads(handle.readline())
        except ValueError:
            handle.close()
            return None
        if header.get("batch") != batch.pk or header.get("version") != 1:
            handle.close()
            return None
        return cls(header, handle)

    # the write, on PostgreSQL

    def stage(self, *, recheck: str = "", lines=()) -> dict:
        """COPY the rows into a temporary table and classify them into ``import_checked``.

        ``recheck``: "" keeps the outcomes the preview found (a preview just made in this process); "all"
        classifies every row against the figures and periods as they are now (the commit of a stored batch);
        "existing" does so for the rows the preview found written, and for the rest looks only at their period
        (see ``recheck``). Returns the counts by outcome, the outcomes by line of ``lines`` and the rows whose
        period is now locked (line, label, period)."""
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(name)} {kind}" for name, kind in self.COLUMNS)
        period = "LEFT JOIN indicators_period p ON p.kind = s.kind AND p.year = s.year AND p.number = s.number"
        rest = "s.metric_id, s.agency_id, s.kind, s.year, s.number, p.id AS period_id, s.value, s.numerator"
        rest += ", s.denominator, s.note"
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS import_rows, import_checked")
            cursor.execute(f"CREATE TEMPORARY TABLE import_rows ({columns}) ON COMMIT DROP")
            self.file.seek(self.start)
            cursor.cursor.copy_expert("COPY import_rows FROM STDIN", self.file)
            keys = self.periods
            if not keys:  # rows kept by an earlier version, without their periods
                cursor.execute("SELECT DISTINCT kind, year, number FROM import_rows")
                keys = cursor.fetchall()
            # the periods not made yet, as period_get_or_create would (one statement): every row finds its own
            Period.objects.bulk_create([Period.build(*key) for key in sorted(keys)], ignore_conflicts=True)
            if not recheck:
                select = f"SELECT s.line, s.outcome, s.existing_id, {rest} FROM import_rows s {period}"  # noqa: S608 - SQL from this code
                params = []
            else:
                # the rule of indicators.revisions.figure_revision, in SQL over the staged rows
                same = " AND ".join(f"o.{n} IS NOT DISTINCT FROM s.{n}" for n in ("value", "numerator", "denominator"))
                proposed = " AND ".join(
                    f"o.proposed_{n} IS NOT DISTINCT FROM s.{n}" for n in ("value", "numerator", "denominator")
                )
                approve = self.header["status"] == SubmissionStatus.APPROVED
                select = f"""SELECT s.line, CASE
                        WHEN o.id IS NOT NULL AND o.status = 'approved' AND {same} THEN 'unchanged'
                        WHEN o.id IS NOT NULL AND o.status = 'approved' AND NOT %s
                             AND o.correction_status = 'submitted' AND {proposed} THEN 'unchanged'
                        WHEN o.id IS NOT NULL AND NOT %s AND o.status = 'submitted' AND {same}
                             AND (s.note IS NULL OR o.note = s.note) THEN 'unchanged'
                        WHEN p.is_locked THEN 'locked'
                        WHEN o.id IS NULL THEN 'new'
                        WHEN o.status = 'approved' THEN 'correction'
                        ELSE 'updated' END, o.id, {rest}
                    FROM import_rows s {period} LEFT JOIN indicators_observation o
                         ON o.metric_id = s.metric_id AND o.agency_id = s.agency_id AND o.period_id = p.id"""  # noqa: S608 - SQL from this code
                params = [approve, approve]
            cursor.execute(
                "CREATE TEMPORARY TABLE import_checked (line, outcome, existing_id, metric_id, agency_id, kind, year, "
                f"number, period_id, value, numerator, denominator, note) ON COMMIT DROP AS {select}",
                params,
            )
            cursor.execute("SELECT outcome, count(*) FROM import_checked GROUP BY outcome")
            counts = dict(cursor.fetchall())
            outcomes, locked = {}, []
            if recheck and lines:
                cursor.execute("SELECT line, outcome FROM import_checked WHERE line = ANY(%s)", [list(lines)])
                outcomes = dict(cursor.fetchall())
            if counts.get("locked"):
                cursor.execute(
                    """SELECT c.line, a.code || ' · ' || m.code, c.kind, c.year, c.number
                    FROM import_checked c JOIN agencies_agency a ON a.id = c.agency_id
                    JOIN indicators_metric m ON m.id = c.metric_id
                    WHERE c.outcome = 'locked' ORDER BY c.line LIMIT %s""",
                    [PREVIEW_ERRORS_KEPT],
                )
                for line, codes, kind, year, number in cursor.fetchall():
                    locked.append(
                        (line, f"{codes} · {period_code(kind, year, number)}", period_bounds(kind, year, number).label)
                    )
        self.staged = True
        #: rows taken as new without looking for a figure written since: the write must not find one
        self.assumed_new = recheck == "existing"
        return {"counts": counts, "outcomes": outcomes, "locked": locked}

    def write(self, *, batch, when) -> dict:
        """Write the staged rows (staged here as the preview found them if not yet) with their audit history."""
        if not getattr(self, "staged", False):
            self.stage()
        user = batch.created_by
        reason = f"Lần nhập #{batch.pk}: nhập từ tệp “{batch.original_name}”"[:100]
        fixed = {"status": self.header["status"], "entered_by_id": user.pk if user else None, "submitted_at": when}
        review = {"reviewed_by_id": user.pk if user else None, "reviewed_at": when} if batch.approve else {}
        values = {name: f"s.{name}" for name in ("value", "numerator", "denominator")}
        new = dict(
            source="import_checked s WHERE s.outcome = 'new' ORDER BY s.line",
            given={
                "metric_id": "s.metric_id",
                "agency_id": "s.agency_id",
                "period_id": "s.period_id",
                **values,
                "note": "COALESCE(s.note, '')",
            },
            fixed={**fixed, **review},
            user=user,
            reason=reason,
            when=when,
        )
        try:
            created = submissions_insert_select(Observation, **new)
        except IntegrityError as exc:
            if self.assumed_new and _constraint_of(exc) == FIGURE_KEY:
                raise PreviewMoved from exc
            raise
        if self.header["has_note"]:
            values["note"] = "s.note"
        updated = submissions_update_select(
            Observation,
            source="import_checked s",
            where="s.outcome = 'updated' AND t.id = s.existing_id",
            given=values,
            fixed={**{k: v for k, v in fixed.items() if k != "entered_by_id"}, "updated_at": when, **review},
            user=user,
            reason=reason,
            when=when,
        )
        corrected = self._corrections_write(batch=batch, user=user, when=when, review=review)
        snapshots_changed()
        self.file.close()
        # corrections are undone like updates: from the history, to the version before
        return {"created": sorted(created), "updated": [*updated, *corrected]}

    def _corrections_write(self, *, batch, user, when, review: dict) -> list[int]:
        """The staged rows that change an approved figure, by the rule of ``indicators.revisions``: without
        approval each becomes the figure's correction proposal (its approved value untouched, so it keeps
        counting); with approval the correction is approved at once. One statement, with the history."""
        numbers = ("value", "numerator", "denominator")
        if batch.approve:
            given = {name: f"s.{name}" for name in numbers}
            if self.header["has_note"]:
                given["note"] = "s.note"
            given.update({f"proposed_{name}": "NULL" for name in numbers})
            fixed = {"status": SubmissionStatus.APPROVED, "correction_status": "", "proposed_note": "", **review}
        else:
            given = {f"proposed_{name}": f"s.{name}" for name in numbers}
            given["proposed_note"] = "COALESCE(NULLIF(s.note, ''), %s)"
            fixed = {"correction_status": SubmissionStatus.SUBMITTED}
        return submissions_update_select(
            Observation,
            source="import_checked s",
            where="s.outcome = 'correction' AND t.id = s.existing_id",
            given=given,
            fixed={**fixed, "updated_at": when},
            user=user,
            reason=correction_reason(batch),
            when=when,
            given_params=[] if batch.approve else [f"Lần nhập #{batch.pk}: nhập từ tệp “{batch.original_name}”"],
        )


#: the unique constraint on a figure's agency, metric and period
FIGURE_KEY = "uniq_observation"


def _constraint_of(exc: IntegrityError) -> str:
    """The name of the constraint PostgreSQL says ``exc`` broke."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or ""


def _copy_split(line: str) -> list[str]:
    """The fields of one line in COPY's text format, unescaped (``\\N`` kept as is)."""
    out = []
    for field in line.split("\t"):
        if field == "\\N" or "\\" not in field:
            out.append(field)
            continue
        chars, i = [], 0
        while i < len(field):
            c = field[i]
            if c == "\\" and i + 1 < len(field):
                nxt = field[i + 1]
                chars.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
                i += 2
            else:
                chars.append(c)
                i += 1
        out.append("".join(chars))
    return out


def after_commit(batch) -> None:
    """Figures imported as approved count at once: recompute the status of their metrics' targets."""
    if batch.approve:
        written = [*batch.changes.get("created", []), *batch.changes.get("updated", [])]
        metric_ids = Observation.objects.filter(pk__in=written).values_list("metric_id", flat=True).distinct()
        metrics_recompute_after_commit(list(metric_ids))
