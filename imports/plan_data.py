"""The plan as plain data. Loading it (indicators, targets, metrics, tasks) from the YAML fixture or a workbook
read by imports/plan.py: one transaction, all or nothing, validated before anything is written. Exporting it
(the schema is in docs/export-schema.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from adjustments.describe import change_line
from adjustments.selectors import metrics_in_force, tasks_in_force
from adjustments.services import AdjustmentRefused, plan_changes
from agencies.models import Agency
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts
from indicators.models import EMPTY_CELL_TEXTS, Indicator, IndicatorGroup, Metric, ParsedTarget, Plan, Target
from indicators.parsing import parse_claim
from indicators.selectors import plan_day, plan_groups_with_indicators
from indicators.services import metric_reporters_wanted
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
                    if fragment in text and claim["metric"] not in metric_codes:
                        metric_where = _where(claim, "metric", f"Chỉ tiêu {code}, mốc {year}")
                        errors.append(f"{metric_where}: không có chỉ số “{claim['metric']}”.")
                        continue
                    try:
                        result = parse_claim(text, fragment)
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

    Everything is validated first and written in one transaction. A plan already loaded is never overwritten:
    the same data again (the plan as issued, or as in force today) changes nothing; different data is refused
    with the changes it holds, to be made by an adjustment from a date (``adjust_plan``, docs/adjustments.md).
    """
    directory = AgencyDirectory()
    claims = _validate(data, directory)
    meta = data["plan"]
    existing = Plan.objects.filter(code=meta["code"]).first()
    if existing is not None:
        return _plan_unchanged(existing, data)
    counts = LoadCounts()
    plan = Plan.objects.create(
        code=meta["code"],
        title=meta["title"],
        province=meta["province"],
        issued_on=_as_date(meta["issued_on"]),
        milestones=[int(y) for y in meta["milestones"]],
    )
    counts.created += 1
    metrics = {}
    for row in data["metrics"]:
        metrics[row["code"]] = Metric.objects.create(
            plan=plan,
            code=row["code"],
            name=row["name"],
            unit=row.get("unit", "") or "",
            kind=row["kind"],
            direction=row.get("direction", "increase"),
            frequency=row["frequency"],
            collection=row["collection"],
            numerator_label=row.get("numerator_label", "") or "",
            denominator_label=row.get("denominator_label", "") or "",
            ratio_scale=int(row.get("ratio_scale") or 100),
            definition=row.get("definition", "") or "",
            data_source=row.get("source", "") or "",
        )
        counts.created += 1
    metric_leads: dict[str, set[int]] = {code: set() for code in metrics}
    designated: dict[str, Agency | None] = {
        row["code"]: _single_agency(directory, [row["reporting_agency"]]) if row.get("reporting_agency") else None
        for row in data["metrics"]
    }
    parsed_rows = []
    for order, group_row in enumerate(data["indicator_groups"], start=1):
        group = IndicatorGroup.objects.create(plan=plan, code=group_row["code"], title=group_row["title"], order=order)
        counts.created += 1
        for row in group_row["indicators"]:
            lead_names = list(row.get("lead") or [])
            indicator = Indicator.objects.create(
                plan=plan,
                group=group,
                number=int(row["number"]),
                code=f"{group.code}.{row['number']}",
                lead_names=lead_names,
            )
            counts.created += 1
            leads = directory.resolve_all(lead_names)
            indicator.lead_agencies.set(leads)
            for year, cell in row["cells"].items():
                text = cell.get("text", "") or ""
                cell_claims = claims[(group.code, int(row["number"]), int(year))]
                target = Target.objects.create(
                    indicator=indicator,
                    year=int(year),
                    valid_from=plan.issued_on,
                    text=text,
                    qualitative=text.strip() not in EMPTY_CELL_TEXTS and not cell_claims,
                )
                counts.created += 1
                for position, claim in enumerate(cell_claims, start=1):
                    parsed_rows.append(
                        ParsedTarget(
                            target=target,
                            metric=metrics[claim.metric],
                            position=position,
                            fragment=claim.fragment,
                            operator=claim.operator,
                            value=claim.value,
                            value_max=claim.value_max,
                        )
                    )
                    metric_leads[claim.metric].update(a.pk for a in leads)
                    if designated.get(claim.metric) is None:
                        designated[claim.metric] = _single_agency(directory, lead_names)
    ParsedTarget.objects.bulk_create(parsed_rows)
    counts.created += len(parsed_rows)
    for code, metric in metrics.items():
        agency = designated.get(code) if metric.collection == Metric.Collection.PROVINCE else None
        if agency is not None:
            metric.reporting_agency = agency
            metric.save(update_fields=["reporting_agency"])
        metric.reporters.set(metric_reporters_wanted(metric, leads=metric_leads[code]))
    counts.add(tasks_load(plan=plan, groups=data["task_groups"], directory=directory))
    return counts


