"""The open datasets: what each one holds (a data dictionary), how its rows are read, how it is written as CSV.

One place describes every dataset; the catalogue page, the DCAT JSON-LD catalogue, the Frictionless Data
Package and the bulk CSV downloads are all built from ``DATASETS``. Rows are read with ``.iterator()`` (a
server-side cursor on PostgreSQL) and written as they come, so a download never holds a whole table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, OuterRef, Q, Subquery

from adjustments.describe import change_text
from core.spreadsheets import neutralise
from indicators.freshness import coverage_low
from indicators.models import PlanAdjustment, PlanChange, ProvinceValue, TargetStatus
from indicators.periods import PeriodBounds
from indicators.selectors import observations_approved, target_statuses_as_of
from indicators.statuses import latest_claim, status_label, target_statuses_at
from indicators.templatetags.plan_text import plan_text
from tasks.models import TaskOccurrence, TaskTerms

CHUNK = 2000

#: Dublin Core frequency vocabulary (used by DCAT's dct:accrualPeriodicity)
DAILY = "http://purl.org/cld/freq/daily"
CONTINUOUS = "http://purl.org/cld/freq/continuous"


@dataclass(frozen=True)
class Column:
    """One field of a dataset: its name in the CSV, Frictionless type, Vietnamese title, unit and meaning."""

    name: str
    type: str
    title: str
    description: str = ""
    unit: str = ""

    def frictionless(self) -> dict:
        field = {"name": self.name, "type": self.type, "title": self.title}
        if self.description:
            field["description"] = self.description
        if self.unit:
            field["unit"] = self.unit
        return field


@dataclass(frozen=True)
class Dataset:
    slug: str
    filename: str
    title: str
    description: str
    frequency: str
    frequency_label: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]]
    modified: Callable[[], datetime | date | None]

    def schema(self) -> dict:
        return {"fields": [column.frictionless() for column in self.columns]}


def _period_label(kind: str, year: int, number: int, starts_on: date, ends_on: date) -> str:
    return PeriodBounds(kind, year, number, starts_on, ends_on).label


def _status_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


PERIOD_COLUMNS = (
    Column("period_kind", "string", "Loại kỳ", "month, quarter, half_year hoặc year"),
    Column("period", "string", "Kỳ báo cáo", "Ví dụ: Quý II/2026"),
    Column("period_starts_on", "date", "Từ ngày", "Ngày đầu kỳ (Nghị định 09/2019/NĐ-CP)"),
    Column("period_ends_on", "date", "Đến ngày", "Ngày cuối kỳ"),
)
COVERAGE_COLUMNS = (
    Column("agencies_reporting", "integer", "Số cơ quan có số liệu", unit="cơ quan"),
    Column("agencies_expected", "integer", "Số cơ quan phải báo cáo", unit="cơ quan"),
    Column(
        "coverage_low",
        "boolean",
        "Chưa đủ cơ quan báo cáo",
        "true: giá trị tính từ ít hơn ngưỡng (mặc định 80%) số cơ quan phải báo cáo",
    ),
)
METRIC_COLUMNS = (
    Column("metric", "string", "Mã chỉ số"),
    Column("metric_name", "string", "Tên chỉ số"),
    Column("unit", "string", "Đơn vị tính", "Đơn vị của các cột giá trị trong cùng dòng"),
)


def _figure_rows() -> Iterator[tuple]:
    rows = (
        observations_approved()
        .order_by("metric__code", "period__ends_on", "agency__code", "pk")
        .values_list(
            "metric__code",
            "metric__name",
            "metric__unit",
            "agency__code",
            "agency__name",
            "period__kind",
            "period__year",
            "period__number",
            "period__starts_on",
            "period__ends_on",
            "value",
            "numerator",
            "denominator",
            "reviewed_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    for code, name, unit, agency, agency_name, kind, year, number, starts, ends, *values, reviewed in rows:
        label = _period_label(kind, year, number, starts, ends)
        yield (code, name, unit, agency, agency_name, kind, label, starts, ends, *values, reviewed)


def _province_rows() -> Iterator[tuple]:
    threshold = settings.PROVINCE_COVERAGE_MIN_PERCENT
    rows = (
        ProvinceValue.objects.order_by("metric__code", "period__ends_on", "period__kind", "pk")
        .values_list(
            "metric__code",
            "metric__name",
            "metric__unit",
            "period__kind",
            "period__year",
            "period__number",
            "period__starts_on",
            "period__ends_on",
            "value",
            "numerator",
            "denominator",
            "reporters",
            "expected_reporters",
            "provisional",
            "as_of",
        )
        .iterator(chunk_size=CHUNK)
    )
    for code, name, unit, kind, year, number, starts, ends, value, num, den, n, expected, provisional, as_of in rows:
        expected = max(expected, n)
        low = coverage_low(n, expected, threshold=threshold)
        label = _period_label(kind, year, number, starts, ends)
        yield (code, name, unit, kind, label, starts, ends, value, num, den, n, expected, low, provisional, as_of)


def _target_status_rows() -> Iterator[tuple]:
    """Every target as every other surface gives it (``target_statuses_at``: the latest complete computation),
    with the marks on its data: freshness, the latest value's period, provisional, coverage."""
    rows = sorted(
        target_statuses_at(),
        key=lambda row: (
            row.parsed_target.target.indicator.plan_id,
            row.parsed_target.target.indicator.group.order,
            row.parsed_target.target.indicator.number,
            row.parsed_target.target.year,
            row.parsed_target.position,
            row.pk or 0,
        ),
    )
    freshness_labels = _status_labels(TargetStatus.Freshness.choices)
    for row in rows:
        parsed, target = row.parsed_target, row.parsed_target.target
        latest = latest_claim(row) or {}
        covered = latest.get("coverage") or {}
        yield (
            target.indicator.code,
            target.year,
            target.valid_from,
            target.valid_to,
            plan_text(target.text),
            plan_text(parsed.fragment),
            parsed.metric.code,
            parsed.metric.unit,
            parsed.operator,
            parsed.value,
            parsed.value_max,
            row.status,
            status_label(row),
            row.freshness,
            freshness_labels.get(row.freshness, row.freshness),
            row.baseline_value,
            row.latest_value,
            row.latest_date,
            latest.get("period"),
            latest.get("provisional", False),
            covered.get("reporters"),
            covered.get("expected"),
            covered.get("low", False),
            row.expected_value,
            row.as_of,
        )


