"""Writes for plan adjustments: a draft from a workbook or change by change, approval (its changes applied as new
versions in one transaction, after checking them again against the plan in force), revocation by another
adjustment. docs/adjustments.md explains the rules with a worked example."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.models import Agency
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from core.formatting import vn_date
from core.jobs import enqueue
from core.snapshots import snapshots_changed
from core.workflow import save_version, text_checked
from indicators.models import (
    EMPTY_CELL_TEXTS,
    Indicator,
    IndicatorGroup,
    Metric,
    ParsedTarget,
    Plan,
    PlanAdjustment,
    PlanChange,
    Target,
)
from indicators.services import metric_reporters_wanted
from tasks.models import Task, TaskAssignment, TaskGroup, TaskTerms
from tasks.schedule import parse_deadline
from tasks.services import assignments_wanted, task_terms_values

from . import state as st
from .describe import change_text
from .selectors import plan_state


class AdjustmentRefused(ValueError):
    """An adjustment that cannot be drafted or approved as it is; ``messages`` say why, in Vietnamese. Nothing was
    written."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


def _jsonable(value):
    """A value as a PlanChange keeps it (JSON: years as text keys): how an old value is compared."""
    return json.loads(json.dumps(value, default=str))


def _effective_checked(plan: Plan, effective_on: date) -> None:
    if effective_on < plan.issued_on:
        raise AdjustmentRefused(
            _("Ngày có hiệu lực %(day)s trước ngày ban hành kế hoạch (%(issued)s): không có gì được ghi.")
            % {"day": vn_date(effective_on), "issued": vn_date(plan.issued_on)}
        )


def plan_changes(*, plan: Plan, data: dict, on: date) -> list[st.ChangeSpec]:
    """What plan data (``plan_load``'s shape, already valid) changes in the plan in force on ``on``: one change per
    cell, task field, added or retired row. ``AdjustmentRefused`` for what an adjustment cannot change."""
    directory = AgencyDirectory()

    def agency_code(name: str) -> str:
        try:
            return directory.get(name).code
        except UnknownAgencyName:
            return name  # refused below by the comparison, or already by the plan's validation

    new = st.data_state(data, agency_key=agency_code)
    if new.meta["code"] != plan.code:
        raise AdjustmentRefused(
            _("Tệp là kế hoạch %(code)s, không phải kế hoạch %(plan)s.") % {"code": new.meta["code"], "plan": plan.code}
        )
    changes, refusals = st.plan_diff(plan_state(plan, on), new)
    if refusals:
        raise AdjustmentRefused(refusals)
    return changes


def changes_from_plan_data(*, plan: Plan, data: dict, effective_on: date) -> list[st.ChangeSpec]:
    """The changes a revised plan workbook makes from ``effective_on``; refused when there are none, when the date is
    before the plan's issue date, or when a change cannot be made from that date."""
    _effective_checked(plan, effective_on)
    changes = plan_changes(plan=plan, data=data, on=effective_on)
    if not changes:
        raise AdjustmentRefused(
            _("Tệp không có thay đổi nào so với kế hoạch có hiệu lực ngày %(day)s: không có gì được ghi.")
            % {"day": vn_date(effective_on)}
        )
    _versions_checked(plan, effective_on, changes)
    return changes


# --- changes drafted on the page --------------------------------------------------------------------------------

CELL, TASK_ROW, INDICATOR_ROW = "cell", "task", "indicator"
#: what the standing office can draft change by change (adding an indicator or a task: a revised workbook)
PAGE_CHANGES = {
    "target_text": (_lazy("Ô mục tiêu: nội dung mới"), CELL),
    "task_title": (_lazy("Nhiệm vụ: nội dung"), TASK_ROW),
    "task_result": (_lazy("Nhiệm vụ: kết quả, sản phẩm"), TASK_ROW),
    "task_deadline": (_lazy("Nhiệm vụ: thời gian hoàn thành"), TASK_ROW),
    "task_lead": (_lazy("Nhiệm vụ: cơ quan chủ trì"), TASK_ROW),
    "task_cooperating": (_lazy("Nhiệm vụ: cơ quan phối hợp"), TASK_ROW),
    "indicator_retired": (_lazy("Bãi bỏ chỉ tiêu"), INDICATOR_ROW),
    "task_retired": (_lazy("Bãi bỏ nhiệm vụ"), TASK_ROW),
}


