"""What every kind of import shares: per-row outcomes, the preview, and the in-memory natural-key lookups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import AgencyDirectory
from core.formatting import format_number, vn_date
from indicators.models import Period
from indicators.periods import parse_period_code, period_bounds

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
#: a row that changes an approved figure: a correction proposal (approved at once by an import that approves)
CORRECTION = "correction"
ERROR = "error"
#: a row with nothing to write (a template's row left blank): counted apart, never listed among the rows
SKIPPED = "skipped"
OUTCOME_LABELS = {
    NEW: "Mới",
    UPDATED: "Cập nhật",
    CORRECTION: "Điều chỉnh số liệu đã duyệt",
    UNCHANGED: "Không đổi",
    ERROR: "Lỗi",
    SKIPPED: "Trống, bỏ qua",
}
OUTCOMES = (NEW, UPDATED, CORRECTION, UNCHANGED, ERROR)
#: what a row of a batch since undone became
UNDONE_LABELS = {NEW: "Mới, đã xóa khi hoàn tác", UPDATED: "Cập nhật, đã khôi phục khi hoàn tác"}


class PreviewMoved(Exception):
    """The write found that the data moved since the re-check it relied on (a figure written where the preview
    found none): the commit checks every row again, then writes."""


#: rows kept in a stored preview, beyond which only the counts and the errors are kept
PREVIEW_ROWS_KEPT = 1000
PREVIEW_ERRORS_KEPT = 2000


@dataclass
class RowResult:
    line: int
    outcome: str
    label: str = ""
    messages: list[str] = field(default_factory=list)
    #: what was read from the row, as the app understood it: (column, value) — "“1.250” → 1.250"
    read: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Preview:
    """The dry run of one file: every row's outcome; ``work`` holds what a commit would write.

    A kind that reads its file as a stream gives each row to ``add`` once its outcome is known: the preview then
    counts every row but keeps only the rows a stored summary keeps (``rows``: the first errors and the first
    other rows), so its memory does not grow with the file.
    """

    kind: str
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    work: Any = None
    #: counts of records rather than rows, for kinds whose rows are not records one for one (the plan)
    counted: dict[str, int] | None = None
    #: rows given to ``add``, by outcome (None: every row is in ``rows``)
    tally: Counter | None = None
    #: the error messages of the rows given to ``add`` (the first PREVIEW_ERRORS_KEPT)
    error_messages: list[str] = field(default_factory=list)
    #: rows kept by ``add``, errors and others
    kept: Counter = field(default_factory=Counter, repr=False)

    def add(self, result: RowResult) -> None:
        """Count a row whose outcome is final; keep it if a stored summary would show it."""
        if self.tally is None:
            self.tally = Counter()
        self.tally[result.outcome] += 1
        if result.outcome == SKIPPED:
            return
        is_error = result.outcome == ERROR
        if is_error and len(self.error_messages) < PREVIEW_ERRORS_KEPT:
            self.error_messages += result.messages[: PREVIEW_ERRORS_KEPT - len(self.error_messages)]
        # a stored summary keeps the first PREVIEW_ROWS_KEPT rows, errors first: these are always among them
        bucket = "errors" if is_error else "others"
        if self.kept[bucket] < PREVIEW_ROWS_KEPT:
            self.kept[bucket] += 1
            self.rows.append(result)

    @property
    def counts(self) -> dict[str, int]:
        if self.counted is not None:
            return self.counted
        counted = self.tally if self.tally is not None else Counter(r.outcome for r in self.rows)
        counts = {key: counted.get(key, 0) for key in OUTCOMES}
        if counted.get(SKIPPED):  # blank rows, when there are any
            counts[SKIPPED] = counted[SKIPPED]
        return counts

    @property
    def total(self) -> int:
        return sum(self.counts.values()) if self.tally is not None else len(self.rows)

    @property
    def errors(self) -> list[str]:
        if self.tally is not None:
            return self.file_errors + self.error_messages
        return self.file_errors + [m for r in self.rows if r.outcome == ERROR for m in r.messages]

    @property
    def is_valid(self) -> bool:
        if self.tally is not None:
            return not self.file_errors and not self.tally[ERROR]
        return not self.file_errors and not any(r.outcome == ERROR for r in self.rows)

    def as_summary(self) -> dict:
        """What an ImportBatch keeps of the preview (rows capped, errors capped)."""
        return {
            "counts": self.counts,
            "total": self.total,
            "file_errors": self.file_errors,
            "errors": self.errors[:PREVIEW_ERRORS_KEPT],
            # errors first, so the rows kept are the ones to fix
            "rows": [
                [r.line, r.outcome, r.label, r.messages, r.read]
                for r in sorted(self.rows, key=lambda r: (r.outcome != ERROR, r.line))[:PREVIEW_ROWS_KEPT]
            ],
        }

    def summary_text(self) -> str:
        counts = self.counts
        c = {outcome: format_number(counts.get(outcome, 0)) for outcome in (*OUTCOMES, SKIPPED)}
        corrections = f"{c[CORRECTION]} điều chỉnh số liệu đã duyệt, " if counts.get(CORRECTION) else ""
        text = f"{c[NEW]} mới, {c[UPDATED]} cập nhật, {corrections}{c[UNCHANGED]} không đổi, {c[ERROR]} lỗi"
        return text + (f"; {c[SKIPPED]} dòng trống bỏ qua" if counts.get(SKIPPED) else "")


class AgencyLookup(AgencyDirectory):
    """The one agency lookup (``agencies.selectors.AgencyDirectory``) with an import's per-row error reporting."""

    def for_row(self, table, row, result: RowResult, *, only_agency: Agency | None) -> Agency | None:
        """The row's agency (its "agency" column, else the agency the whole file is for); errors go to ``result``."""
        written = text(row.values.get("agency"))
        if not written:
            if only_agency is None:
                result.messages.append(f"{table.where(row, 'agency')}: hãy ghi mã cơ quan.")
            return only_agency
        try:
            agency = self.get(written)
        except ValueError as exc:
            result.messages.append(f"{table.where(row, 'agency')}: {exc}")
            return only_agency
        if only_agency and agency != only_agency:
            result.messages.append(
                f"{table.where(row, 'agency')}: dòng thuộc “{agency.name}”, "
                f"nhưng tệp này chỉ được nhập cho “{only_agency.name}”."
            )
        return agency


class PeriodLookup:
    """Periods by code ("2026-Q2") from one query; periods not yet in the database are created on commit.

    A period that has not begun yet is refused: nothing can have been measured or done in it, and "2062" for
    "2026" would otherwise be written as a figure of a far year."""

    def __init__(self) -> None:
        self.existing = {(p.kind, p.year, p.number): p for p in Period.objects.all()}
        self.today = timezone.localdate()

    def parse(self, text: str) -> tuple[str, int, int]:
        key = parse_period_code(text)
        bounds = period_bounds(*key)
        if bounds.starts_on > self.today:
            raise ValueError(
                f"kỳ {bounds.label} chưa bắt đầu (từ {vn_date(bounds.starts_on)}); chỉ nhập được kỳ đã bắt đầu."
            )
        return key

    def get(self, key: tuple[str, int, int]) -> Period | None:
        return self.existing.get(key)


def text(value) -> str:
    return vn_date(value) if hasattr(value, "strftime") else str(value or "").strip()
