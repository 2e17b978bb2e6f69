"""Writes for tasks: loading Appendix II and resolving each task's agencies into assignments; the task
occurrence and report timeliness snapshots; reminders and the Steering Committee's weekly digest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from agencies.selectors import AgencyDirectory, UnknownAgencyName
from agencies.services import LoadCounts
from core.formatting import vn_date
from core.snapshots import snapshots_changed
from core.workflow import EntryError, SubmissionStatus, check_period_open, evidence_replace, save_version, text_checked
from indicators.models import Period, Plan, ReportTimeliness, TargetStatus
from indicators.periods import HALF_YEAR, MONTH, QUARTER, YEAR
from indicators.selectors import target_statuses_as_of
from indicators.services import period_stored, periods_ensure

from .models import Reminder, Task, TaskAssignment, TaskGroup, TaskOccurrence, TaskTerms, TaskUpdate
from .schedule import parse_deadline
from .selectors import (
    occurrences_overdue,
    report_timeliness_rows,
    reports_missing,
    task_occurrence_rows,
    with_task_terms,
)


def validate_task_rows(groups: list[dict], directory: AgencyDirectory) -> list[str]:
    """Every problem in the task rows (unknown agency, unreadable deadline, repeated number), in Vietnamese."""
    errors = []
    numbers: list[int] = []
    for group in groups:
        for row in group["tasks"]:
            number = int(row["number"])
            numbers.append(number)
            where = row.get("where") or {}  # where a workbook had each field (imports/plan.py)
            for field in ("lead", "cooperating"):
                for name in row.get(field) or []:
                    try:
                        directory.resolve(name)
                    except UnknownAgencyName as exc:
                        errors.append(f"{where.get(field) or f'Nhiệm vụ {number}'}: {exc}")
            try:
                parse_deadline(row.get("deadline", ""))
            except ValueError as exc:
                errors.append(f"{where.get('deadline') or f'Nhiệm vụ {number}'}: {exc}")
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.append(f"Số thứ tự nhiệm vụ bị trùng: {', '.join(map(str, repeated))}.")
    return errors


def task_terms_values(row: dict) -> dict:
    """A task's terms (``TaskTerms`` fields) from a row of plan data: the deadline as written and as read."""
    schedule = parse_deadline(row["deadline"])
    return {
        "title": row["title"],
        "result": row.get("result", "") or "",
        "lead_names": list(row.get("lead") or []),
        "cooperating_names": list(row.get("cooperating") or []),
        "deadline_text": row["deadline"],
        "schedule_kind": schedule.kind,
        "due_on": schedule.due,
        "rule": schedule.rule or "",
        "starts_on": schedule.starts,
        "ends_on": schedule.ends,
    }


def assignments_wanted(
    directory: AgencyDirectory, lead_names: list[str], cooperating_names: list[str]
) -> list[tuple[int, str]]:
    """(agency, role) for each agency the names mean, in the plan's order, leads first; an agency that leads is
    not also listed as cooperating."""
    leads = directory.resolve_all(lead_names)
    lead_ids = {a.pk for a in leads}
    ordered = [(a.pk, TaskAssignment.Role.LEAD.value) for a in leads]
    ordered += [
        (a.pk, TaskAssignment.Role.COOPERATING.value)
        for a in directory.resolve_all(cooperating_names)
        if a.pk not in lead_ids
    ]
    return list(dict.fromkeys(ordered))


def tasks_load(*, plan: Plan, groups: list[dict], directory: AgencyDirectory) -> LoadCounts:
    """Create the task groups, tasks, their terms and assignments of a plan being loaded for the first time, all
    in force from the plan's issue date. Call inside the plan's load transaction."""
    counts = LoadCounts()
    terms, assignments = [], []
    for order, group_row in enumerate(groups, start=1):
        group = TaskGroup.objects.create(plan=plan, code=group_row["code"], title=group_row["title"], order=order)
        counts.created += 1
        for row in group_row["tasks"]:
            task = Task.objects.create(plan=plan, group=group, number=int(row["number"]))
            values = task_terms_values(row)
            terms.append(TaskTerms(task=task, valid_from=plan.issued_on, **values))
            assignments += [
                TaskAssignment(task=task, agency_id=pk, role=role, valid_from=plan.issued_on)
                for pk, role in assignments_wanted(directory, values["lead_names"], values["cooperating_names"])
            ]
            counts.created += 1
    TaskTerms.objects.bulk_create(terms)
    # in the plan's order, leads first: loading the plan writes the same rows in the same order in every process
    TaskAssignment.objects.bulk_create(assignments, batch_size=2000)
    snapshots_changed()
    return counts