def page_changes(
    *, adjustment: PlanAdjustment, what: str, code: str, year: int | None, text: str
) -> list[st.ChangeSpec]:
    """The change(s) a line of the drafting page means, checked against the plan in force on the effective date:
    a cell's new text with its measurable targets read again, a task's new deadline read into a schedule, its
    agencies resolved. ``AdjustmentRefused`` says what is wrong."""
    plan, day = adjustment.plan, adjustment.effective_on
    code, text = (code or "").strip(), (text or "").strip()
    if what not in PAGE_CHANGES:
        raise AdjustmentRefused(_("Loại điều chỉnh không hợp lệ."))
    needs = PAGE_CHANGES[what][1]
    if needs in (CELL, INDICATOR_ROW):
        if not Indicator.objects.filter(plan=plan, code=code).exists():
            raise AdjustmentRefused(_("Không có chỉ tiêu “%(code)s”.") % {"code": code})
        if what == "indicator_retired":
            return [st.ChangeSpec(st.INDICATOR, code, st.RETIRED)]
        if year not in plan.milestones:
            raise AdjustmentRefused(_("Hãy chọn mốc năm của ô mục tiêu."))
        current = Target.objects.in_force(day).filter(indicator__plan=plan, indicator__code=code, year=year).first()
        if current is None:
            raise AdjustmentRefused(
                _("Ô %(code)s mốc %(year)s không có hiệu lực ngày %(day)s.")
                % {"code": code, "year": year, "day": vn_date(day)}
            )
        claims = claims_kept(current, text)
        return [
            st.ChangeSpec(st.TARGET, code, st.TEXT, new=text, year=year),
            st.ChangeSpec(st.PARSED_TARGET, code, st.TARGETS, new=claims, year=year),
        ]
    if not code.isdigit() or not Task.objects.filter(plan=plan, number=int(code)).exists():
        raise AdjustmentRefused(_("Không có nhiệm vụ số “%(code)s”.") % {"code": code})
    if what == "task_retired":
        return [st.ChangeSpec(st.TASK, code, st.RETIRED)]
    field = what.removeprefix("task_")
    if field in st.ASSIGNMENT_FIELDS:
        names = [name.strip() for name in text.replace(";", "\n").splitlines() if name.strip()]
        if field == "lead" and not names:
            raise AdjustmentRefused(_("Nhiệm vụ cần ít nhất một cơ quan chủ trì."))
        directory = AgencyDirectory()
        for name in names:
            try:
                directory.resolve(name)
            except UnknownAgencyName as exc:
                raise AdjustmentRefused(str(exc)) from exc
        return [st.ChangeSpec(st.ASSIGNMENT, code, field, new=names)]
    if not text:
        raise AdjustmentRefused(_("Hãy ghi nội dung mới."))
    if field == "deadline":
        try:
            parse_deadline(text)
        except ValueError as exc:
            raise AdjustmentRefused(str(exc)) from exc
    return [st.ChangeSpec(st.TASK, code, field, new=text)]


# --- drafts -----------------------------------------------------------------------------------------------------


def _decision_checked(*, plan: Plan, decision_number: str, signed_on: date, effective_on: date, issuer: str) -> None:
    errors = []
    if not (decision_number or "").strip():
        errors.append(_("Hãy ghi số, ký hiệu của quyết định."))
    if not (issuer or "").strip():
        errors.append(_("Hãy ghi cơ quan ban hành quyết định."))
    if signed_on < plan.issued_on:
        errors.append(
            _("Ngày ký %(day)s trước ngày ban hành kế hoạch (%(issued)s).")
            % {"day": vn_date(signed_on), "issued": vn_date(plan.issued_on)}
        )
    if errors:
        raise AdjustmentRefused(errors)
    _effective_checked(plan, effective_on)


