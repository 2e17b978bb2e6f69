"""The data explorer ("Tra cứu số liệu", /tra-cuu/): what the reader asked for, read from the query string, and the
pivot table of the figures found. Pure functions: no ORM, no "today" (dashboards/selectors.py reads the figures).

Three dimensions: metrics (chỉ số), agencies (cơ quan) and periods (kỳ). Two go on the table's rows and columns;
the third is one member: the one metric chosen, all the chosen agencies together, or the whole span of years.

- **Agencies together** are counted as the province counts them (``indicators.progress.province_value``): counts
  summed, ratios as the ratio of the summed numerators and denominators, indices and shares averaged; a metric
  collected once for the province counts its designated agency's figure only.
- **Periods** are shown by month, quarter, half-year or year. Each figure falls in the one that contains the end of
  its own reporting period (a quarterly figure in the month of the quarter's end, a yearly one in its year's last
  quarter). Within one, a yearly flow ("số lượng trong năm") is summed; anything else takes its latest value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import value_text
from indicators.periods import HALF_YEAR, MONTH, QUARTER, YEAR, period_bounds, period_containing
from indicators.progress import PeriodAggregate, province_value

METRIC, AGENCY, PERIOD = "chi-so", "co-quan", "ky"
DIMENSIONS = {METRIC: gettext_lazy("Chỉ số"), AGENCY: gettext_lazy("Cơ quan"), PERIOD: gettext_lazy("Kỳ")}
#: the query string's names for the periods a table is shown by, and the kind of period each is
GRANULARITIES = {"thang": MONTH, "quy": QUARTER, "6-thang": HALF_YEAR, "nam": YEAR}
GRANULARITY_LABELS = {
    "thang": gettext_lazy("Tháng"),
    "quy": gettext_lazy("Quý"),
    "6-thang": gettext_lazy("6 tháng"),
    "nam": gettext_lazy("Năm"),
}
#: the agencies a reader may take together (``loai``): every one, the departments, the communes and wards
AGENCY_KINDS = {
    "": gettext_lazy("Mọi cơ quan, địa phương"),
    "department": gettext_lazy("Các sở, ban, ngành"),
    "locality": gettext_lazy("Các xã, phường"),
}
#: a table larger than this is not drawn: the reader is asked to narrow the choice
MAX_CELLS = 6000
#: figures a choice may read at most (metrics × agencies × their periods): what keeps the query fast at any size
MAX_FIGURES = 20000
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Query:
    """What the reader asked for; every part is in the page's query string, so the link reopens the same view."""

    metrics: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    kind: str = ""
    granularity: str = "quy"
    first_year: int = 0
    last_year: int = 0
    rows: str = METRIC
    columns: str = PERIOD
    approved_only: bool = True

    @property
    def chosen(self) -> bool:
        """Whether anything is asked at all (a first visit shows the form and examples only)."""
        return bool(self.metrics or self.indicators)

    @property
    def fixed(self) -> str:
        """The dimension on neither rows nor columns."""
        return next(d for d in DIMENSIONS if d not in (self.rows, self.columns))

    @property
    def period_kind(self) -> str:
        return GRANULARITIES[self.granularity]


def _year(text: str, default: int) -> int | None:
    text = (text or "").strip()
    if not text:
        return default
    return int(text) if text.isdigit() else None


def query_from(params: Mapping, *, today: date, plan_year: int) -> tuple[Query, list[str]]:
    """The reader's query from the query string (``params.getlist`` for the lists), and what is wrong with it, in
    words. Unknown values fall back to the defaults; contradictions are errors (nothing is read then)."""
    errors = []

    def many(name: str) -> tuple[str, ...]:
        values = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
        return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    granularity = params.get("theo", "quy")
    granularity = granularity if granularity in GRANULARITIES else "quy"
    first = _year(params.get("tu", ""), plan_year - 1)
    last = _year(params.get("den", ""), today.year)
    if first is None or last is None:
        errors.append(_("Năm phải là số, ví dụ 2026."))
        first, last = plan_year - 1, today.year
    if not EARLIEST_YEAR <= first <= last <= today.year + 1:
        errors.append(
            _("Khoảng năm không hợp lệ: từ năm %(first)s đến năm %(last)s (từ %(earliest)s đến %(latest)s).")
            % {"first": first, "last": last, "earliest": EARLIEST_YEAR, "latest": today.year + 1}
        )
        first, last = min(max(first, EARLIEST_YEAR), today.year), today.year
    rows = params.get("hang", METRIC)
    columns = params.get("cot", PERIOD)
    rows = rows if rows in DIMENSIONS else METRIC
    columns = columns if columns in DIMENSIONS else PERIOD
    if rows == columns:
        errors.append(_("Hàng và cột phải là hai chiều khác nhau."))
    kind = params.get("loai", "")
    query = Query(
        metrics=many("chi_so"),
        indicators=many("chi_tieu"),
        agencies=many("co_quan"),
        kind=kind if kind in AGENCY_KINDS else "",
        granularity=granularity,
        first_year=first,
        last_year=last,
        rows=rows,
        columns=columns,
        approved_only=params.get("trang_thai", "") != "tat-ca",
    )
    return query, errors


