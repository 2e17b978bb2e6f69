"""The plan as plain data. Loading it (indicators, targets, metrics, tasks) from the YAML fixture or a workbook
read by imports/plan.py: one transaction, all or nothing, validated before anything is written. Exporting it
(the schema is in docs/export-schema.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from agencies.models import Agency
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts, upsert
from indicators.models import EMPTY_CELL_TEXTS, Indicator, IndicatorGroup, Metric, ParsedTarget, Plan, Target
from indicators.parsing import parse_target
from indicators.selectors import plan_groups_with_indicators
from tasks.models import Task
from tasks.services import tasks_load, validate_task_rows


class PlanDataError(ValueError):
    """The plan data is not valid; ``errors`` lists every problem found, in Vietnamese."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class _Claim:
    metric: str
    fragment: str
    operator: str
    value: object
    value_max: object


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _where(row: dict, field: str, label: str) -> str:
    """How a message names a field: where it was read in a workbook (imports/plan.py sets "where"), else a label."""
    return (row.get("where") or {}).get(field) or label


def plan_problems(data: dict) -> list[str]:
    """Every problem ``plan_load`` would refuse ``data`` for (none: []); for a reader that found others already."""
    try:
        _validate(data, AgencyDirectory())
    except PlanDataError as exc:
        return exc.errors
    except (KeyError, TypeError, ValueError):  # a shape the reader has already reported
        return []
    return []


def _validate(data: dict, directory: AgencyDirectory) -> dict[tuple[str, int, int], list[_Claim]]:
    """Check the whole plan before anything is written; return the parsed claims of every cell."""
    errors: list[str] = []
    for key in ("plan", "metrics", "indicator_groups", "task_groups"):
        if key not in data:
            errors.append(f"Thiếu phần “{key}” trong dữ liệu kế hoạch.")
    if errors:
        raise PlanDataError(errors)
    milestones = [int(y) for y in data["plan"].get("milestones", [])]
    metric_codes = [m["code"] for m in data["metrics"]]
    duplicates = {c for c in metric_codes if metric_codes.count(c) > 1}
    if duplicates:
        errors.append(f"Mã chỉ số bị trùng: {', '.join(sorted(duplicates))}.")
    for metric in data["metrics"]:
        for field_name, choices in (
            ("kind", Metric.Kind.values),
            ("direction", Metric.Direction.values),
            ("frequency", Metric.Frequency.values),
            ("collection", Metric.Collection.values),
        ):
            if metric.get(field_name, "increase" if field_name == "direction" else None) not in choices:
                errors.append(
                    f"Chỉ số {metric['code']}: giá trị “{metric.get(field_name)}” của {field_name} không hợp lệ."
                )
    claims: dict[tuple[str, int, int], list[_Claim]] = {}
    for group in data["indicator_groups"]:
        for row in group["indicators"]:
            code = f"{group['code']}.{row['number']}"
            label = _where(row, "lead", f"Chỉ tiêu {code}")
            for name in row.get("lead") or []:
                try:
                    directory.resolve(name)
                except UnknownAgencyName as exc:
                    errors.append(f"{label}: {exc}")
            cells = row.get("cells") or {}
            if sorted(int(y) for y in cells) != sorted(milestones):
                errors.append(f"Chỉ tiêu {code}: cần đủ các mốc {milestones}, có {sorted(int(y) for y in cells)}.")
            for year, cell in cells.items():
                parsed = []
                text = cell.get("text", "") or ""
                for claim in cell.get("claims") or []:
                    fragment = claim.get("fragment") or text
                    where = _where(claim, "fragment", f"Chỉ tiêu {code}, mốc {year}")
                    where = where if claim.get("fragment") else _where(claim, "indicator", where)
                    if fragment not in text:
                        errors.append(f"{where}: đoạn “{fragment}” không có trong nội dung ô.")
                        continue
                    if claim["metric"] not in metric_codes:
                        metric_where = _where(claim, "metric", f"Chỉ tiêu {code}, mốc {year}")
                        errors.append(f"{metric_where}: không có chỉ số “{claim['metric']}”.")
                        continue
                    try:
                        result = parse_target(fragment)
                    except ValueError as exc:
                        errors.append(f"{where}: {exc}")
                        continue
                    parsed.append(_Claim(claim["metric"], fragment, result.operator, result.value, result.value_max))
                claims[(group["code"], int(row["number"]), int(year))] = parsed
    errors += validate_task_rows(data["task_groups"], directory)
    if errors:
        raise PlanDataError(errors)
    return claims


