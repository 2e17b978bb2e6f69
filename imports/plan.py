"""The plan as a workbook shaped like its appendices: write it, read it back into ``plan_load``'s shape.

Sheets: "Kế hoạch" (one row: number, title, province, date, milestones), "Phụ lục I" (group, number, each
milestone cell verbatim, lead agencies), "Chỉ số đo lường" (metrics), "Mục tiêu định lượng" (which metric
each measurable claim of a cell is about, and the fragment of the cell that states it), "Phụ lục II"
(tasks). Every problem is reported with its sheet, row and column; nothing is written unless all is valid.
"""

from __future__ import annotations

import io
import re
from datetime import date

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from adjustments.describe import change_text
from adjustments.selectors import metrics_in_force, tasks_in_force
from adjustments.services import AdjustmentRefused, adjustment_approve, adjustment_create, changes_from_plan_data
from core.spreadsheets import HEADER_FILL, HEADER_FONT, neutralise
from imports.models import ImportBatch
from imports.plan_data import PlanDataError, plan_load, plan_problems
from indicators.models import Metric, Plan
from indicators.selectors import plan_day, plan_groups_with_indicators

from .base import ERROR, NEW, UNCHANGED, UPDATED, Preview, RowResult, text
from .reading import INSTRUCTIONS_SHEET, Column, FileProblem, Row, Table, build_table, parse_date, read_workbook_sheets

KIND = ImportBatch.Kind.PLAN
PLAN_SHEET, APPENDIX_I, METRICS_SHEET, CLAIMS_SHEET, APPENDIX_II = (
    "Kế hoạch",
    "Phụ lục I",
    "Chỉ số đo lường",
    "Mục tiêu định lượng",
    "Phụ lục II",
)
SHEET_NAMES = [PLAN_SHEET, APPENDIX_I, METRICS_SHEET, CLAIMS_SHEET, APPENDIX_II]

PLAN_COLUMNS = [
    Column("code", "Số, ký hiệu", required=True),
    Column("title", "Tên kế hoạch", required=True),
    Column("province", "Tỉnh", required=True),
    Column("issued_on", "Ngày ban hành", required=True),
    Column("milestones", "Các mốc mục tiêu", required=True),
]
METRIC_COLUMNS = [
    Column("code", "Mã chỉ số", required=True),
    Column("name", "Tên chỉ số", required=True),
    Column("unit", "Đơn vị tính"),
    Column("kind", "Loại", required=True),
    Column("direction", "Chiều tốt"),
    Column("frequency", "Tần suất báo cáo", required=True),
    Column("collection", "Cách thu thập", required=True),
    Column("numerator_label", "Tử số"),
    Column("denominator_label", "Mẫu số"),
    Column("ratio_scale", "Hệ số tỷ lệ (100: %, 1000: ‰, 1: trên đơn vị mẫu số)"),
    Column("reporting_agency", "Cơ quan cung cấp số liệu toàn tỉnh"),
    Column("definition", "Định nghĩa"),
    Column("source", "Nguồn số liệu"),
]
CLAIM_COLUMNS = [
    Column("indicator", "Mã chỉ tiêu", required=True),
    Column("year", "Mốc năm", required=True),
    Column("metric", "Mã chỉ số", required=True),
    Column("fragment", "Đoạn văn bản nêu mục tiêu (trống: cả ô)"),
]
TASK_COLUMNS = [
    Column("group", "Nhóm", required=True),
    Column("group_title", "Tên nhóm", required=True),
    Column("number", "STT", required=True),
    Column("title", "Nhiệm vụ", required=True),
    Column("lead", "Cơ quan chủ trì", required=True),
    Column("cooperating", "Cơ quan phối hợp", required=True),
    Column("result", "Kết quả, sản phẩm", required=True),
    Column("deadline", "Thời gian hoàn thành", required=True),
]
_CHOICES = {
    "kind": Metric.Kind,
    "direction": Metric.Direction,
    "frequency": Metric.Frequency,
    "collection": Metric.Collection,
}
#: several agencies in one cell: one per line, or separated by ";" (names themselves contain commas)
_NAME_SEPARATOR = re.compile(r"[;\n]")
INSTRUCTIONS = [
    "Bảng tính kế hoạch: mỗi trang một phần của kế hoạch, giữ nguyên tên trang và tên cột ở dòng 1.",
    "Phụ lục I: mỗi dòng một chỉ tiêu; các ô mục tiêu ghi nguyên văn như văn bản ban hành.",
    "Mục tiêu định lượng: mỗi dòng gắn một mục tiêu đo đếm được của một ô (chỉ tiêu × mốc năm) với một chỉ số "
    "đo lường; cột đoạn văn bản ghi phần của ô nêu mục tiêu đó (để trống nếu là cả ô).",
    "Nhiều cơ quan trong một ô: mỗi cơ quan một dòng trong ô hoặc cách nhau bởi dấu chấm phẩy (;).",
    "Nạp bằng lệnh: python manage.py load_plan TỆP.xlsx, hoặc tại trang Nhập dữ liệu (loại Kế hoạch).",
    "Kế hoạch đã nạp không bị ghi đè: sửa bảng tính (export_plan --xlsx) rồi điều chỉnh theo quyết định, có hiệu lực "
    "từ một ngày: python manage.py adjust_plan TỆP.xlsx --decision … --signed-on … --effective …, hoặc tại trang "
    "Nhập dữ liệu (loại Kế hoạch, ghi số và ngày của quyết định).",
]


