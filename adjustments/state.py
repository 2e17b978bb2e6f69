"""The plan as plain data on one day, and the changes from one such state to another.

Pure functions, no database: ``adjustments.selectors.plan_state`` reads the plan in force on a date into a
``PlanState``; ``data_state`` reads plan data in ``plan_load``'s shape (the YAML fixture, or a workbook as
``export_plan --xlsx`` writes it, read by imports/plan.py) into one; ``plan_diff`` lists what differs, one
change per cell, task field or added/retired row, or says why a difference cannot be an adjustment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.parsing import parse_claim

# The subjects and fields of a change (PlanChange.subject, PlanChange.field).
TARGET, PARSED_TARGET, INDICATOR, TASK, ASSIGNMENT, METRIC = (
    "target",
    "parsed_target",
    "indicator",
    "task",
    "assignment",
    "metric",
)
ADDED, RETIRED = "added", "retired"
TEXT, TARGETS = "text", "targets"
TASK_FIELDS = ("title", "result", "deadline")
ASSIGNMENT_FIELDS = ("lead", "cooperating")
METRIC_FIELDS = (
    "name",
    "unit",
    "kind",
    "direction",
    "frequency",
    "collection",
    "numerator_label",
    "denominator_label",
    "ratio_scale",
    "reporting_agency",
)
PLAN_SHEET, APPENDIX_I, METRICS_SHEET, APPENDIX_II = "Kế hoạch", "Phụ lục I", "Chỉ số đo lường", "Phụ lục II"


@dataclass(frozen=True)
class ChangeSpec:
    """One change, before it is a PlanChange row: what, which one, which field, old → new, where it was read."""

    subject: str
    code: str
    field: str
    old: object = None
    new: object = None
    year: int | None = None
    source: str = ""

    @property
    def key(self) -> tuple:
        return (self.subject, self.code, self.year, self.field)


@dataclass
class PlanState:
    """A plan's content on one day, as plain comparable data.

    ``indicators``: code → {"group", "number", "lead": [names], "cells": {year: {"text", "targets": [claim]}}};
    ``tasks``: number → {"group", "title", "result", "lead", "cooperating", "deadline"}; ``metrics``: code → fields;
    a claim is {"metric", "fragment" ("" for the whole cell), "operator", "value", "value_max"} with numbers as
    plain decimal strings. ``where`` says where a workbook had each row or cell (for the messages)."""

    meta: dict
    indicator_groups: dict[str, str]
    task_groups: dict[str, str]
    metrics: dict[str, dict]
    indicators: dict[str, dict]
    tasks: dict[int, dict]
    where: dict[tuple, str] = field(default_factory=dict)


def number_text(value) -> str | None:
    """A number as a plain decimal string ("0.8", "1200"), the same for 0.80, Decimal("0.800000") and 0.8."""
    if value is None:
        return None
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def claim_of(*, metric: str, text: str, fragment: str, operator: str, value, value_max) -> dict:
    return {
        "metric": metric,
        "fragment": "" if fragment in ("", text) else fragment,
        "operator": operator,
        "value": number_text(value),
        "value_max": number_text(value_max),
    }


def claims_read(text: str, claims: list[dict]) -> list[dict]:
    """The measurable targets of a cell from its text and the metric (and fragment) of each claim; ValueError
    when a fragment is not in the cell or states no number."""
    found = []
    for claim in claims:
        parsed = parse_claim(text, claim.get("fragment") or "")
        found.append(
            claim_of(
                metric=claim["metric"],
                text=text,
                fragment=claim.get("fragment") or "",
                operator=parsed.operator,
                value=parsed.value,
                value_max=parsed.value_max,
            )
        )
    return found


def _metric_row(row: dict, agency_key: Callable[[str], str]) -> dict:
    return {
        "name": row["name"],
        "unit": row.get("unit", "") or "",
        "kind": row["kind"],
        "direction": row.get("direction") or "increase",
        "frequency": row["frequency"],
        "collection": row["collection"],
        "numerator_label": row.get("numerator_label", "") or "",
        "denominator_label": row.get("denominator_label", "") or "",
        "ratio_scale": int(row.get("ratio_scale") or 100),
        "reporting_agency": agency_key(row["reporting_agency"]) if row.get("reporting_agency") else "",
    }


def data_state(data: dict, *, agency_key: Callable[[str], str] = str) -> PlanState:
    """Plan data in ``plan_load``'s shape as a state (the data is valid: ``plan_problems`` found nothing).

    ``agency_key`` turns a metric's reporting agency as written into the key ``plan_state`` uses (its code)."""
    meta = data["plan"]
    state = PlanState(
        meta={
            "code": str(meta["code"]),
            "title": str(meta["title"]),
            "province": str(meta["province"]),
            "issued_on": str(meta["issued_on"])[:10],
            "milestones": [int(y) for y in meta["milestones"]],
        },
        indicator_groups={g["code"]: g["title"] for g in data["indicator_groups"]},
        task_groups={g["code"]: g["title"] for g in data["task_groups"]},
        metrics={row["code"]: _metric_row(row, agency_key) for row in data["metrics"]},
        indicators={},
        tasks={},
    )
    for row in data["metrics"]:
        if (row.get("where") or {}).get("code"):
            state.where[(METRIC, row["code"])] = row["where"]["code"]
    for group in data["indicator_groups"]:
        for row in group["indicators"]:
            code = f"{group['code']}.{row['number']}"
            where = row.get("where") or {}
            state.indicators[code] = {
                "group": group["code"],
                "number": int(row["number"]),
                "lead": list(row.get("lead") or []),
                "cells": {},
            }
            if where.get("lead"):
                state.where[(INDICATOR, code)] = where["lead"]
            for year, cell in row["cells"].items():
                text = cell.get("text", "") or ""
                state.indicators[code]["cells"][int(year)] = {
                    "text": text,
                    "targets": claims_read(text, cell.get("claims") or []),
                }
                if where.get(f"y{year}"):
                    state.where[(TARGET, code, int(year))] = where[f"y{year}"]
    for group in data["task_groups"]:
        for row in group["tasks"]:
            number = int(row["number"])
            state.tasks[number] = {
                "group": group["code"],
                "title": row["title"],
                "result": row.get("result", "") or "",
                "lead": list(row.get("lead") or []),
                "cooperating": list(row.get("cooperating") or []),
                "deadline": row["deadline"],
            }
            for key, where in (row.get("where") or {}).items():
                state.where[(TASK, number, key)] = where
    return state