@transaction.atomic
def plan_load(*, data: dict) -> LoadCounts:
    """Load a whole plan (indicators, targets, metrics, tasks) from the shape of fixtures/plan_65_kh_tu.yaml.

    Everything is validated first and written in one transaction; loading the same data again changes nothing.
    """
    directory = AgencyDirectory()
    claims = _validate(data, directory)
    counts = LoadCounts()
    meta = data["plan"]
    plan = upsert(
        Plan,
        {"code": meta["code"]},
        {
            "title": meta["title"],
            "province": meta["province"],
            "issued_on": _as_date(meta["issued_on"]),
            "milestones": [int(y) for y in meta["milestones"]],
        },
        counts,
    )
    metrics = {}
    for row in data["metrics"]:
        metrics[row["code"]] = upsert(
            Metric,
            {"plan": plan, "code": row["code"]},
            {
                "name": row["name"],
                "unit": row.get("unit", "") or "",
                "kind": row["kind"],
                "direction": row.get("direction", "increase"),
                "frequency": row["frequency"],
                "collection": row["collection"],
                "numerator_label": row.get("numerator_label", "") or "",
                "denominator_label": row.get("denominator_label", "") or "",
                "ratio_scale": int(row.get("ratio_scale") or 100),
                "definition": row.get("definition", "") or "",
                "data_source": row.get("source", "") or "",
            },
            counts,
        )
    metric_leads: dict[str, set[int]] = {code: set() for code in metrics}
    designated: dict[str, Agency | None] = {
        row["code"]: _single_agency(directory, [row["reporting_agency"]]) if row.get("reporting_agency") else None
        for row in data["metrics"]
    }
    for order, group_row in enumerate(data["indicator_groups"], start=1):
        group = upsert(
            IndicatorGroup,
            {"plan": plan, "code": group_row["code"]},
            {"title": group_row["title"], "order": order},
            counts,
        )
        for row in group_row["indicators"]:
            code = f"{group.code}.{row['number']}"
            lead_names = list(row.get("lead") or [])
            indicator = upsert(
                Indicator,
                {"plan": plan, "code": code},
                {"group": group, "number": int(row["number"]), "lead_names": lead_names},
                counts,
            )
            leads = directory.resolve_all(lead_names)
            if {a.pk for a in leads} != set(indicator.lead_agencies.values_list("pk", flat=True)):
                indicator.lead_agencies.set(leads)
            for year, cell in row["cells"].items():
                text = cell.get("text", "") or ""
                cell_claims = claims[(group.code, int(row["number"]), int(year))]
                qualitative = text.strip() not in EMPTY_CELL_TEXTS and not cell_claims
                target = upsert(
                    Target,
                    {"indicator": indicator, "year": int(year)},
                    {"text": text, "qualitative": qualitative},
                    counts,
                )
                kept = []
                for position, claim in enumerate(cell_claims, start=1):
                    parsed = upsert(
                        ParsedTarget,
                        {"target": target, "metric": metrics[claim.metric]},
                        {
                            "position": position,
                            "fragment": claim.fragment,
                            "operator": claim.operator,
                            "value": claim.value,
                            "value_max": claim.value_max,
                        },
                        counts,
                    )
                    kept.append(parsed.pk)
                    metric_leads[claim.metric].update(a.pk for a in leads)
                    if designated.get(claim.metric) is None:
                        designated[claim.metric] = _single_agency(directory, lead_names)
                target.parsed_targets.exclude(pk__in=kept).delete()
    _set_reporting_agencies(metrics, designated)
    _set_reporters(metrics, metric_leads)
    counts.add(tasks_load(plan=plan, groups=data["task_groups"], directory=directory))
    return counts