def _task_status_rows() -> Iterator[tuple]:
    labels = _status_labels(TaskOccurrence.Status.choices)
    # the task's title as in force on the day the occurrence was computed
    terms = TaskTerms.objects.filter(task=OuterRef("task"), valid_from__lte=OuterRef("as_of")).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("as_of"))
    )
    rows = (
        TaskOccurrence.objects.annotate(task_title=Subquery(terms.values("title")[:1]))
        .order_by("due_on", "task__number", "agency__code", "pk")
        .values_list(
            "task__number",
            "task_title",
            "agency__code",
            "agency__name",
            "role",
            "due_on",
            "status",
            "completed_on",
            "days_late",
            "as_of",
        )
        .iterator(chunk_size=CHUNK)
    )
    for number, title, agency, agency_name, role, due_on, status, *rest in rows:
        yield (number, title, agency, agency_name, role, due_on, status, labels.get(status, status), *rest)


def _plan_history_rows() -> Iterator[tuple]:
    """Every change of every approved adjustment, in the order they took effect."""
    changes = (
        PlanChange.objects.filter(adjustment__status=PlanAdjustment.Status.APPROVED)
        .select_related("adjustment__revokes")
        .order_by("adjustment__effective_on", "adjustment_id", "order")
    )
    revoked = dict(
        PlanAdjustment.objects.filter(status=PlanAdjustment.Status.APPROVED, revokes__isnull=False).values_list(
            "revokes_id", "decision_number"
        )
    )
    for change in changes.iterator(chunk_size=CHUNK):
        adjustment = change.adjustment
        text = change_text(change)
        yield (
            adjustment.decision_number,
            adjustment.signed_on,
            adjustment.issuer,
            adjustment.summary,
            adjustment.effective_on,
            adjustment.approved_at,
            adjustment.revokes.decision_number if adjustment.revokes_id else "",
            revoked.get(adjustment.pk, ""),
            change.subject,
            change.code,
            change.year,
            change.field,
            text.what,
            text.before,
            text.after,
            json.dumps(change.old, ensure_ascii=False) if change.old is not None else "",
            json.dumps(change.new, ensure_ascii=False) if change.new is not None else "",
        )


