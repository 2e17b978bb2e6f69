"""Writes for the plan: loading Plan 65-KH/TU (or another plan of the same shape) into the database."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts, upsert
from tasks.services import tasks_load, validate_task_rows

from .models import (
    EMPTY_CELL_TEXTS,
    AgencyAssessment,
    Indicator,
    IndicatorGroup,
    Metric,
    Observation,
    ParsedTarget,
    Period,
    Plan,
    ProvinceValue,
    QualitativeAssessment,
    SubmissionStatus,
    Target,
    TargetStatus,
)
from .parsing import parse_target
from .periods import period_bounds
from .progress import assess, explain_vi, next_unmet_milestone
from .selectors import PeriodValue, province_period_values, series_of, target_spec
from .validation import CleanFigure
from .workflow import EntryError, check_period_open, save_version


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
            for name in row.get("lead") or []:
                try:
                    directory.resolve(name)
                except UnknownAgencyName as exc:
                    errors.append(f"Chỉ tiêu {code}: {exc}")
            cells = row.get("cells") or {}
            if sorted(int(y) for y in cells) != sorted(milestones):
                errors.append(f"Chỉ tiêu {code}: cần đủ các mốc {milestones}, có {sorted(int(y) for y in cells)}.")
            for year, cell in cells.items():
                parsed = []
                text = cell.get("text", "") or ""
                for claim in cell.get("claims") or []:
                    fragment = claim.get("fragment") or text
                    if fragment not in text:
                        errors.append(f"Chỉ tiêu {code}, mốc {year}: đoạn “{fragment}” không có trong nội dung ô.")
                        continue
                    if claim["metric"] not in metric_codes:
                        errors.append(f"Chỉ tiêu {code}, mốc {year}: không có chỉ số “{claim['metric']}”.")
                        continue
                    try:
                        result = parse_target(fragment)
                    except ValueError as exc:
                        errors.append(f"Chỉ tiêu {code}, mốc {year}: {exc}")
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
            },
            counts,
        )
    metric_leads: dict[str, set[int]] = {code: set() for code in metrics}
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
                target.parsed_targets.exclude(pk__in=kept).delete()
    _set_reporters(metrics, metric_leads)
    counts.add(tasks_load(plan=plan, groups=data["task_groups"], directory=directory))
    return counts


def _set_reporters(metrics: dict[str, Metric], metric_leads: dict[str, set[int]]) -> None:
    """Who reports each metric: the lead agencies of its indicators, or every department and locality."""
    everyone = set(
        Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY], is_active=True).values_list(
            "pk", flat=True
        )
    )
    for code, metric in metrics.items():
        wanted = everyone if metric.collection == Metric.Collection.PER_AGENCY else metric_leads[code]
        if wanted != set(metric.reporters.values_list("pk", flat=True)):
            metric.reporters.set(wanted)


def period_get_or_create(*, kind: str, year: int, number: int) -> Period:
    """The reporting period, created with its Decree 09 window and configured due date if new."""
    bounds = period_bounds(kind, year, number)
    period, _created = Period.objects.get_or_create(
        kind=kind,
        year=year,
        number=number,
        defaults={
            "starts_on": bounds.starts_on,
            "ends_on": bounds.ends_on,
            "due_on": bounds.ends_on + timedelta(days=settings.REPORT_DUE_DAYS[kind]),
        },
    )
    return period


def _decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    if not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.000001"))


_STATUS_FIELDS = [
    "status",
    "method",
    "ratio",
    "baseline_value",
    "baseline_date",
    "latest_value",
    "latest_date",
    "expected_value",
    "explanation",
    "computed_at",
]


@transaction.atomic
def target_statuses_recompute(*, as_of: date, metric_ids: Iterable[int] | None = None) -> int:
    """Compute and store the status of every parsed target (or those of ``metric_ids``) as of ``as_of``.

    One grouped query reads the province values, which are stored as a snapshot for the pages
    (``province_values_save``); the pure engine (indicators/progress.py) judges each target, and one upsert
    writes the status rows: running it twice leaves the same rows. Returns the status rows written.
    """
    ids = None if metric_ids is None else sorted(set(metric_ids))
    parsed = ParsedTarget.objects.select_related("metric__plan", "target")
    if ids is not None:
        parsed = parsed.filter(metric_id__in=ids)
    parsed_targets = list(parsed.order_by("metric_id", "target__year", "pk"))
    values = province_period_values(as_of=as_of, metric_ids=ids)
    province_values_save(values=values, as_of=as_of, metric_ids=ids)
    series = series_of(values)
    rows: list[TargetStatus] = []
    milestones: dict[int, dict[int, bool]] = {}
    for item in parsed_targets:
        spec = target_spec(item, plan_start=item.metric.plan.issued_on)
        result = assess(spec, series.get(item.metric_id, []), as_of)
        with translation.override(settings.LANGUAGE_CODE):
            result.explanation.update(explain_vi(spec, result, unit=item.metric.unit))
        met = milestones.setdefault(item.metric_id, {})
        met[spec.year] = met.get(spec.year, True) and result.status == TargetStatus.Status.ACHIEVED
        rows.append(
            TargetStatus(
                parsed_target=item,
                as_of=as_of,
                status=result.status,
                method=result.method,
                ratio=_decimal(result.ratio),
                baseline_value=_decimal(result.baseline.value) if result.baseline else None,
                baseline_date=result.baseline.on if result.baseline else None,
                latest_value=_decimal(result.latest.value) if result.latest else None,
                latest_date=result.latest.on if result.latest else None,
                expected_value=_decimal(result.expected_value),
                explanation=result.explanation,
            )
        )
    for row in rows:
        row.explanation["next_unmet_milestone"] = next_unmet_milestone(milestones[row.parsed_target.metric_id])
    TargetStatus.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["parsed_target", "as_of"],
        update_fields=_STATUS_FIELDS,
    )
    return len(rows)


@transaction.atomic
def province_values_save(
    *, values: dict[int, list[PeriodValue]], as_of: date, metric_ids: Iterable[int] | None = None
) -> int:
    """Store the province value of each metric and period (of ``metric_ids``, or all metrics) as the snapshot.

    One upsert writes the rows (same metric and period: same row), then one delete removes the rows of those
    metrics this computation did not produce (a figure withdrawn, a period after ``as_of``). Returns the rows.
    """
    stamp = timezone.now()
    rows = [
        ProvinceValue(
            metric_id=metric_id,
            period_id=item.period_id,
            value=_decimal(item.value),
            numerator=_decimal(item.numerator),
            denominator=_decimal(item.denominator),
            reporters=item.reporters,
            as_of=as_of,
            computed_at=stamp,
        )
        for metric_id, items in values.items()
        for item in items
        if _decimal(item.value) is not None
    ]
    ProvinceValue.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["metric", "period"],
        update_fields=["value", "numerator", "denominator", "reporters", "as_of", "computed_at"],
    )
    stale = ProvinceValue.objects.exclude(computed_at=stamp)
    if metric_ids is not None:
        stale = stale.filter(metric_id__in=list(metric_ids))
    stale.delete()
    return len(rows)


# ---------------------------------------------------------------------------------------------------------------
# Figures: the one write path from entry to approval (docs/data-entry.md). Every write saves the row once, so
# django-simple-history keeps one version per step, with who did it and why (the change reason).


@transaction.atomic
def observation_save(
    *,
    metric: Metric,
    agency: Agency,
    period: Period,
    user,
    figure: CleanFigure,
    note: str = "",
    evidence=None,
    submit: bool = False,
) -> Observation:
    """Record an agency's figure as a draft, or submit it for review (one write, one version)."""
    check_period_open(period)
    if not figure.is_valid:
        raise EntryError(_("Số liệu chưa hợp lệ."))
    observation = Observation.objects.select_for_update().filter(
        metric=metric, agency=agency, period=period
    ).first() or Observation(metric=metric, agency=agency, period=period)
    if observation.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        message = _("Số liệu “%(metric)s” đã gửi hoặc đã duyệt, không sửa trực tiếp được.")
        raise EntryError(message % {"metric": metric.name})
    observation.value, observation.numerator, observation.denominator = (
        figure.value,
        figure.numerator,
        figure.denominator,
    )
    observation.note = note
    if evidence:
        observation.evidence = evidence
    observation.entered_by = user
    if submit:
        observation.status = SubmissionStatus.SUBMITTED
        observation.submitted_at = timezone.now()
    elif observation.status != SubmissionStatus.RETURNED:
        observation.status = SubmissionStatus.DRAFT
    save_version(observation, user=user, reason="Gửi duyệt" if submit else "Lưu nháp")
    return observation