def _single_agency(directory: AgencyDirectory, names: list[str]) -> Agency | None:
    """The first name that means exactly one agency ("Sở Công Thương", not "các cơ quan liên quan")."""
    for name in names:
        try:
            found = directory.resolve(name)
        except UnknownAgencyName:
            continue
        if len(found) == 1:
            return found[0]
    return None


def _set_reporting_agencies(metrics: dict[str, Metric], designated: dict[str, Agency | None]) -> None:
    """A metric collected once for the province has one source: the plan's ``reporting_agency``, else the first
    single agency leading its indicators."""
    for code, metric in metrics.items():
        agency = designated.get(code) if metric.collection == Metric.Collection.PROVINCE else None
        if metric.reporting_agency_id != (agency.pk if agency else None):
            metric.reporting_agency = agency
            metric.save(update_fields=["reporting_agency"])


def _set_reporters(metrics: dict[str, Metric], metric_leads: dict[str, set[int]]) -> None:
    """Who reports each metric: every department and locality, or for a metric collected once for the province
    its designated agency (else the lead agencies of its indicators)."""
    everyone = set(
        Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY], is_active=True).values_list(
            "pk", flat=True
        )
    )
    for code, metric in metrics.items():
        if metric.collection == Metric.Collection.PER_AGENCY:
            wanted = everyone
        elif metric.reporting_agency_id:
            wanted = {metric.reporting_agency_id}
        else:
            wanted = metric_leads[code]
        if wanted != set(metric.reporters.values_list("pk", flat=True)):
            metric.reporters.set(wanted)


def _decimal(value):
    if value is None:
        return None
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


def plan_export(plan: Plan) -> dict:
    """The loaded plan as plain data (the schema is documented in docs/export-schema.md)."""
    indicators = []
    for group in plan_groups_with_indicators(plan):
        for indicator in group.indicators.all():
            indicators.append(
                {
                    "code": indicator.code,
                    "group": group.code,
                    "group_title": group.title,
                    "number": indicator.number,
                    "lead_agencies": indicator.lead_names,
                    "cells": [
                        {
                            "year": target.year,
                            "text": target.text,
                            "qualitative": target.qualitative,
                            "targets": [
                                {
                                    "metric": parsed.metric.code,
                                    "operator": parsed.operator,
                                    "value": _decimal(parsed.value),
                                    "value_max": _decimal(parsed.value_max),
                                    "unit": parsed.metric.unit,
                                }
                                for parsed in target.parsed_targets.all()
                            ],
                        }
                        for target in indicator.targets.all()
                    ],
                }
            )
    tasks = [
        {
            "number": task.number,
            "group": task.group.code,
            "title": task.title,
            "result": task.result,
            "lead_agencies": task.lead_names,
            "cooperating_agencies": task.cooperating_names,
            "deadline_text": task.deadline_text,
            "schedule": {
                "kind": task.schedule_kind,
                "due": task.due_on.isoformat() if task.due_on else None,
                "rule": task.rule or None,
                "starts": task.starts_on.isoformat() if task.starts_on else None,
                "ends": task.ends_on.isoformat() if task.ends_on else None,
            },
        }
        for task in Task.objects.filter(plan=plan).select_related("group").order_by("number")
    ]
    metrics = [
        {
            "code": m.code,
            "name": m.name,
            "unit": m.unit,
            "kind": m.kind,
            "direction": m.direction,
            "frequency": m.frequency,
            "collection": m.collection,
            "ratio_scale": m.ratio_scale,
            "reporting_agency": m.reporting_agency.name if m.reporting_agency_id else None,
            "definition": m.definition,
            "source": m.data_source,
        }
        for m in plan.metrics.select_related("reporting_agency").order_by("code")
    ]
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "province": plan.province,
            "issued_on": plan.issued_on.isoformat(),
            "milestones": plan.milestones,
        },
        "metrics": metrics,
        "indicators": indicators,
        "tasks": tasks,
    }