def periods_ensure_for_tasks(*, as_of: date) -> None:
    """Create the reporting periods occurrences and timeliness are counted in: every kind from the plan's start
    to ``as_of``, quarters 100 days further (a task's next report)."""
    start = Plan.objects.aggregate(start=Min("issued_on"))["start"]
    if start is None:
        return
    for kind in (MONTH, QUARTER, HALF_YEAR, YEAR):
        periods_ensure(kind=kind, start=start, end=as_of + timedelta(days=100 if kind == QUARTER else 0))


@transaction.atomic
def task_occurrences_recompute(*, as_of: date) -> int:
    """Replace the task occurrence snapshot with the occurrences and statuses as of ``as_of``.

    The snapshot is the current state, so it is rewritten whole in one transaction: running it twice leaves
    the same rows. Returns the number of rows.
    """
    periods_ensure_for_tasks(as_of=as_of)
    rows = task_occurrence_rows(as_of=as_of)
    TaskOccurrence.objects.all().delete()
    TaskOccurrence.objects.bulk_create(rows, batch_size=2000)
    snapshots_changed()
    return len(rows)


@transaction.atomic
def report_timeliness_recompute(*, as_of: date) -> int:
    """Replace the report timeliness snapshot (agency × period) with its state as of ``as_of``."""
    periods_ensure_for_tasks(as_of=as_of)
    rows = report_timeliness_rows(as_of=as_of)
    ReportTimeliness.objects.all().delete()
    ReportTimeliness.objects.bulk_create(rows, batch_size=2000)
    snapshots_changed()
    return len(rows)


#: per agency, what to remind its users of: (kind, key, line of text)
ReminderItems = dict[int, list[tuple[str, str, str]]]
#: what else falls due for agencies, added by the apps above this one (``oversight``: the recommendations of
#: inspections, from its AppConfig.ready): each is called with the day and sent by the one rule below
REMINDER_SOURCES: list[Callable[[date], ReminderItems]] = []
#: lines the apps above add to the Steering Committee's weekly digest, given the day
DIGEST_SECTIONS: list[Callable[[date], list[str]]] = []


def reminder_source_add(source: Callable[[date], ReminderItems]) -> None:
    if source not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(source)


def digest_section_add(section: Callable[[date], list[str]]) -> None:
    if section not in DIGEST_SECTIONS:
        DIGEST_SECTIONS.append(section)


def _reminder_items(as_of: date) -> ReminderItems:
    """Per agency, what to remind its users of: (kind, key, line of text); tasks and reports, then the sources."""
    soon = as_of + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    items: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    open_statuses = [TaskOccurrence.Status.NOT_DUE, TaskOccurrence.Status.IN_PROGRESS]
    occurrences = with_task_terms(TaskOccurrence.objects.filter(due_on__isnull=False), as_of)
    for o in occurrences.filter(status__in=open_statuses, due_on__gte=as_of, due_on__lte=soon):
        key = f"task:{o.task_id}:{o.agency_id}:{o.due_on.isoformat()}"
        line = _("Nhiệm vụ %(number)s đến hạn ngày %(due)s: %(title)s") % {
            "number": o.task.number,
            "due": vn_date(o.due_on),
            "title": o.task.title[:120],
        }
        items[o.agency_id].append((Reminder.Kind.DUE_SOON, key, line))
    for o in occurrences.filter(status=TaskOccurrence.Status.OVERDUE):
        key = f"task:{o.task_id}:{o.agency_id}:{o.due_on.isoformat()}"
        line = _("Nhiệm vụ %(number)s đã quá hạn từ ngày %(due)s: %(title)s") % {
            "number": o.task.number,
            "due": vn_date(o.due_on),
            "title": o.task.title[:120],
        }
        items[o.agency_id].append((Reminder.Kind.OVERDUE, key, line))
    reports = ReportTimeliness.objects.select_related("period")
    for r in reports.filter(status=ReportTimeliness.Status.NOT_DUE, period__due_on__lte=soon):
        line = _("Báo cáo %(period)s cần nộp trước ngày %(due)s.") % {
            "period": r.period.label,
            "due": vn_date(r.period.due_on),
        }
        items[r.agency_id].append((Reminder.Kind.REPORT_DUE_SOON, f"report:{r.agency_id}:{r.period_id}", line))
    for r in reports.filter(status__in=[ReportTimeliness.Status.MISSING, ReportTimeliness.Status.PARTIAL]):
        line = _("Chưa gửi đủ số liệu %(period)s (hạn %(due)s): đã gửi %(sent)s/%(expected)s.") % {
            "period": r.period.label,
            "due": vn_date(r.period.due_on),
            "sent": r.sent,
            "expected": r.expected,
        }
        items[r.agency_id].append((Reminder.Kind.REPORT_MISSING, f"report:{r.agency_id}:{r.period_id}", line))
    for source in REMINDER_SOURCES:
        for agency_id, found in source(as_of).items():
            items[agency_id] += found
    return items