@transaction.atomic
def observation_submit(*, observation: Observation, user) -> bool:
    """Submit a saved draft (or a returned figure) as it is. Submitting twice changes nothing the second time."""
    observation = Observation.objects.select_for_update().select_related("period").get(pk=observation.pk)
    if observation.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        return False
    check_period_open(observation.period)
    if observation.value is None:
        raise EntryError(_("Chưa có giá trị để gửi."))
    observation.status = SubmissionStatus.SUBMITTED
    observation.submitted_at = timezone.now()
    save_version(observation, user=user, reason="Gửi duyệt")
    return True


@transaction.atomic
def observation_correct(*, observation: Observation, user, figure: CleanFigure, reason: str) -> Observation:
    """Propose a new value for an approved figure. The approved value keeps counting until the reviewer
    approves the correction; nothing is overwritten before that."""
    observation = Observation.objects.select_for_update().select_related("period").get(pk=observation.pk)
    check_period_open(observation.period)
    if observation.status != SubmissionStatus.APPROVED:
        raise EntryError(_("Chỉ điều chỉnh được số liệu đã duyệt; số liệu khác hãy sửa trực tiếp."))
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        raise EntryError(_("Đã có một đề nghị điều chỉnh đang chờ duyệt."))
    if not figure.is_valid:
        raise EntryError(_("Số liệu chưa hợp lệ."))
    if not reason.strip():
        raise EntryError(_("Hãy nêu lý do điều chỉnh."))
    observation.proposed_value = figure.value
    observation.proposed_numerator = figure.numerator
    observation.proposed_denominator = figure.denominator
    observation.proposed_note = reason.strip()
    observation.correction_status = SubmissionStatus.SUBMITTED
    observation.submitted_at = timezone.now()
    save_version(observation, user=user, reason=f"Đề nghị điều chỉnh: {reason.strip()}")
    return observation