@dataclass(frozen=True)
class MetricInfo:
    """What the pivot needs of a metric."""

    pk: int
    code: str
    name: str
    unit: str
    kind: str
    ratio_scale: int


class Figure(NamedTuple):
    """One grouped row read from the database: a metric's figures of one period, of one agency (``agency`` set) or
    of the chosen agencies together (``agency`` None), as sums and counts. (A named tuple: tens of thousands are
    made for a large table.)"""

    metric: int
    agency: int | None
    ends_on: date
    total: float | None
    mean: float | None
    numerator: float | None
    denominator: float | None
    count: int
    with_denominator: int


@dataclass(frozen=True)
class Member:
    """One row or column of the table: its key and what its header says."""

    key: object
    label: str
    unit: str = ""


@dataclass
class PivotTable:
    """The explorer's table: row and column members, a value per cell (None where nothing was reported), the
    member fixed on the third dimension, and the unit when every value shares one."""

    rows: list[Member]
    columns: list[Member]
    values: dict[tuple, float | None]
    rows_label: str
    columns_label: str
    unit: str = ""
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    def value(self, row: Member, column: Member) -> float | None:
        return self.values.get((row.key, column.key))

    def text(self, row: Member, column: Member) -> str:
        value = self.value(row, column)
        return "" if value is None else value_text(value)

    def lines(self) -> list[tuple[Member, list[tuple[float | None, str]]]]:
        """Each row with its cells' values and texts, in column order (what the template draws)."""
        return [(row, [(self.value(row, c), self.text(row, c)) for c in self.columns]) for row in self.rows]

    @property
    def cell_count(self) -> int:
        return len(self.rows) * len(self.columns)


def bucket_of(ends_on: date, kind: str) -> tuple[int, int]:
    """The month, quarter, half-year or year (its year and number) whose window holds a period ending ``ends_on``."""
    bounds = period_containing(kind, ends_on)
    return bounds.year, bounds.number


def buckets_between(kind: str, first_year: int, last_year: int) -> list[Member]:
    """The periods of ``kind`` from ``first_year`` to ``last_year``, oldest first, as table members."""
    per_year = {MONTH: 12, QUARTER: 4, HALF_YEAR: 2, YEAR: 1}[kind]
    return [
        Member((year, number), period_bounds(kind, year, number).label)
        for year in range(first_year, last_year + 1)
        for number in range(1, per_year + 1)
    ]


def span_of(kind: str, first_year: int, last_year: int) -> tuple[date, date]:
    """The first and last day the periods of ``kind`` from ``first_year`` to ``last_year`` cover."""
    per_year = {MONTH: 12, QUARTER: 4, HALF_YEAR: 2, YEAR: 1}[kind]
    return period_bounds(kind, first_year, 1).starts_on, period_bounds(kind, last_year, per_year).ends_on


def figures_estimate(*, frequencies: Iterable[str], agencies: int, years: int) -> int:
    """At most how many figures a choice reads: each metric's periods in the years asked, for each agency."""
    per_year = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}
    return sum(per_year.get(f, 1) for f in frequencies) * max(1, agencies) * max(1, years)