def _appendix_i_columns(milestones: list[int]) -> list[Column]:
    return [
        Column("group", "Nhóm", required=True),
        Column("group_title", "Tên nhóm", required=True),
        Column("number", "STT", required=True),
        Column("code", "Mã chỉ tiêu", informative=True),
        *(Column(f"y{year}", f"Mục tiêu đến hết năm {year}", required=True) for year in milestones),
        Column("lead", "Cơ quan chủ trì đánh giá", required=True),
    ]


# --- writing -------------------------------------------------------------------------------------------


def plan_workbook(plan: Plan, *, as_of: date | None = None) -> bytes:
    """The plan in force on ``as_of`` (default today) as a workbook that ``plan_workbook_read`` reads back into the
    same plan: edited, it is what ``adjust_plan`` takes."""
    day = plan_day(plan, as_of)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        PLAN_SHEET,
        PLAN_COLUMNS,
        [[plan.code, plan.title, plan.province, plan.issued_on, ", ".join(str(y) for y in plan.milestones)]],
    )
    groups = plan_groups_with_indicators(plan, on=day)
    appendix_i, claims = [], []
    for group in groups:
        for indicator in group.indicators.all():
            cells = {target.year: target for target in indicator.targets.all()}
            appendix_i.append(
                [
                    group.code,
                    group.title,
                    indicator.number,
                    indicator.code,
                    *(cells[year].text if year in cells else "" for year in plan.milestones),
                    _names(indicator.lead_names),
                ]
            )
            for target in cells.values():
                for parsed in target.parsed_targets.all():
                    fragment = "" if parsed.fragment == target.text else parsed.fragment
                    claims.append([indicator.code, target.year, parsed.metric.code, fragment])
    _sheet(workbook, APPENDIX_I, _appendix_i_columns(plan.milestones), appendix_i)
    _sheet(
        workbook,
        METRICS_SHEET,
        METRIC_COLUMNS,
        [
            [
                m.code,
                m.name,
                m.unit,
                m.get_kind_display(),
                m.get_direction_display(),
                m.get_frequency_display(),
                m.get_collection_display(),
                m.numerator_label,
                m.denominator_label,
                m.ratio_scale,
                m.reporting_agency.name if m.reporting_agency_id else "",
                m.definition,
                m.data_source,
            ]
            for m in metrics_in_force(plan, day).select_related("reporting_agency").order_by("code")
        ],
    )
    _sheet(workbook, CLAIMS_SHEET, CLAIM_COLUMNS, claims)
    tasks = tasks_in_force(plan, day)
    _sheet(
        workbook,
        APPENDIX_II,
        TASK_COLUMNS,
        [
            [
                t.group.code,
                t.group.title,
                t.number,
                t.title,
                _names(t.lead_names),
                _names(t.cooperating_names),
                t.result,
                t.deadline_text,
            ]
            for t in tasks
        ],
    )
    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for line in INSTRUCTIONS:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _names(names: list[str]) -> str:
    return "\n".join(names)