@transaction.atomic
def adjustment_create(
    *,
    plan: Plan,
    decision_number: str,
    signed_on: date,
    effective_on: date,
    user=None,
    issuer: str = "",
    summary: str = "",
    changes: list[st.ChangeSpec] = (),
    signed_file=None,
    revokes: PlanAdjustment | None = None,
) -> PlanAdjustment:
    """A draft adjustment with its changes, waiting for the standing office's approval."""
    issuer = issuer or str(PlanAdjustment._meta.get_field("issuer").default)
    _decision_checked(
        plan=plan, decision_number=decision_number, signed_on=signed_on, effective_on=effective_on, issuer=issuer
    )
    adjustment = PlanAdjustment(
        plan=plan,
        decision_number=text_checked(decision_number, label=_("Số, ký hiệu"), max_length=100),
        signed_on=signed_on,
        effective_on=effective_on,
        issuer=text_checked(issuer, label=_("Cơ quan ban hành"), max_length=200),
        summary=text_checked(summary, label=_("Trích yếu")),
        revokes=revokes,
        created_by=user,
    )
    if signed_file:
        adjustment.signed_file = signed_file
    save_version(adjustment, user=user, reason="Lập dự thảo điều chỉnh")
    PlanChange.objects.bulk_create(
        [_change_row(adjustment, order, change) for order, change in enumerate(changes, start=1)]
    )
    return adjustment


def _change_row(adjustment: PlanAdjustment, order: int, change: st.ChangeSpec) -> PlanChange:
    return PlanChange(
        adjustment=adjustment,
        order=order,
        subject=change.subject,
        code=change.code,
        year=change.year,
        field=change.field,
        old=_jsonable(change.old),
        new=_jsonable(change.new),
        source=change.source[:300],
    )


def _spec(change: PlanChange) -> st.ChangeSpec:
    return st.ChangeSpec(
        change.subject, change.code, change.field, change.old, change.new, year=change.year, source=change.source
    )


def _draft_locked(adjustment: PlanAdjustment) -> PlanAdjustment:
    locked = PlanAdjustment.objects.select_for_update().select_related("plan").get(pk=adjustment.pk)
    if locked.status != PlanAdjustment.Status.DRAFT:
        raise AdjustmentRefused(_("Điều chỉnh này đã được phê duyệt: không sửa được nữa."))
    return locked


@transaction.atomic
def adjustment_update(
    *,
    adjustment: PlanAdjustment,
    user,
    decision_number: str,
    signed_on: date,
    effective_on: date,
    issuer: str,
    summary: str,
    signed_file=None,
) -> PlanAdjustment:
    """Change a draft's decision; a new effective date reads each change's "before" again from the plan in force
    on it."""
    adjustment = _draft_locked(adjustment)
    _decision_checked(
        plan=adjustment.plan,
        decision_number=decision_number,
        signed_on=signed_on,
        effective_on=effective_on,
        issuer=issuer,
    )
    moved = effective_on != adjustment.effective_on
    adjustment.decision_number = text_checked(decision_number, label=_("Số, ký hiệu"), max_length=100)
    adjustment.signed_on, adjustment.effective_on = signed_on, effective_on
    adjustment.issuer = text_checked(issuer, label=_("Cơ quan ban hành"), max_length=200)
    adjustment.summary = text_checked(summary, label=_("Trích yếu"))
    if signed_file:
        _file_replace(adjustment, signed_file)
    save_version(adjustment, user=user, reason="Sửa dự thảo điều chỉnh")
    if moved:
        current = plan_state(adjustment.plan, effective_on)
        for change in adjustment.changes.all():
            change.old = _jsonable(st.state_value(current, _spec(change)))
            change.save(update_fields=["old"])
    return adjustment


def _file_replace(adjustment: PlanAdjustment, signed_file) -> None:
    old = adjustment.signed_file.name if adjustment.signed_file else ""
    adjustment.signed_file = signed_file
    if old:
        storage = adjustment.signed_file.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def adjustment_file_attach(*, adjustment: PlanAdjustment, user, signed_file) -> PlanAdjustment:
    """Attach the signed decision (evidence of the adjustment), replacing the one attached before. Allowed after
    approval too: the decision is often scanned once signed."""
    adjustment = PlanAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    _file_replace(adjustment, signed_file)
    save_version(adjustment, user=user, reason="Đính kèm văn bản đã ký")
    return adjustment