def _plan_unchanged(plan: Plan, data: dict) -> LoadCounts:
    """Loading a plan already loaded: nothing to write when the data is the plan as issued or as in force today;
    otherwise ``PlanDataError`` names the differences and points to ``adjust_plan``."""
    today = max(timezone.localdate(), plan.issued_on)
    first = None
    for day in dict.fromkeys([plan.issued_on, today]):
        try:
            changes, refusal = plan_changes(plan=plan, data=data, on=day), []
        except AdjustmentRefused as exc:
            changes, refusal = [], exc.messages
        if not changes and not refusal:
            _reporters_follow_agencies(plan)
            _metric_metadata_filled(plan, data)
            rows = sum(len(g["indicators"]) for g in data["indicator_groups"])
            rows += sum(len(g["tasks"]) for g in data["task_groups"])
            return LoadCounts(unchanged=rows + len(data["metrics"]) + 1)
        first = first or (changes, refusal)
    changes, refusal = first
    lines = [change_line(change) for change in changes][:20] + refusal
    raise PlanDataError(
        [
            f"Kế hoạch {plan.code} đã được nạp và không bị ghi đè: dữ liệu này khác kế hoạch đang có hiệu lực. "
            "Mỗi thay đổi phải theo một quyết định điều chỉnh, có hiệu lực từ một ngày: python manage.py "
            "adjust_plan TỆP.xlsx --decision “số/ký hiệu” --signed-on YYYY-MM-DD --effective YYYY-MM-DD "
            "(docs/adjustments.md). Khác biệt:",
            *lines,
        ]
    )


def _metric_metadata_filled(plan: Plan, data: dict) -> None:
    """What a metric measures and where its figures come from, given by the plan data where the metric has none
    yet (a plan loaded before metrics carried them): descriptive, not a change of the plan; a text already there
    (edited in the admin) is kept."""
    given = {row["code"]: row for row in data["metrics"]}
    for metric in plan.metrics.all():
        row = given.get(metric.code, {})
        filled = {
            field: row.get(key) or ""
            for field, key in (("definition", "definition"), ("data_source", "source"))
            if not getattr(metric, field) and row.get(key)
        }
        if filled:
            Metric.objects.filter(pk=metric.pk).update(**filled)


def _reporters_follow_agencies(plan: Plan) -> None:
    """A metric every department and locality reports is reported by the ones active now (a commune added to the
    list since the plan was loaded reports it too): derived from the agencies, not a change of the plan."""
    for metric in plan.metrics.filter(collection=Metric.Collection.PER_AGENCY):
        wanted = metric_reporters_wanted(metric, leads=set())
        if wanted != set(metric.reporters.values_list("pk", flat=True)):
            metric.reporters.set(wanted)


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


def _decimal(value):
    if value is None:
        return None
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def plan_export(plan: Plan, *, as_of: date | None = None) -> dict:
    """The plan in force on ``as_of`` (default today) as plain data (the schema is in docs/export-schema.md): its
    indicators, cells and tasks of that day, each cell and task with the interval its version is in force in."""
    day = plan_day(plan, as_of)
    indicators = []
    for group in plan_groups_with_indicators(plan, on=day):
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
                            "valid_from": _iso(target.valid_from),
                            "valid_to": _iso(target.valid_to),
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
                "due": _iso(task.due_on),
                "rule": task.rule or None,
                "starts": _iso(task.starts_on),
                "ends": _iso(task.ends_on),
            },
            "valid_from": _iso(task.terms.valid_from),
            "valid_to": _iso(task.terms.valid_to),
        }
        for task in tasks_in_force(plan, day).order_by("number")
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
        for m in metrics_in_force(plan, day).select_related("reporting_agency").order_by("code")
    ]
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "province": plan.province,
            "issued_on": plan.issued_on.isoformat(),
            "milestones": plan.milestones,
        },
        "as_of": day.isoformat(),
        "metrics": metrics,
        "indicators": indicators,
        "tasks": tasks,
    }