def _sheet(workbook: Workbook, title: str, columns: list[Column], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([c.label for c in columns])
    for cell in sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([neutralise(str(v)) if isinstance(v, str) else v for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for position, column in enumerate(columns, start=1):
        wide = column.key.startswith("y") or column.key in ("title", "group_title", "name", "result", "fragment")
        sheet.column_dimensions[get_column_letter(position)].width = 45 if wide else max(12, len(column.label) + 2)
    sheet.freeze_panes = "A2"


# --- reading -------------------------------------------------------------------------------------------


class _Problems:
    """Messages per sheet row (for the preview) and for the file as a whole."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], list[str]] = {}
        self.file: list[str] = []

    def at(self, table: Table, row: Row, key: str, message: str) -> None:
        self.rows.setdefault((table.sheet, row.line), []).append(
            f"Trang “{table.sheet}”, {table.where(row, key)}: {message}"
        )

    def __bool__(self) -> bool:
        return bool(self.rows or self.file)

    def all(self) -> list[str]:
        return self.file + [m for messages in self.rows.values() for m in messages]


def read_tables(content: bytes, filename: str) -> dict[str, Table]:
    """The five sheets as tables; Phụ lục I's milestone columns follow the milestones of sheet "Kế hoạch"."""
    raw = read_workbook_sheets(content, filename, SHEET_NAMES)
    tables = {PLAN_SHEET: build_table(PLAN_SHEET, raw[PLAN_SHEET], PLAN_COLUMNS)}
    plan_rows = tables[PLAN_SHEET].rows
    try:
        milestones = _milestones(plan_rows[0].values.get("milestones", "")) if plan_rows else []
    except ValueError as exc:
        where = tables[PLAN_SHEET].where(plan_rows[0], "milestones")
        raise FileProblem([f"Trang “{PLAN_SHEET}”, {where}: {exc}"]) from exc
    if not milestones:
        raise FileProblem([f"Trang “{PLAN_SHEET}”: dòng 2 phải ghi thông tin kế hoạch, có các mốc mục tiêu."])
    errors = []
    for name, columns in (
        (APPENDIX_I, _appendix_i_columns(milestones)),
        (METRICS_SHEET, METRIC_COLUMNS),
        (CLAIMS_SHEET, CLAIM_COLUMNS),
        (APPENDIX_II, TASK_COLUMNS),
    ):
        try:
            tables[name] = build_table(name, raw[name], columns)
        except FileProblem as exc:
            errors += exc.errors
    if errors:
        raise FileProblem(errors)
    return tables


def _milestones(value) -> list[int]:
    parts = [p for p in re.split(r"[,;\s]+", text(value)) if p]
    if not all(p.isdigit() and len(p) == 4 for p in parts):
        raise ValueError(f"các mốc mục tiêu “{text(value)}” phải là các năm cách nhau bởi dấu phẩy, ví dụ 2030, 2035.")
    return [int(p) for p in parts]


def _split_names(value) -> list[str]:
    return [name.strip() for name in _NAME_SEPARATOR.split(text(value)) if name.strip()]


def _plain(label: str) -> str:
    """A label compared without case, spacing or a trailing note in brackets ("Tỷ lệ (%)" reads as "tỷ lệ")."""
    return re.sub(r"\s*\([^)]*\)$", "", " ".join(str(label).split())).casefold()


def _choice(value, choices) -> str:
    """A metric's kind, direction…: its code ("ratio") or its label ("Tỷ lệ"; an older "Tỷ lệ (%)" too)."""
    wanted = _plain(text(value))
    for code, label in choices.choices:
        if wanted in (code.casefold(), _plain(label)):
            return code
    allowed = "; ".join(f"“{label}”" for _, label in choices.choices)
    raise ValueError(f"“{text(value)}” không hợp lệ; ghi một trong: {allowed}.")


def _number(value) -> int:
    if not re.fullmatch(r"\d+", text(value)):
        raise ValueError(f"số thứ tự “{text(value)}” phải là số nguyên dương.")
    return int(text(value))


def plan_data_from_tables(tables: dict[str, Table], problems: _Problems) -> dict:
    """Tables → the dict ``plan_load`` takes; every problem found goes to ``problems`` with its row and column."""

    def where(table: Table, row: Row, *keys: str) -> dict[str, str]:
        """Where each field was read, so that ``plan_load``'s one validation names sheet, row and column."""
        return {key: f"Trang “{table.sheet}”, {table.where(row, key)}" for key in keys}

    plan_table = tables[PLAN_SHEET]
    if len(plan_table.rows) != 1:
        problems.file.append(f"Trang “{PLAN_SHEET}” phải có đúng một dòng thông tin kế hoạch (dòng 2).")
    row = plan_table.rows[0]
    meta = {key: text(row.values.get(key)) for key in ("code", "title", "province")}
    for key, value in meta.items():
        if not value:
            problems.at(plan_table, row, key, "không được để trống.")
    try:
        meta["issued_on"] = parse_date(row.values.get("issued_on") or "")
    except ValueError as exc:
        problems.at(plan_table, row, "issued_on", str(exc))
    meta["milestones"] = milestones = _milestones(row.values["milestones"])

    metrics, metric_lines = [], {}
    table = tables[METRICS_SHEET]
    for row in table.rows:
        metric = {
            key: text(row.values.get(key))
            for key in ("code", "name", "unit", "numerator_label", "denominator_label", "definition", "source")
        }
        for key in ("code", "name"):
            if not metric[key]:
                problems.at(table, row, key, "không được để trống.")
        for key, choices in _CHOICES.items():
            if key == "direction" and not text(row.values.get(key)):
                metric[key] = Metric.Direction.INCREASE
                continue
            try:
                metric[key] = _choice(row.values.get(key), choices)
            except ValueError as exc:
                problems.at(table, row, key, str(exc))
        scale = text(row.values.get("ratio_scale"))
        if scale:
            try:
                metric["ratio_scale"] = _number(scale)
                if metric["ratio_scale"] not in (1, 100, 1000, 10000):
                    raise ValueError
            except ValueError:
                problems.at(table, row, "ratio_scale", f"hệ số “{scale}” không hợp lệ: ghi 100, 1000, 10000 hoặc 1.")
        if text(row.values.get("reporting_agency")):
            metric["reporting_agency"] = text(row.values.get("reporting_agency"))
        metric["where"] = where(table, row, "code")
        if metric["code"] in metric_lines:
            problems.at(table, row, "code", f"mã chỉ số trùng với dòng {metric_lines[metric['code']]}.")
        metric_lines.setdefault(metric["code"], row.line)
        metrics.append(metric)

    groups: dict[str, dict] = {}
    cells: dict[tuple[str, int], dict] = {}
    indicator_lines: dict[str, int] = {}
    table = tables[APPENDIX_I]
    for row in table.rows:
        group = _group(groups, table, row, problems, "indicators")
        try:
            number = _number(row.values.get("number"))
        except ValueError as exc:
            problems.at(table, row, "number", str(exc))
            continue
        code = f"{text(row.values.get('group'))}.{number}"
        if code in indicator_lines:
            problems.at(table, row, "number", f"chỉ tiêu {code} trùng với dòng {indicator_lines[code]}.")
            continue
        indicator_lines[code] = row.line
        indicator = {
            "number": number,
            "lead": _split_names(row.values.get("lead")),
            "cells": {},
            "where": where(table, row, "lead", *(f"y{year}" for year in milestones)),
        }
        for year in milestones:
            indicator["cells"][year] = cells[(code, year)] = {"text": text(row.values.get(f"y{year}")), "claims": []}
        if group is not None:
            group["indicators"].append(indicator)

    table = tables[CLAIMS_SHEET]
    for row in table.rows:
        code, metric_code = text(row.values.get("indicator")), text(row.values.get("metric"))
        year = text(row.values.get("year"))
        if code not in indicator_lines:
            problems.at(table, row, "indicator", f"không có chỉ tiêu “{code}” ở trang “{APPENDIX_I}”.")
            continue
        if not year.isdigit() or int(year) not in milestones:
            problems.at(table, row, "year", f"mốc “{year}” không phải một mốc của kế hoạch ({milestones}).")
            continue
        if metric_code not in metric_lines:
            problems.at(table, row, "metric", f"không có chỉ số “{metric_code}” ở trang “{METRICS_SHEET}”.")
            continue
        cell = cells[(code, int(year))]
        fragment = text(row.values.get("fragment"))
        claim = {"metric": metric_code, "where": where(table, row, "metric", "fragment" if fragment else "indicator")}
        cell["claims"].append({**claim, "fragment": fragment} if fragment else claim)

    task_groups: dict[str, dict] = {}
    task_lines: dict[int, int] = {}
    table = tables[APPENDIX_II]
    for row in table.rows:
        group = _group(task_groups, table, row, problems, "tasks")
        try:
            number = _number(row.values.get("number"))
        except ValueError as exc:
            problems.at(table, row, "number", str(exc))
            continue
        if number in task_lines:
            problems.at(table, row, "number", f"nhiệm vụ {number} trùng với dòng {task_lines[number]}.")
            continue
        task_lines[number] = row.line
        task = {
            "number": number,
            "title": text(row.values.get("title")),
            "lead": _split_names(row.values.get("lead")),
            "cooperating": _split_names(row.values.get("cooperating")),
            "result": text(row.values.get("result")),
            "deadline": text(row.values.get("deadline")),
        }
        if not task["title"]:
            problems.at(table, row, "title", "không được để trống.")
        task["where"] = where(table, row, "title", "result", "lead", "cooperating", "deadline")
        if group is not None:
            group["tasks"].append(task)

    return {
        "plan": meta,
        "metrics": metrics,
        "indicator_groups": list(groups.values()),
        "task_groups": list(task_groups.values()),
    }


def _group(groups: dict, table: Table, row: Row, problems: _Problems, items: str) -> dict | None:
    """The row's group (first seen order), whose title must read the same on every row of the group."""
    code, title = text(row.values.get("group")), text(row.values.get("group_title"))
    if not code:
        problems.at(table, row, "group", "hãy ghi mã nhóm (I, II, …).")
        return None
    if code not in groups:
        groups[code] = {"code": code, "title": title, items: []}
    elif groups[code]["title"] != title:
        problems.at(table, row, "group_title", f"tên nhóm {code} khác với các dòng trước của nhóm.")
    return groups[code]


def plan_workbook_read(content: bytes, filename: str) -> dict:
    """The workbook as ``plan_load`` data; ``PlanDataError`` lists every problem with sheet, row and column."""
    try:
        tables = read_tables(content, filename)
    except FileProblem as exc:
        raise PlanDataError(exc.errors) from exc
    problems = _Problems()
    data = plan_data_from_tables(tables, problems)
    # every problem: the sheets' own, and the plan's (unknown agencies, unreadable deadlines and cells)
    errors = problems.all() + plan_problems(data)
    if errors:
        raise PlanDataError(errors)
    return data


# --- the import page's kind ----------------------------------------------------------------------------


#: the import page passes the batch's options: for a plan already loaded, the decision that adjusts it
TAKES_OPTIONS = True
_LINE = re.compile(r"dòng (\d+)")


def prepare(
    tables: dict[str, Table], *, only_agency=None, approve: bool = False, progress=None, options: dict | None = None
) -> Preview:
    """Validate the workbook. A plan not loaded yet: dry-run the load (rolled back) to count what would be new.
    A plan already loaded: its changes from the plan in force on the decision's effective date, one row each
    (old → new), written on confirmation as a draft adjustment (``adjustments``) — never over the plan."""
    preview = Preview(kind=KIND)
    problems = _Problems()
    data = plan_data_from_tables(tables, problems)
    if problems:
        preview.file_errors = problems.file + plan_problems(data)
        for (sheet, line), messages in problems.rows.items():
            preview.rows.append(RowResult(line=line, outcome=ERROR, label=sheet, messages=messages))
        return preview
    plan = Plan.objects.filter(code=data["plan"]["code"]).first()
    if plan is not None:
        preview.file_errors = plan_problems(data)
        if preview.file_errors:
            return preview
        return _adjustment_preview(preview, plan, data, options or {})
    try:
        with transaction.atomic():
            counts = plan_load(data=data)
            transaction.set_rollback(True)
    except PlanDataError as exc:
        preview.file_errors = exc.errors
        return preview
    preview.counted = {NEW: counts.created, UPDATED: counts.updated, UNCHANGED: counts.unchanged, ERROR: 0}
    preview.work = data
    return preview


def adjustment_options(options: dict) -> dict:
    """The decision of an adjustment read from a batch's options (dates as ISO text); ValueError if incomplete."""
    missing = [label for key, label in _DECISION_FIELDS.items() if not options.get(key)]
    if missing:
        raise ValueError(", ".join(missing))
    return {
        "decision_number": str(options["decision_number"]),
        "signed_on": date.fromisoformat(str(options["signed_on"])),
        "effective_on": date.fromisoformat(str(options["effective_on"])),
        "issuer": str(options.get("issuer") or ""),
        "summary": str(options.get("summary") or ""),
    }


_DECISION_FIELDS = {
    "decision_number": "số, ký hiệu quyết định",
    "signed_on": "ngày ký",
    "effective_on": "ngày có hiệu lực",
}


def _adjustment_preview(preview: Preview, plan: Plan, data: dict, options: dict) -> Preview:
    try:
        decision = adjustment_options(options)
    except ValueError as exc:
        preview.file_errors = [
            f"Kế hoạch {plan.code} đã được nạp: tệp này không ghi đè kế hoạch mà thành một điều chỉnh theo quyết "
            f"định, có hiệu lực từ một ngày. Hãy ghi {exc} ở mẫu tải lên rồi tải tệp lên lại."
        ]
        return preview
    try:
        changes = changes_from_plan_data(plan=plan, data=data, effective_on=decision["effective_on"])
    except AdjustmentRefused as exc:
        preview.file_errors = exc.messages
        return preview
    units = {m.code: m.unit for m in plan.metrics.all()}
    for change in changes:
        text = change_text(change, units)
        found = _LINE.search(change.source)
        preview.rows.append(
            RowResult(
                line=int(found.group(1)) if found else 0,
                outcome=NEW if change.old is None else UPDATED,
                label=f"{change.source.split(', dòng')[0] or text.what} — {text.what}",
                read=[("Trước", text.before), ("Sau", text.after)],
            )
        )
    preview.counted = {
        NEW: sum(1 for c in changes if c.old is None),
        UPDATED: sum(1 for c in changes if c.old is not None),
        UNCHANGED: 0,
        ERROR: 0,
    }
    preview.work = {"adjustment": {**options}, "data": data}
    return preview


def write(work: dict, *, batch, when) -> dict:
    if "adjustment" in work:
        decision = adjustment_options(work["adjustment"])
        plan = Plan.objects.get(code=work["data"]["plan"]["code"])
        changes = changes_from_plan_data(plan=plan, data=work["data"], effective_on=decision["effective_on"])
        adjustment = adjustment_create(plan=plan, user=batch.created_by, changes=changes, **decision)
        if batch.approve:
            adjustment_approve(adjustment=adjustment, user=batch.created_by)
        return {"adjustment": adjustment.pk, "approved": batch.approve}
    counts = plan_load(data=work)
    return {"counts": {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}}


def after_commit(batch) -> None:
    """Nothing to do: progress snapshots are recomputed on their own schedule."""