@transaction.atomic
def adjustment_delete(*, adjustment: PlanAdjustment, user) -> None:
    """Discard a draft (an approved adjustment is never deleted: it is revoked by another)."""
    adjustment = _draft_locked(adjustment)
    name = adjustment.signed_file.name if adjustment.signed_file else ""
    adjustment.changes.all().delete()
    adjustment._history_user = user
    adjustment.delete()
    if name:
        storage = adjustment.signed_file.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def adjustment_changes_set(*, adjustment: PlanAdjustment, user, changes: list[st.ChangeSpec]) -> list[PlanChange]:
    """Add changes to a draft (drafted on the page), each replacing the draft's change of the same thing. Their
    "before" is read from the plan in force on the effective date; a line that changes nothing is refused (a
    cell's measurable targets that stay the same are simply not listed)."""
    adjustment = _draft_locked(adjustment)
    current = plan_state(adjustment.plan, adjustment.effective_on)
    kept = []
    for change in changes:
        old = st.state_value(current, change)
        if _jsonable(old) != _jsonable(change.new):
            kept.append(st.ChangeSpec(change.subject, change.code, change.field, old, change.new, year=change.year))
    if not kept:
        raise AdjustmentRefused(
            _("%(what)s: nội dung mới giống nội dung đang có hiệu lực, không có gì thay đổi.")
            % {"what": change_text(changes[0]).what}
        )
    _versions_checked(adjustment.plan, adjustment.effective_on, kept)
    rows = []
    order = max([c.order for c in adjustment.changes.all()] or [0])
    for change in kept:
        existing = adjustment.changes.filter(
            subject=change.subject, code=change.code, year=change.year, field=change.field
        ).first()
        if existing:
            existing.old, existing.new = _jsonable(change.old), _jsonable(change.new)
            existing.save(update_fields=["old", "new"])
            rows.append(existing)
        else:
            order += 1
            row = _change_row(adjustment, order, change)
            row.save()
            rows.append(row)
    save_version(adjustment, user=user, reason="Sửa nội dung dự thảo điều chỉnh")
    return rows


@transaction.atomic
def adjustment_change_remove(*, adjustment: PlanAdjustment, user, change_id: int) -> None:
    adjustment = _draft_locked(adjustment)
    adjustment.changes.filter(pk=change_id).delete()
    save_version(adjustment, user=user, reason="Bỏ một nội dung của dự thảo điều chỉnh")


@transaction.atomic
def adjustment_revoke(
    *,
    adjustment: PlanAdjustment,
    user,
    decision_number: str,
    signed_on: date,
    effective_on: date,
    issuer: str = "",
    summary: str = "",
    signed_file=None,
) -> PlanAdjustment:
    """A draft adjustment that revokes an approved one from ``effective_on``: its changes restore what was in force
    before it. The revoked adjustment's past stays (it was in force until then)."""
    revoked = PlanAdjustment.objects.select_related("plan").get(pk=adjustment.pk)
    if revoked.status != PlanAdjustment.Status.APPROVED:
        raise AdjustmentRefused(_("Chỉ bãi bỏ được điều chỉnh đã phê duyệt; dự thảo thì xóa đi."))
    if revoked.revocations.filter(status=PlanAdjustment.Status.APPROVED).exists():
        raise AdjustmentRefused(_("Điều chỉnh này đã bị bãi bỏ."))
    if effective_on <= revoked.effective_on:
        raise AdjustmentRefused(
            _("Ngày bãi bỏ có hiệu lực phải sau ngày điều chỉnh có hiệu lực (%(day)s).")
            % {"day": vn_date(revoked.effective_on)}
        )
    current = plan_state(revoked.plan, effective_on)
    restoring: list[st.ChangeSpec] = []
    for change in revoked.changes.order_by("order"):
        spec = _spec(change)
        restoring += st.inverse(spec, st.state_value(current, spec))
    restoring = [c for c in restoring if _jsonable(c.old) != _jsonable(c.new)]
    if not restoring:
        raise AdjustmentRefused(_("Không còn gì để khôi phục: nội dung trước điều chỉnh đang có hiệu lực."))
    _versions_checked(revoked.plan, effective_on, restoring)
    return adjustment_create(
        plan=revoked.plan,
        decision_number=decision_number,
        signed_on=signed_on,
        effective_on=effective_on,
        user=user,
        issuer=issuer,
        summary=summary
        or _("Bãi bỏ điều chỉnh theo Quyết định số %(number)s ngày %(day)s")
        % {"number": revoked.decision_number, "day": vn_date(revoked.signed_on)},
        changes=restoring,
        signed_file=signed_file,
        revokes=revoked,
    )