# --- the difference ---------------------------------------------------------------------------------------------

_PLAN_LABELS = {
    "title": "tên kế hoạch",
    "province": "tỉnh",
    "issued_on": "ngày ban hành",
    "milestones": "các mốc mục tiêu",
}
_METRIC_LABELS = {
    "name": "tên chỉ số",
    "unit": "đơn vị tính",
    "kind": "loại",
    "direction": "chiều tốt",
    "frequency": "tần suất báo cáo",
    "collection": "cách thu thập",
    "numerator_label": "tử số",
    "denominator_label": "mẫu số",
    "ratio_scale": "hệ số tỷ lệ",
    "reporting_agency": "cơ quan cung cấp số liệu toàn tỉnh",
}


def _quoted(value) -> str:
    return f"“{value}”"


def plan_diff(old: PlanState, new: PlanState) -> tuple[list[ChangeSpec], list[str]]:
    """What ``new`` changes in ``old``: the changes, in the order of the workbook's sheets and rows, and the
    differences an adjustment cannot make (the plan's own data, group titles, a metric's definition, an
    indicator's evaluating agency), each a message in Vietnamese."""
    changes: list[ChangeSpec] = []
    refusals: list[str] = []
    for key, label in _PLAN_LABELS.items():
        if old.meta[key] != new.meta[key]:
            refusals.append(
                f"Trang “{PLAN_SHEET}”: {label} {_quoted(old.meta[key])} → {_quoted(new.meta[key])}: thông tin của "
                "kế hoạch đã ban hành không thay đổi bằng điều chỉnh."
            )
    for sheet, old_groups, new_groups in (
        (APPENDIX_I, old.indicator_groups, new.indicator_groups),
        (APPENDIX_II, old.task_groups, new.task_groups),
    ):
        for code, title in new_groups.items():
            if code in old_groups and old_groups[code] != title:
                refusals.append(
                    f"Trang “{sheet}”, nhóm {code}: tên nhóm {_quoted(old_groups[code])} → {_quoted(title)} không "
                    "thay đổi bằng điều chỉnh."
                )
    refusals += _metrics_diff(old, new, changes)
    refusals += _indicators_diff(old, new, changes)
    refusals += _tasks_diff(old, new, changes)
    return changes, refusals