def pivot(
    figures: Iterable[Figure],
    *,
    query: Query,
    metrics: Sequence[MetricInfo],
    agencies: Sequence[Member],
) -> PivotTable:
    """The table of ``figures``: their values combined into the cells the query's rows and columns make."""
    info = {m.pk: m for m in metrics}
    whole_span = query.fixed == PERIOD
    # each figure's value, then per (metric, agency, bucket) the value the bucket shows
    latest: dict[tuple, tuple[date, float]] = {}
    summed: dict[tuple, float] = defaultdict(float)
    buckets: dict[date, tuple[int, int]] = {}  # a few hundred period ends for tens of thousands of figures
    for figure in figures:
        metric = info.get(figure.metric)
        if metric is None:
            continue
        value = _value(metric, figure)
        if value is None:
            continue
        if whole_span:
            bucket = "all"
        elif (bucket := buckets.get(figure.ends_on)) is None:
            bucket = buckets[figure.ends_on] = bucket_of(figure.ends_on, query.period_kind)
        key = (figure.metric, figure.agency, bucket)
        if metric.kind == "flow":
            summed[key] += value
        elif key not in latest or figure.ends_on > latest[key][0]:
            latest[key] = (figure.ends_on, value)
    cells = {**{k: v for k, (_day, v) in latest.items()}, **summed}

    members = {
        METRIC: [Member(m.pk, f"{m.name} ({m.unit})" if m.unit else m.name, m.unit) for m in metrics],
        AGENCY: list(agencies),
        PERIOD: buckets_between(query.period_kind, query.first_year, query.last_year),
    }
    position = {METRIC: 0, AGENCY: 1, PERIOD: 2}
    fixed_key = {METRIC: metrics[0].pk if metrics else None, AGENCY: None, PERIOD: "all"}[query.fixed]
    values = {}
    for row in members[query.rows]:
        for column in members[query.columns]:
            key = [None, None, None]
            key[position[query.rows]] = row.key
            key[position[query.columns]] = column.key
            key[position[query.fixed]] = fixed_key
            values[(row.key, column.key)] = cells.get(tuple(key))
    units = {m.unit for m in metrics}
    table = PivotTable(
        rows=members[query.rows],
        columns=members[query.columns],
        values=values,
        rows_label=str(DIMENSIONS[query.rows]),
        columns_label=str(DIMENSIONS[query.columns]),
        unit=units.pop() if len(units) == 1 else "",
    )
    table.caption = _caption(query, metrics)
    if any(m.kind == "flow" for m in metrics):
        table.notes.append(_("Số lượng trong năm: cộng các kỳ trong mỗi cột; chỉ số khác: giá trị của kỳ gần nhất."))
    return table


def _value(metric: MetricInfo, figure: Figure) -> float | None:
    """A figure's value (one agency's) or the province value of several (``province_value``'s rule)."""
    if figure.count == 1:  # one agency's figure (a table by agency): province_value's rule for one, made cheap
        if metric.kind == "ratio" and figure.denominator:
            return metric.ratio_scale * (figure.numerator or 0.0) / figure.denominator
        return figure.total
    return province_value(
        metric.kind,
        PeriodAggregate(
            total=figure.total,
            mean=figure.mean,
            numerator=figure.numerator,
            denominator=figure.denominator,
            count=figure.count,
            with_denominator=figure.with_denominator,
        ),
        scale=metric.ratio_scale,
    )


def _caption(query: Query, metrics: Sequence[MetricInfo]) -> str:
    parts = []
    if query.fixed == METRIC and metrics:
        metric = metrics[0]
        parts.append(f"{metric.name} ({metric.unit})" if metric.unit else metric.name)
    if query.fixed == AGENCY:
        parts.append(
            _("các cơ quan đã chọn, cộng gộp như số toàn tỉnh") if query.agencies else str(AGENCY_KINDS[query.kind])
        )
    if query.fixed == PERIOD:
        parts.append(_("từ năm %(first)s đến năm %(last)s") % {"first": query.first_year, "last": query.last_year})
    parts.append(_("số liệu đã duyệt") if query.approved_only else _("mọi số liệu bạn được xem, kể cả chưa duyệt"))
    return " · ".join(parts)


def table_rows(table: PivotTable) -> tuple[list[str], list[list]]:
    """The table as a download holds it: headers, then each row's label and its values (numbers, not text)."""
    headers = [f"{table.rows_label} \\ {table.columns_label}", *[c.label for c in table.columns]]
    rows = [[row.label, *[round(v, 4) if v is not None else "" for v, _text in cells]] for row, cells in table.lines()]
    return headers, rows