def _latest(queryset, field: str):
    return queryset.aggregate(latest=Max(field))["latest"]


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        slug="so-lieu-da-phe-duyet",
        filename="so-lieu-da-phe-duyet-theo-co-quan",
        title="Số liệu đã phê duyệt của các cơ quan, địa phương",
        description=(
            "Mọi số liệu các sở, ngành, địa phương báo cáo theo Kế hoạch 65-KH/TU đã được Văn phòng Tỉnh ủy "
            "phê duyệt: một dòng cho một chỉ số, một cơ quan, một kỳ báo cáo."
        ),
        frequency=CONTINUOUS,
        frequency_label="Cập nhật ngay khi số liệu được phê duyệt",
        columns=(
            *METRIC_COLUMNS,
            Column("agency", "string", "Mã cơ quan"),
            Column("agency_name", "string", "Cơ quan, địa phương báo cáo"),
            *PERIOD_COLUMNS,
            Column("value", "number", "Giá trị", "Giá trị đã phê duyệt", "theo cột unit"),
            Column("numerator", "number", "Tử số", "Với chỉ số tỷ lệ: tử số đã báo cáo"),
            Column("denominator", "number", "Mẫu số", "Với chỉ số tỷ lệ: mẫu số đã báo cáo"),
            Column("approved_at", "datetime", "Phê duyệt lúc"),
        ),
        rows=_figure_rows,
        modified=lambda: _latest(observations_approved(), "updated_at"),
    ),
    Dataset(
        slug="gia-tri-toan-tinh",
        filename="gia-tri-toan-tinh-theo-ky",
        title="Giá trị toàn tỉnh của các chỉ số theo kỳ",
        description=(
            "Giá trị toàn tỉnh của từng chỉ số trong từng kỳ, tổng hợp từ số liệu đã phê duyệt (cộng, tỷ lệ "
            "của tổng hoặc bình quân tùy chỉ số), như trên bảng theo dõi."
        ),
        frequency=DAILY,
        frequency_label="Hằng ngày (tính lại lúc 01:00)",
        columns=(
            *METRIC_COLUMNS,
            *PERIOD_COLUMNS,
            Column("value", "number", "Giá trị toàn tỉnh", unit="theo cột unit"),
            Column("numerator", "number", "Tổng tử số"),
            Column("denominator", "number", "Tổng mẫu số"),
            *COVERAGE_COLUMNS,
            Column("provisional", "boolean", "Tạm tính", "true: kỳ chưa kết thúc khi tính, giá trị còn thay đổi"),
            Column("as_of", "date", "Tính đến ngày"),
        ),
        rows=_province_rows,
        modified=lambda: _latest(ProvinceValue.objects.all(), "computed_at"),
    ),
    Dataset(
        slug="tinh-trang-muc-tieu",
        filename="tinh-trang-muc-tieu-lan-tinh-gan-nhat",
        title="Tình trạng thực hiện các mục tiêu",
        description=(
            "Mỗi mục tiêu định lượng của Phụ lục I (theo mốc năm): giá trị gốc, giá trị mới nhất, giá trị cần "
            "đạt theo lộ trình và tình trạng (đã đạt, đúng lộ trình, cần tăng tốc…), lần tính gần nhất."
        ),
        frequency=DAILY,
        frequency_label="Hằng ngày (tính lại lúc 01:00)",
        columns=(
            Column("indicator", "string", "Mã chỉ tiêu", "Ví dụ: I.1"),
            Column("year", "integer", "Mốc năm"),
            Column(
                "valid_from",
                "date",
                "Mục tiêu có hiệu lực từ ngày",
                "Ngày ban hành kế hoạch, hoặc ngày có hiệu lực của quyết định điều chỉnh ô mục tiêu này",
            ),
            Column(
                "valid_to",
                "date",
                "Mục tiêu có hiệu lực đến hết ngày",
                "Trống: đang có hiệu lực; có ngày: một quyết định sau đã điều chỉnh từ ngày kế tiếp",
            ),
            Column("target_text", "string", "Mục tiêu (nguyên văn)"),
            Column("fragment", "string", "Phần mục tiêu", "Khi một ô có nhiều mục tiêu: phần ứng với dòng này"),
            Column("metric", "string", "Mã chỉ số"),
            Column("unit", "string", "Đơn vị tính"),
            Column(
                "operator",
                "string",
                "So sánh",
                ">= (≥), > (lớn hơn), = (bằng), <= (≤), < (nhỏ hơn), range (trong khoảng target_value – "
                "target_value_max)",
            ),
            Column("target_value", "number", "Giá trị mục tiêu", unit="theo cột unit"),
            Column("target_value_max", "number", "Giá trị mục tiêu tối đa", unit="theo cột unit"),
            Column("status", "string", "Mã tình trạng"),
            Column("status_label", "string", "Tình trạng"),
            Column("freshness", "string", "Mã tình trạng số liệu", "current, late (số liệu chậm) hoặc missing"),
            Column("freshness_label", "string", "Tình trạng số liệu"),
            Column("baseline_value", "number", "Giá trị gốc", unit="theo cột unit"),
            Column("latest_value", "number", "Giá trị mới nhất", unit="theo cột unit"),
            Column("latest_date", "date", "Ngày của giá trị mới nhất"),
            Column("latest_period", "string", "Kỳ của giá trị mới nhất", "Ví dụ: Quý II/2026, Năm 2025"),
            Column("latest_provisional", "boolean", "Tạm tính", "true: kỳ của giá trị mới nhất chưa kết thúc"),
            *COVERAGE_COLUMNS,
            Column("expected_value", "number", "Giá trị cần đạt theo lộ trình", unit="theo cột unit"),
            Column("as_of", "date", "Tính đến ngày"),
        ),
        rows=_target_status_rows,
        modified=lambda: _latest(target_statuses_as_of(), "computed_at"),
    ),
    Dataset(
        slug="tinh-trang-nhiem-vu",
        filename="tinh-trang-nhiem-vu-theo-co-quan",
        title="Tình trạng thực hiện các nhiệm vụ theo cơ quan",
        description=(
            "Mỗi lần đến hạn của mỗi nhiệm vụ trong Phụ lục II với từng cơ quan chủ trì, phối hợp: hạn, tình "
            "trạng, ngày hoàn thành và số ngày quá hạn."
        ),
        frequency=DAILY,
        frequency_label="Hằng ngày (tính lại lúc 01:00)",
        columns=(
            Column("task", "integer", "Số thứ tự nhiệm vụ"),
            Column("task_title", "string", "Tên nhiệm vụ"),
            Column("agency", "string", "Mã cơ quan"),
            Column("agency_name", "string", "Cơ quan"),
            Column("role", "string", "Vai trò", "lead (chủ trì) hoặc cooperating (phối hợp)"),
            Column("due_on", "date", "Hạn"),
            Column("status", "string", "Mã tình trạng"),
            Column("status_label", "string", "Tình trạng"),
            Column("completed_on", "date", "Ngày hoàn thành"),
            Column("days_late", "integer", "Số ngày quá hạn", unit="ngày"),
            Column("as_of", "date", "Tính đến ngày"),
        ),
        rows=_task_status_rows,
        modified=lambda: _latest(TaskOccurrence.objects.all(), "computed_at"),
    ),
    Dataset(
        slug="lich-su-ke-hoach",
        filename="lich-su-dieu-chinh-ke-hoach",
        title="Lịch sử điều chỉnh kế hoạch",
        description=(
            "Mọi điều chỉnh Kế hoạch 65-KH/TU đã được phê duyệt: quyết định (số, ngày ký, cơ quan ban hành, trích "
            "yếu), ngày có hiệu lực và từng nội dung điều chỉnh, trước và sau. Nội dung trước ngày có hiệu lực vẫn "
            "đúng cho khoảng thời gian trước đó."
        ),
        frequency=CONTINUOUS,
        frequency_label="Cập nhật ngay khi một điều chỉnh được phê duyệt",
        columns=(
            Column("decision", "string", "Số, ký hiệu quyết định"),
            Column("signed_on", "date", "Ngày ký"),
            Column("issuer", "string", "Cơ quan ban hành"),
            Column("summary", "string", "Trích yếu"),
            Column("effective_on", "date", "Có hiệu lực từ ngày"),
            Column("approved_at", "datetime", "Phê duyệt lúc"),
            Column("revokes", "string", "Bãi bỏ quyết định", "Số của quyết định mà quyết định này bãi bỏ"),
            Column("revoked_by", "string", "Bị bãi bỏ bởi", "Số của quyết định sau đã bãi bỏ quyết định này"),
            Column(
                "subject",
                "string",
                "Đối tượng",
                "target (ô mục tiêu), parsed_target (mục tiêu định lượng), indicator (chỉ tiêu), task (nhiệm vụ), "
                "assignment (cơ quan thực hiện), metric (chỉ số đo lường)",
            ),
            Column("code", "string", "Mã", "Mã chỉ tiêu, số nhiệm vụ hoặc mã chỉ số"),
            Column("year", "integer", "Mốc năm", "Với ô mục tiêu"),
            Column("field", "string", "Nội dung", "text, targets, added, retired, title, result, deadline, lead…"),
            Column("what", "string", "Điều chỉnh"),
            Column("before", "string", "Trước"),
            Column("after", "string", "Sau"),
            Column("old_json", "string", "Trước (JSON)"),
            Column("new_json", "string", "Sau (JSON)"),
        ),
        rows=_plan_history_rows,
        modified=lambda: _latest(PlanAdjustment.objects.filter(status=PlanAdjustment.Status.APPROVED), "approved_at"),
    ),
)

BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}


def csv_cell(value) -> str:
    """Machine-readable cells: numbers with a point and no exponent, ISO dates, guarded text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


class _Line:
    """A file-like object csv.writer writes one line into, handed straight back to the response."""

    def write(self, text: str) -> str:
        return text


def csv_lines(dataset: Dataset) -> Iterator[str]:
    """The dataset as CSV lines (UTF-8 BOM first, so spreadsheet programs read Vietnamese), row by row."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([column.name for column in dataset.columns])
    for row in dataset.rows():
        yield writer.writerow([csv_cell(value) for value in row])