@transaction.atomic
def reminders_send(*, as_of: date) -> int:
    """E-mail each agency's users what falls due within ``REMINDER_DAYS_BEFORE`` days and what became overdue.

    Every reminder sent is recorded (kind, what, user), and a recorded reminder is never sent again. The
    records are written in the same transaction as the sending, so a failed send is retried next run.
    Returns the number of e-mails sent.
    """
    items = _reminder_items(as_of)
    if not items:
        return 0
    users = list(
        User.objects.filter(agency_id__in=list(items), is_active=True, role=User.Role.AGENCY_STAFF)
        .exclude(email="")
        .order_by("pk")
    )
    sent = set(Reminder.objects.filter(user__in=users).values_list("kind", "key", "user_id"))
    messages, records = [], []
    for user in users:
        new = [(kind, key, line) for kind, key, line in items[user.agency_id] if (kind, key, user.pk) not in sent]
        if not new:
            continue
        body = "\n".join(
            [_("Kính gửi %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
            + [f"- {line}" for _kind, _key, line in new]
            + ["", _("Bảng theo dõi Kế hoạch 65-KH/TU")]
        )
        subject = _("[KH 65-KH/TU] %(count)s việc cần chú ý") % {"count": len(new)}
        messages.append(EmailMessage(subject, body, to=[user.email]))
        records += [Reminder(kind=kind, key=key, user=user, sent_on=as_of) for kind, key, _line in new]
    Reminder.objects.bulk_create(records, ignore_conflicts=True, batch_size=2000)
    get_connection().send_messages(messages)
    return len(messages)


@transaction.atomic
def steering_digest_send(*, as_of: date) -> int:
    """The weekly digest for the Steering Committee: target statuses, overdue tasks, missing reports, and what the
    apps above add (``DIGEST_SECTIONS``: recommendations of inspections).

    Sent once per ISO week and member (recorded like reminders). Returns the number of e-mails sent.
    """
    year, week, _day = as_of.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    users = list(
        User.objects.filter(role=User.Role.STEERING, is_active=True)
        .exclude(email="")
        .exclude(reminders__kind=Reminder.Kind.DIGEST, reminders__key=key)
        .order_by("pk")
    )
    if not users:
        return 0
    snapshot = list(target_statuses_as_of(as_of=as_of).values_list("as_of", "status"))
    day = snapshot[0][0] if snapshot else None
    counts = Counter(status for _as_of, status in snapshot)
    labels = dict(TargetStatus.Status.choices)
    overdue = occurrences_overdue()
    missing = reports_missing()
    lines = [_("Tình hình thực hiện Kế hoạch 65-KH/TU, tuần %(week)s/%(year)s") % {"week": week, "year": year}, ""]
    if day:
        lines.append(_("Mục tiêu (tính đến %(day)s):") % {"day": vn_date(day)})
        lines += [f"- {labels[status]}: {counts[status]}" for status in TargetStatus.Status.values if counts[status]]
    lines += [
        "",
        _("Nhiệm vụ quá hạn: %(count)s lượt") % {"count": overdue.count()},
        _("Báo cáo chưa nộp đủ: %(count)s") % {"count": missing.count()},
    ]
    for o in overdue[:10]:
        lines.append(
            _("- Nhiệm vụ %(number)s · %(agency)s · hạn %(due)s · chậm %(days)s ngày")
            % {"number": o.task.number, "agency": o.agency.name, "due": vn_date(o.due_on), "days": o.days_late}
        )
    for section in DIGEST_SECTIONS:
        found = section(as_of)
        if found:
            lines += ["", *found]
    body = "\n".join(lines)
    subject = _("[KH 65-KH/TU] Bản tin tuần %(week)s/%(year)s") % {"week": week, "year": year}
    messages = [EmailMessage(subject, body, to=[user.email]) for user in users]
    Reminder.objects.bulk_create(
        [Reminder(kind=Reminder.Kind.DIGEST, key=key, user=user, sent_on=as_of) for user in users],
        ignore_conflicts=True,
    )
    get_connection().send_messages(messages)
    return len(messages)


# ---------------------------------------------------------------------------------------------------------------
# Task progress reports: draft → submitted → approved | returned, one history version per step.

TASK_UPDATE_FIELDS = (
    "progress",
    "percent_complete",
    "work_done",
    "difficulties",
    "proposals",
    "document_number",
    "document_date",
    "completed_on",
)


@transaction.atomic
def task_update_save(
    *, task: Task, agency: Agency, period: Period, user, data: dict, evidence=None, submit: bool = False
) -> TaskUpdate:
    """Record an agency's progress on a task for a period, as a draft or submitted for review."""
    check_period_open(period)
    period = period_stored(period)
    if (
        not TaskAssignment.objects.overlapping(period.starts_on, period.ends_on)
        .filter(task=task, agency=agency)
        .exists()
    ):
        raise EntryError(_("Cơ quan không được giao nhiệm vụ này trong kỳ %(period)s.") % {"period": period.label})
    update = TaskUpdate.objects.select_for_update().filter(task=task, agency=agency, period=period).first() or (
        TaskUpdate(task=task, agency=agency, period=period)
    )
    if update.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED):
        message = _("Báo cáo nhiệm vụ %(number)s kỳ %(period)s đã gửi hoặc đã duyệt.")
        raise EntryError(message % {"number": task.number, "period": period.label})
    for name in TASK_UPDATE_FIELDS:
        value = data.get(name)
        field = TaskUpdate._meta.get_field(name)
        if isinstance(value, str):
            value = text_checked(value, label=str(field.verbose_name).capitalize())
        setattr(update, name, field.get_default() if value is None and not field.null else value)
    if update.progress == TaskUpdate.Progress.DONE:
        update.percent_complete = 100
    else:
        update.completed_on = None
    if evidence:
        evidence_replace(update, evidence)
    update.entered_by = user
    if submit:
        update.status = SubmissionStatus.SUBMITTED
        update.submitted_at = timezone.now()
    elif update.status != SubmissionStatus.RETURNED:
        update.status = SubmissionStatus.DRAFT
    save_version(update, user=user, reason="Gửi duyệt" if submit else "Lưu nháp")
    return update


@transaction.atomic
def task_update_approve(*, task_update: TaskUpdate, user, note: str = "") -> bool:
    update = TaskUpdate.objects.select_for_update().get(pk=task_update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    update.status = SubmissionStatus.APPROVED
    update.reviewed_by, update.reviewed_at, update.review_note = user, timezone.now(), note
    save_version(update, user=user, reason="Phê duyệt")
    return True


@transaction.atomic
def task_update_return(*, task_update: TaskUpdate, user, reason: str) -> bool:
    reason = text_checked(reason, label=_("Lý do trả lại"))
    if not reason:
        raise EntryError(_("Hãy nêu lý do trả lại."))
    update = TaskUpdate.objects.select_for_update().get(pk=task_update.pk)
    if update.status != SubmissionStatus.SUBMITTED:
        return False
    update.status = SubmissionStatus.RETURNED
    update.reviewed_by, update.reviewed_at, update.review_note = user, timezone.now(), reason
    save_version(update, user=user, reason=f"Trả lại: {reason}")
    return True