def _metrics_diff(old: PlanState, new: PlanState, changes: list[ChangeSpec]) -> list[str]:
    refusals = []
    for code, row in new.metrics.items():
        before = old.metrics.get(code)
        if before is None:
            changes.append(
                ChangeSpec(METRIC, code, ADDED, None, {"code": code, **row}, source=new.where.get((METRIC, code), ""))
            )
            continue
        for key, label in _METRIC_LABELS.items():
            if key == "reporting_agency" and not row.get(key):
                continue  # not written: the loader designates it (the lead of its indicators)
            if before.get(key) != row.get(key):
                refusals.append(
                    f"Trang “{METRICS_SHEET}”, chỉ số {code}: {label} {_quoted(before.get(key))} → "
                    f"{_quoted(row.get(key))}: "
                    "cách đo một chỉ số không thay đổi bằng điều chỉnh (số liệu đã nhập sẽ đổi nghĩa); hãy bổ sung "
                    "một chỉ số mới."
                )
    return refusals


def _indicators_diff(old: PlanState, new: PlanState, changes: list[ChangeSpec]) -> list[str]:
    refusals = []
    for code, row in new.indicators.items():
        before = old.indicators.get(code)
        where = new.where.get((INDICATOR, code), "")
        label = where or f"Chỉ tiêu {code}"
        if before is None:
            if row["group"] not in old.indicator_groups:
                refusals.append(f"{label}: nhóm {row['group']} không có trong kế hoạch.")
                continue
            payload = {"group": row["group"], "number": row["number"], "lead": row["lead"]}
            changes.append(ChangeSpec(INDICATOR, code, ADDED, None, payload, source=where))
        elif before["lead"] != row["lead"]:
            refusals.append(
                f"{label}: cơ quan chủ trì đánh giá {_quoted('; '.join(before['lead']))} → "
                f"{_quoted('; '.join(row['lead']))} không thay đổi bằng điều chỉnh."
            )
        for year, cell in row["cells"].items():
            previous = before["cells"].get(year) if before else None
            source = new.where.get((TARGET, code, year), where)
            old_text = previous["text"] if previous else None
            old_targets = previous["targets"] if previous else None
            if old_text != cell["text"]:
                changes.append(ChangeSpec(TARGET, code, TEXT, old_text, cell["text"], year=year, source=source))
            if old_targets != cell["targets"] and (previous or cell["targets"]):
                changes.append(
                    ChangeSpec(PARSED_TARGET, code, TARGETS, old_targets, cell["targets"], year=year, source=source)
                )
    for code, row in old.indicators.items():
        if code not in new.indicators:
            changes.append(
                ChangeSpec(
                    INDICATOR,
                    code,
                    RETIRED,
                    row,
                    None,
                    source=f"Trang “{APPENDIX_I}”: không còn dòng chỉ tiêu {code}",
                )
            )
    return refusals