# --- approval ---------------------------------------------------------------------------------------------------


@transaction.atomic
def adjustment_approve(*, adjustment: PlanAdjustment, user) -> PlanAdjustment:
    """Approve a draft: check each change again against the plan in force on its effective date (another approval
    may have made the draft stale: then nothing is written), then close the versions it replaces (the day before)
    and open the new ones, in one transaction; the approval is kept in the adjustment's history."""
    Plan.objects.select_for_update().filter(pk=adjustment.plan_id).first()  # one approval of a plan at a time
    adjustment = _draft_locked(adjustment)
    changes = [_spec(change) for change in adjustment.changes.order_by("order")]
    if not changes:
        raise AdjustmentRefused(_("Dự thảo chưa có nội dung điều chỉnh nào."))
    plan, effective_on = adjustment.plan, adjustment.effective_on
    _effective_checked(plan, effective_on)
    current = plan_state(plan, effective_on)
    stale = [c for c in changes if _jsonable(st.state_value(current, c)) != _jsonable(c.old)]
    if stale:
        lines = [change_text(c).what for c in stale[:10]]
        raise AdjustmentRefused(
            [
                _(
                    "Dự thảo đã cũ: từ khi lập dự thảo, một điều chỉnh khác đã thay đổi nội dung có hiệu lực ngày "
                    "%(day)s ở những điểm sau. Không có gì được ghi; hãy lập lại dự thảo từ kế hoạch đang có hiệu lực."
                )
                % {"day": vn_date(effective_on)},
                *lines,
            ]
        )
    _versions_checked(plan, effective_on, changes)
    _apply(adjustment, changes)
    adjustment.status = PlanAdjustment.Status.APPROVED
    adjustment.approved_by = user
    adjustment.approved_at = timezone.now()
    save_version(adjustment, user=user, reason="Phê duyệt điều chỉnh")
    snapshots_changed()
    if effective_on <= timezone.localdate():
        # what is in force today changed: statuses and deadlines are recomputed once this commits
        transaction.on_commit(lambda: enqueue("indicators.recompute_all"))
        transaction.on_commit(lambda: enqueue("tasks.overdue_scan"))
    return adjustment


def _versions_checked(plan: Plan, effective_on: date, changes: list[st.ChangeSpec]) -> None:
    """A version is replaced only from a day after it began: two decisions taking effect the same day on the same
    cell or task are one decision."""
    problems = []
    for change in changes:
        for version in _replaced(plan, effective_on, change):
            if version.valid_from >= effective_on:
                problems.append(
                    _(
                        "%(what)s: nội dung đang có hiệu lực từ ngày %(day)s; điều chỉnh phải có hiệu lực sau ngày đó "
                        "(hai quyết định cùng ngày hiệu lực về một nội dung: hãy gộp vào một)."
                    )
                    % {"what": change_text(change).what, "day": vn_date(version.valid_from)}
                )
                break
    if problems:
        raise AdjustmentRefused(problems)


def _replaced(plan: Plan, day: date, change: st.ChangeSpec):
    """The versions in force on ``day`` that ``change`` closes."""
    if change.subject in (st.TARGET, st.PARSED_TARGET):
        return Target.objects.in_force(day).filter(indicator__plan=plan, indicator__code=change.code, year=change.year)
    if change.subject == st.INDICATOR and change.field == st.RETIRED:
        return Target.objects.in_force(day).filter(indicator__plan=plan, indicator__code=change.code)
    if change.subject in (st.TASK, st.ASSIGNMENT) and change.field != st.ADDED:
        return TaskTerms.objects.in_force(day).filter(task__plan=plan, task__number=int(change.code))
    return []


def _until(versions, day: date) -> date | None:
    """The last day a new version from ``day`` is in force: the day before the next version of the same thing."""
    following = versions.filter(valid_from__gt=day).aggregate(first=Min("valid_from"))["first"]
    return following - timedelta(days=1) if following else None


def _close(versions, day: date) -> None:
    """Close the versions in force on ``day`` the day before."""
    versions.in_force(day).update(valid_to=day - timedelta(days=1))