def _waiting(observation: Observation) -> bool:
    return (
        observation.status == SubmissionStatus.SUBMITTED or observation.correction_status == SubmissionStatus.SUBMITTED
    )


def metrics_recompute_after_commit(metric_ids) -> None:
    """Once the approval commits, recompute the status of these metrics' targets (issue 4: right after it).

    On the embedded default the job runs in-process; on the full stack a worker takes it from Redis.
    """
    from .jobs import recompute_metric  # jobs import this module: deferred to avoid the cycle

    for metric_id in sorted(set(metric_ids)):
        transaction.on_commit(partial(recompute_metric.delay, metric_id))


@transaction.atomic
def observation_approve(*, observation: Observation, user, note: str = "", recompute: bool = True) -> bool:
    """Approve a submitted figure, or the correction waiting on an approved one. False if nothing waits.

    ``recompute=False`` leaves the status recompute to the caller (a bulk approval asks once per metric).
    """
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not _waiting(observation):
        return False
    reason = "Phê duyệt"
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        observation.value = observation.proposed_value
        observation.numerator = observation.proposed_numerator
        observation.denominator = observation.proposed_denominator
        observation.note = observation.proposed_note
        reason = f"Phê duyệt điều chỉnh: {observation.proposed_note}"
        _clear_correction(observation)
    observation.status = SubmissionStatus.APPROVED
    observation.reviewed_by = user
    observation.reviewed_at = timezone.now()
    observation.review_note = note
    save_version(observation, user=user, reason=reason)
    if recompute:
        metrics_recompute_after_commit([observation.metric_id])
    return True


def _clear_correction(observation: Observation) -> None:
    observation.correction_status = ""
    observation.proposed_value = observation.proposed_numerator = observation.proposed_denominator = None
    observation.proposed_note = ""


@transaction.atomic
def observation_return(*, observation: Observation, user, reason: str) -> bool:
    """Send a submitted figure (or a correction) back to its agency with the reason. False if nothing waits."""
    if not reason.strip():
        raise EntryError(_("Hãy nêu lý do trả lại."))
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not _waiting(observation):
        return False
    if observation.correction_status == SubmissionStatus.SUBMITTED:
        observation.correction_status = SubmissionStatus.RETURNED  # the approved value stays as it was
    else:
        observation.status = SubmissionStatus.RETURNED
    observation.reviewed_by = user
    observation.reviewed_at = timezone.now()
    observation.review_note = reason.strip()
    save_version(observation, user=user, reason=f"Trả lại: {reason.strip()}")
    return True


def observations_approve(*, observations, user) -> int:
    """Approve a selection; each figure gets its own version in the history. Returns how many were approved."""
    with transaction.atomic():
        approved = [o.metric_id for o in observations if observation_approve(observation=o, user=user, recompute=False)]
        metrics_recompute_after_commit(approved)
        return len(approved)


# Periods: opened and closed (locked) by the standing office.


@transaction.atomic
def period_set_locked(*, period: Period, user, locked: bool) -> Period:
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_locked != locked:
        period.is_locked = locked
        period.save(update_fields=["is_locked"])
    return period


@transaction.atomic
def periods_lock_past_due(*, as_of: date) -> int:
    """Lock every open period whose deadline has passed; late entry then needs the reviewer to reopen."""
    return Period.objects.filter(is_locked=False, due_on__lt=as_of).update(is_locked=True)


# Assessments


@transaction.atomic
def qualitative_assessment_save(*, target: Target, period: Period, user, status: str, narrative: str):
    assessment = QualitativeAssessment.objects.filter(target=target, period=period).first() or QualitativeAssessment(
        target=target, period=period
    )
    assessment.status, assessment.narrative, assessment.assessed_by = status, narrative, user
    save_version(assessment, user=user, reason="Đánh giá định tính")
    return assessment


@transaction.atomic
def agency_assessment_save(*, agency: Agency, metric: Metric, period: Period, user, confidence: str, narrative: str):
    """Record an agency's own confidence for a metric this quarter (the period must be open)."""
    check_period_open(period)
    assessment = AgencyAssessment.objects.filter(agency=agency, metric=metric, period=period).first() or (
        AgencyAssessment(agency=agency, metric=metric, period=period)
    )
    assessment.confidence, assessment.narrative, assessment.entered_by = confidence, narrative, user
    save_version(assessment, user=user, reason="Tự đánh giá")
    return assessment