def _tasks_diff(old: PlanState, new: PlanState, changes: list[ChangeSpec]) -> list[str]:
    refusals = []
    for number, row in sorted(new.tasks.items()):
        before = old.tasks.get(number)
        code = str(number)

        def where(key: str, number=number) -> str:
            return new.where.get((TASK, number, key), "")

        label = where("lead") or f"Nhiệm vụ {number}"
        if before is None:
            if row["group"] not in old.task_groups:
                refusals.append(f"{label}: nhóm {row['group']} không có trong kế hoạch.")
                continue
            changes.append(ChangeSpec(TASK, code, ADDED, None, row, source=where("lead")))
            continue
        if before["group"] != row["group"]:
            refusals.append(
                f"{label}: nhiệm vụ {number} chuyển từ nhóm {before['group']} sang nhóm {row['group']}: "
                "không thay đổi bằng điều chỉnh."
            )
            continue
        for key in TASK_FIELDS:
            if before[key] != row[key]:
                changes.append(ChangeSpec(TASK, code, key, before[key], row[key], source=where(key)))
        for key in ASSIGNMENT_FIELDS:
            if before[key] != row[key]:
                changes.append(ChangeSpec(ASSIGNMENT, code, key, before[key], row[key], source=where(key)))
    for number, row in sorted(old.tasks.items()):
        if number not in new.tasks:
            source = f"Trang “{APPENDIX_II}”: không còn dòng nhiệm vụ {number}"
            changes.append(ChangeSpec(TASK, str(number), RETIRED, row, None, source=source))
    return refusals


# --- applying changes to a state -------------------------------------------------------------------------------


def state_value(state: PlanState, change: ChangeSpec):
    """What ``state`` holds where ``change`` applies (compared with ``change.old`` to tell a stale draft)."""
    if change.subject == METRIC:
        row = state.metrics.get(change.code)
        return (
            ({"code": change.code, **row} if row else None) if change.field == ADDED else (row or {}).get(change.field)
        )
    if change.subject == INDICATOR:
        row = state.indicators.get(change.code)
        if change.field == ADDED:
            return None if row is None else {"group": row["group"], "number": row["number"], "lead": row["lead"]}
        return row
    if change.subject in (TARGET, PARSED_TARGET):
        cell = (state.indicators.get(change.code) or {}).get("cells", {}).get(change.year)
        if cell is None:
            return None
        return cell["text"] if change.subject == TARGET else cell["targets"]
    row = state.tasks.get(int(change.code))
    if change.field in (ADDED, RETIRED):
        return row
    return None if row is None else row[change.field]


def inverse(change: ChangeSpec, current) -> list[ChangeSpec]:
    """The changes that restore what ``change`` replaced, from a state where ``current`` is in force: how a
    revoking adjustment is built."""
    if change.field == ADDED and change.subject in (INDICATOR, TASK, METRIC):
        if change.subject == METRIC:
            return []  # a metric stays defined; the targets that measured it are retired with their cells
        return [ChangeSpec(change.subject, change.code, RETIRED, current, None)]
    if change.field == RETIRED and change.subject == INDICATOR:
        row = change.old
        restored = [ChangeSpec(INDICATOR, change.code, ADDED, None, {k: row[k] for k in ("group", "number", "lead")})]
        for year, cell in row["cells"].items():
            restored.append(ChangeSpec(TARGET, change.code, TEXT, None, cell["text"], year=int(year)))
            if cell["targets"]:
                restored.append(ChangeSpec(PARSED_TARGET, change.code, TARGETS, None, cell["targets"], year=int(year)))
        return restored
    if change.field == RETIRED and change.subject == TASK:
        return [ChangeSpec(TASK, change.code, ADDED, None, change.old)]
    return [ChangeSpec(change.subject, change.code, change.field, current, change.old, year=change.year)]