def _apply(adjustment: PlanAdjustment, changes: list[st.ChangeSpec]) -> None:
    plan, day = adjustment.plan, adjustment.effective_on
    directory = AgencyDirectory()
    by = defaultdict(list)
    for change in changes:
        by[(change.subject, change.field if change.field in (st.ADDED, st.RETIRED) else "")].append(change)
    leads_of_new: dict[str, set[int]] = defaultdict(set)
    for change in by[(st.INDICATOR, st.ADDED)]:
        _indicator_open(plan, change, directory)
    for change in by[(st.INDICATOR, st.RETIRED)]:
        _close(Target.objects.filter(indicator__plan=plan, indicator__code=change.code), day)
    cells: dict[tuple[str, int], dict] = {}
    for change in by[(st.TARGET, "")] + by[(st.PARSED_TARGET, "")]:
        cells.setdefault((change.code, change.year), {})[change.field] = change.new
    new_metrics = {change.code: change.new for change in by[(st.METRIC, st.ADDED)]}
    for row in new_metrics.values():
        _metric_add(plan, adjustment, row, directory)
    metrics = {m.code: m for m in plan.metrics.all()}
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan, code__in={code for code, _y in cells})}
    for (code, year), parts in cells.items():
        indicator = indicators[code]
        for claim in _cell_open(indicator, year, parts, adjustment, metrics):
            leads_of_new[claim].update(indicator.lead_agencies.values_list("pk", flat=True))
    for code in new_metrics:
        metric = metrics[code]
        if metric.collection == Metric.Collection.PROVINCE and metric.reporting_agency_id is None:
            leads = Agency.objects.filter(pk__in=leads_of_new[code])
            if leads.count() == 1:
                metric.reporting_agency = leads.get()
                metric.save(update_fields=["reporting_agency"])
        metric.reporters.set(metric_reporters_wanted(metric, leads=leads_of_new[code]))
    for change in by[(st.TASK, st.ADDED)]:
        _task_open(plan, adjustment, change, directory)
    for change in by[(st.TASK, st.RETIRED)]:
        task = Task.objects.get(plan=plan, number=int(change.code))
        _close(task.terms_versions.all(), day)
        _close(task.assignments.all(), day)
    terms: dict[int, dict] = defaultdict(dict)
    for change in by[(st.TASK, "")] + by[(st.ASSIGNMENT, "")]:
        terms[int(change.code)][change.field] = change.new
    for number, fields in terms.items():
        _terms_open(Task.objects.get(plan=plan, number=number), adjustment, fields, directory)


def _indicator_open(plan: Plan, change: st.ChangeSpec, directory: AgencyDirectory) -> Indicator:
    row = change.new
    indicator = Indicator.objects.filter(plan=plan, code=change.code).first()
    if indicator is None:
        indicator = Indicator.objects.create(
            plan=plan,
            group=IndicatorGroup.objects.get(plan=plan, code=row["group"]),
            number=int(row["number"]),
            code=change.code,
            lead_names=list(row["lead"]),
        )
        indicator.lead_agencies.set(directory.resolve_all(list(row["lead"])))
    return indicator


def _cell_open(indicator: Indicator, year: int, parts: dict, adjustment: PlanAdjustment, metrics) -> list[str]:
    """The new version of a cell from the adjustment's day; returns the codes of the metrics it measures."""
    day = adjustment.effective_on
    versions = Target.objects.filter(indicator=indicator, year=year)
    current = versions.in_force(day).prefetch_related("parsed_targets__metric").first()
    text = parts[st.TEXT] if st.TEXT in parts else (current.text if current else "")
    claims = (parts[st.TARGETS] or []) if st.TARGETS in parts else claims_kept(current, text)
    until = _until(versions, day)
    _close(versions, day)
    cell = Target.objects.create(
        indicator=indicator,
        year=year,
        valid_from=day,
        valid_to=until,
        text=text,
        qualitative=text.strip() not in EMPTY_CELL_TEXTS and not claims,
        adjustment=adjustment,
    )
    ParsedTarget.objects.bulk_create(
        [
            ParsedTarget(
                target=cell,
                metric=metrics[claim["metric"]],
                position=position,
                fragment=claim["fragment"] or text,
                operator=claim["operator"],
                value=claim["value"],
                value_max=claim["value_max"],
            )
            for position, claim in enumerate(claims, start=1)
        ]
    )
    return [claim["metric"] for claim in claims]


def claims_kept(current: Target | None, text: str) -> list[dict]:
    """The measurable targets of a cell whose text changes and whose claims do not: the same metrics and fragments,
    read again from the new text. ``AdjustmentRefused`` when a fragment is no longer in it."""
    if current is None:
        return []
    kept = [
        {"metric": p.metric.code, "fragment": "" if p.fragment == current.text else p.fragment}
        for p in current.parsed_targets.all()
    ]
    try:
        return st.claims_read(text, kept)
    except ValueError as exc:
        raise AdjustmentRefused(
            _("Chỉ tiêu %(code)s, mốc %(year)s: %(error)s Hãy sửa cả mục tiêu định lượng của ô.")
            % {"code": current.indicator.code, "year": current.year, "error": exc}
        ) from exc


def _metric_add(plan: Plan, adjustment: PlanAdjustment, row: dict, directory: AgencyDirectory) -> Metric:
    reporting = directory.get(row["reporting_agency"]) if row.get("reporting_agency") else None
    return Metric.objects.create(
        plan=plan,
        code=row["code"],
        name=row["name"],
        unit=row.get("unit", ""),
        kind=row["kind"],
        direction=row.get("direction", "increase"),
        frequency=row["frequency"],
        collection=row["collection"],
        numerator_label=row.get("numerator_label", ""),
        denominator_label=row.get("denominator_label", ""),
        ratio_scale=int(row.get("ratio_scale") or 100),
        reporting_agency=reporting,
        adjustment=adjustment,
    )


def _task_open(plan: Plan, adjustment: PlanAdjustment, change: st.ChangeSpec, directory: AgencyDirectory) -> None:
    row, day = change.new, adjustment.effective_on
    task = Task.objects.filter(plan=plan, number=int(change.code)).first()
    if task is None:
        task = Task.objects.create(
            plan=plan, group=TaskGroup.objects.get(plan=plan, code=row["group"]), number=int(change.code)
        )
    values = task_terms_values(row)
    TaskTerms.objects.create(
        task=task, valid_from=day, valid_to=_until(task.terms_versions.all(), day), adjustment=adjustment, **values
    )
    _assignments_open(task, adjustment, values, directory)


def _terms_open(task: Task, adjustment: PlanAdjustment, fields: dict, directory: AgencyDirectory) -> None:
    day = adjustment.effective_on
    versions = task.terms_versions.all()
    current = versions.in_force(day).first()
    values = {name: getattr(current, name) for name in ("title", "result", "lead_names", "cooperating_names")}
    values.update(
        {k: getattr(current, k) for k in ("deadline_text", "schedule_kind", "due_on", "rule", "starts_on", "ends_on")}
    )
    for key, value in fields.items():
        if key == "deadline":
            schedule = parse_deadline(value)
            values.update(
                deadline_text=value,
                schedule_kind=schedule.kind,
                due_on=schedule.due,
                rule=schedule.rule or "",
                starts_on=schedule.starts,
                ends_on=schedule.ends,
            )
        elif key in ("lead", "cooperating"):
            values[f"{key}_names"] = list(value)
        else:
            values[key] = value
    until = _until(versions, day)
    _close(versions, day)
    TaskTerms.objects.create(task=task, valid_from=day, valid_to=until, adjustment=adjustment, **values)
    if "lead" in fields or "cooperating" in fields:
        _assignments_open(task, adjustment, values, directory)


def _assignments_open(task: Task, adjustment: PlanAdjustment, values: dict, directory: AgencyDirectory) -> None:
    """The task's agencies from the adjustment's day: those no longer named are closed the day before (they keep
    what was due until then), those newly named are assigned from that day (no work before it)."""
    day = adjustment.effective_on
    wanted = assignments_wanted(directory, values["lead_names"], values["cooperating_names"])
    current = {(a.agency_id, a.role): a for a in task.assignments.in_force(day)}
    gone = [a.pk for key, a in current.items() if key not in set(wanted)]
    if gone:
        TaskAssignment.objects.filter(pk__in=gone).update(valid_to=day - timedelta(days=1))
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(
                task=task,
                agency_id=agency_id,
                role=role,
                valid_from=day,
                valid_to=_until(task.assignments.filter(agency_id=agency_id, role=role), day),
                adjustment=adjustment,
            )
            for agency_id, role in wanted
            if (agency_id, role) not in current
        ]
    )
