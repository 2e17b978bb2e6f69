"""Dashboards: the province overview, an indicator, an agency, the task board and a task. Every role may read
them and comment on an indicator or a task (the only thing Steering Committee members write).

Filters live in the query string so that a view can be shared as a link; ``?format=csv|xlsx&bang=NAME``
on the same URL downloads one of the page's tables.
"""

from __future__ import annotations

import functools
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from adjustments.describe import adjustment_sentence, change_text
from adjustments.selectors import adjustment_changes_between, indicator_adjustment_notes, task_adjustment_notes
from agencies.models import Agency
from agencies.permissions import can_enter_data, can_review
from comments.selectors import comments_on
from comments.services import CommentError, comment_add
from core.formatting import format_number, period_phrase
from core.snapshots import (
    APPROVED,
    DIRECTORY,
    FIGURES,
    OVERSIGHT,
    PERIODS,
    PLAN,
    REVIEW,
    TASKS,
    UNAPPROVED,
    cached_block,
    depends_on,
)
from core.snapshots import agency as agency_dependency
from core.snapshots import comments as comments_dependency
from core.snapshots import indicator as indicator_dependency
from core.snapshots import metric as metric_dependency
from core.snapshots import metric_figures as metric_figures_dependency
from core.snapshots import period_sent as period_sent_dependency
from core.snapshots import task as task_dependency
from core.workflow import SubmissionStatus
from indicators.models import Indicator, Metric, ParsedTarget, Period, ReportTimeliness, TargetStatus
from indicators.periods import QUARTER, period_containing
from indicators.progress import Point as ProgressPoint
from indicators.progress import forecast
from indicators.selectors import assessment_disagreements, plan_current, plan_day
from indicators.statuses import latest_claim, latest_text, status_label
from indicators.validation import value_bounds
from oversight.selectors import recommendation_rows, recommendations_concluded, recommendations_summary
from tasks.models import Task, TaskOccurrence
from tasks.schedule import RULE_HALF_YEARLY, RULE_MONTHLY, RULE_QUARTERLY, RULE_YEARLY

from . import charts, explorer, selectors
from .pages import Page, Part, page_response, part_marker
from .tables import Table


def _today() -> date:
    return timezone.localdate()


def _number(value) -> str:
    return format_number(value) if value is not None else ""


def target_label(parsed: ParsedTarget) -> str:
    unit = f" {parsed.metric.unit}" if parsed.metric.unit else ""
    if parsed.operator == ParsedTarget.Operator.RANGE:
        return f"{format_number(parsed.value)}–{format_number(parsed.value_max)}{unit}"
    return f"{parsed.get_operator_display()} {format_number(parsed.value)}{unit}"


#: the progress engine's reason codes (indicators/progress.py) as sentences for the "why this colour" box
EXPLANATION_REASONS = {
    "assessed_by_reviewer": gettext_lazy("Mục tiêu định tính: mức đạt do cơ quan thường trực đánh giá."),
    "no_data": gettext_lazy("Chưa có số liệu đã duyệt để đánh giá."),
    "target_met": gettext_lazy("Giá trị mới nhất đã đạt mục tiêu."),
    "single_point": gettext_lazy("Mới có một số liệu: chưa thấy được xu hướng."),
    "met_then_lost": gettext_lazy("Giá trị gốc đã đạt mục tiêu nhưng giá trị mới nhất không còn đạt."),
    "deadline_passed": gettext_lazy("Đã qua mốc thời hạn: so phần đã tiến được với phần cần đạt."),
    "growth_ratio": gettext_lazy("So tốc độ tăng trưởng kép thực tế với tốc độ cần có để đạt mục tiêu đúng hạn."),
    "gap_closure": gettext_lazy("So tốc độ thu hẹp khoảng cách thực tế với tốc độ cần có để đạt mục tiêu đúng hạn."),
    "year_met": gettext_lazy("Lũy kế từ đầu năm đã đạt mục tiêu của năm."),
    "year_to_date": gettext_lazy("So lũy kế từ đầu năm với phần cần đạt đến nay."),
    "last_year_met": gettext_lazy("Tổng năm gần nhất đã đạt mục tiêu."),
    "last_year": gettext_lazy("So tổng năm gần nhất với mục tiêu."),
}
LINEAR_BECAUSE = {
    "configured": gettext_lazy("Dùng phương pháp tuyến tính theo cấu hình của chỉ số."),
    "range": gettext_lazy("Dùng phương pháp tuyến tính vì mục tiêu là một khoảng giá trị."),
    "bounded": gettext_lazy("Dùng phương pháp tuyến tính vì chỉ số có giới hạn trên (tỷ lệ, chỉ số 0–1)."),
    "non_positive": gettext_lazy(
        "Dùng phương pháp tuyến tính vì giá trị gốc, giá trị mới nhất hoặc mục tiêu không dương."
    ),
}


def explanation_lines(explanation: dict | None) -> list[str]:
    """The progress engine's reason codes as sentences in the active language (for readers of other languages)."""
    if not explanation:
        return []
    lines = []
    reason = explanation.get("reason")
    if reason:
        lines.append(str(EXPLANATION_REASONS.get(reason, reason)))
    if explanation.get("linear_because") in LINEAR_BECAUSE:
        lines.append(str(LINEAR_BECAUSE[explanation["linear_because"]]))
    if explanation.get("next_unmet_milestone"):
        milestone = explanation["next_unmet_milestone"]
        lines.append(_("Mốc tiếp theo chưa đạt: %(year)s.") % {"year": milestone})
    return lines


def explanation_text(explanation: dict | None) -> tuple[str, list]:
    """The progress engine's reasons for a colour: its Vietnamese summary and labelled inputs (never raw keys)."""
    if not explanation:
        return "", []
    if translation.get_language() != settings.LANGUAGE_CODE:
        # the stored summary and labels are Vietnamese; other languages get the translated reason sentences
        return " ".join(explanation_lines(explanation)), []
    items = [item for item in explanation.get("items", []) if isinstance(item, list | tuple) and len(item) == 2]
    return str(explanation.get("summary", "")), items


def _disagreements(*, today: date, as_of: date | None, metric_ids=None) -> list[dict]:
    """Agencies' own confidence this quarter that the computed status contradicts (issue 4: easy to find), of every
    metric or of ``metric_ids``."""
    bounds = period_containing(QUARTER, today)
    quarter = Period.objects.filter(kind=QUARTER, year=bounds.year, number=bounds.number).first()
    if quarter is None:
        return []
    found = assessment_disagreements(period=quarter, as_of=as_of or today, metric_ids=metric_ids)
    for item in found:
        item["computed_labels"] = [TargetStatus.Status(code).label for code in item["computed"]]
    return found


def _milestone(request, plan) -> int:
    milestones = plan.milestones or [2030]
    try:
        chosen = int(request.GET.get("moc", milestones[0]))
    except ValueError:
        chosen = milestones[0]
    return chosen if chosen in milestones else milestones[0]


def _scorecard_table(rows: list[selectors.ScorecardRow]) -> Table:
    return Table(
        "bang-diem-co-quan",
        [
            _("Cơ quan"),
            _("Nhiệm vụ đúng hạn"),
            _("Nhiệm vụ hoàn thành muộn"),
            _("Nhiệm vụ quá hạn"),
            _("Báo cáo đúng hạn"),
            _("Báo cáo muộn"),
            _("Báo cáo chưa nộp đủ"),
            _("Số liệu chờ duyệt"),
        ],
        [
            [
                r.agency.name,
                r.tasks_on_time,
                r.tasks_late,
                r.tasks_overdue,
                r.reports_on_time,
                r.reports_late,
                r.reports_missing,
                r.figures_waiting,
            ]
            for r in rows
        ],
    )


def _overdue_table(occurrences: list[TaskOccurrence]) -> Table:
    return Table(
        "nhiem-vu-qua-han",
        [_("Nhiệm vụ"), _("Tên nhiệm vụ"), _("Cơ quan"), _("Vai trò"), _("Hạn"), _("Số ngày quá hạn")],
        [
            [o.task.number, o.task.title, o.agency.name, o.get_role_display(), o.due_on, o.days_late]
            for o in occurrences
        ],
    )


#: a table of targets as every page downloads it: what the status rests on, with its marks
TARGET_COLUMNS = [
    gettext_lazy("Chỉ tiêu"),
    gettext_lazy("Chỉ số"),
    gettext_lazy("Mục tiêu"),
    gettext_lazy("Trạng thái"),
    gettext_lazy("Tình trạng số liệu"),
    gettext_lazy("Giá trị mới nhất"),
    gettext_lazy("Đơn vị"),
    gettext_lazy("Kỳ"),
    gettext_lazy("Tạm tính"),
    gettext_lazy("Số cơ quan có số liệu"),
    gettext_lazy("Số cơ quan phải báo cáo"),
    gettext_lazy("Chưa đủ cơ quan báo cáo"),
]


def _target_row(parsed: ParsedTarget, status: TargetStatus | None) -> list:
    """One target in a downloaded table: the claim every surface shows (``indicators.statuses.status_claim``)."""
    claim = latest_claim(status) if status is not None else None
    covered = (claim or {}).get("coverage") or {}
    yes = _("có")
    return [
        parsed.target.indicator.code,
        parsed.metric.name,
        target_label(parsed),
        status_label(status),
        status.get_freshness_display() if status else TargetStatus.Freshness.MISSING.label,
        claim["value"] if claim else None,
        parsed.metric.unit,
        period_phrase(claim["period"], claim["provisional"], status.latest_date) if claim and claim["period"] else "",
        yes if claim and claim["provisional"] else "",
        covered.get("reporters"),
        covered.get("expected"),
        yes if covered.get("low") else "",
    ]


SCORECARD_KINDS = [("", gettext_lazy("Tất cả")), *Agency.Kind.choices]
SCORECARD_COLUMNS = [
    ("ten", gettext_lazy("Cơ quan")),
    ("dung-han", gettext_lazy("NV đúng hạn")),
    ("hoan-thanh-muon", gettext_lazy("NV hoàn thành muộn")),
    ("qua-han", gettext_lazy("NV quá hạn")),
    ("bao-cao-dung-han", gettext_lazy("Báo cáo đúng hạn")),
    ("bao-cao-muon", gettext_lazy("Báo cáo muộn")),
    ("bao-cao-thieu", gettext_lazy("Báo cáo chưa nộp đủ")),
    ("cho-duyet", gettext_lazy("Số liệu chờ duyệt")),
]


@login_required
def plan_overview(request):
    """The plan's groups and indicators with their targets for each milestone (Appendix I)."""
    # and each indicator's standing: the statuses computed from approved figures
    return page_response(request, "plan", _plan_overview, depends=[PLAN, FIGURES])


def _plan_cells(plan, groups) -> dict[int, str]:
    """Each indicator's cells on the plan page (its targets for every milestone, its lead agencies), rendered: the
    plan's own text, the same until the plan changes, kept rendered (in each language) so that the page rebuilt
    after every approval renders only where each indicator stands (two thirds of its rendering)."""

    def render() -> dict[int, str]:
        return {
            indicator.pk: render_to_string("dashboards/_plan_cells.html", {"indicator": indicator})
            for group in groups
            for indicator in group.indicators.all()
        }

    language = translation.get_language()
    return cached_block("plan-cells", plan.pk, plan_day(plan), language, depends=[PLAN], build=render)


def _plan_overview() -> Page:
    plan = plan_current()
    groups = selectors.plan_structure(plan) if plan else []
    context = {"plan": plan, "groups": groups}
    if plan:
        cells = _plan_cells(plan, groups)
        # each indicator's standing against the milestone ahead, and its latest value (as the public page shows)
        statuses = {s.parsed_target_id: s for s in selectors.latest_statuses(plan)}
        as_of = next(iter(statuses.values())).as_of if statuses else None
        milestone = plan.milestone_for(as_of or _today())
        for group in groups:
            for indicator in group.indicators.all():
                indicator.standing = [
                    {
                        "metric": parsed.metric,
                        "status": statuses.get(parsed.pk),
                        "code": statuses[parsed.pk].status if parsed.pk in statuses else TargetStatus.Status.NO_DATA,
                        "latest": latest_text(statuses[parsed.pk], parsed.metric.unit) if parsed.pk in statuses else "",
                    }
                    for target in indicator.targets.all()
                    if target.year == milestone
                    for parsed in target.parsed_targets.all()
                ]
                indicator.qualitative_now = any(t.qualitative for t in indicator.targets.all() if t.year == milestone)
                indicator.cells = mark_safe(cells[indicator.pk])  # noqa: S308 - our own rendered template
        context.update(milestone=milestone, as_of=as_of)
    return Page("dashboards/plan_overview.html", context)


#: rows of the overview's "needs attention" list before "see all"
ATTENTION_SHOWN = 8
#: overdue recommendations of inspections the overview names, the most late first
OVERDUE_RECOMMENDATIONS_SHOWN = 3


@login_required
def home(request):
    """Each person lands on what needs them: agency staff on their work list, the standing office on its
    review queue; the Steering Committee and administrators on the province overview (also ``/tong-quan/``)."""
    user = request.user
    if not request.GET and not user.is_administrator:
        if can_enter_data(user):
            return redirect("worklist")
        if can_review(user):
            return redirect("review_queue")
    return overview(request)


@login_required
def overview(request):
    """The province at a glance: headline figures, targets by group, overdue work, the agency scorecard."""
    # statuses and figures, occurrences and timeliness, the recommendations of inspections, the quarter last due;
    # what every figure sent changes (who has sent the quarter's figures, the scorecard's "waiting" column) is cached
    # apart, so that a figure sent does not rebuild the charts and tables
    plan = functools.cache(plan_current)  # read once when the body and the parts are built by the same request

    def render(template: str, context: dict) -> str:
        return render_to_string(template, context, request=request)

    @functools.cache  # both parts are stale together: read once
    def last_due():
        return selectors.reporting_last_due(plan=plan(), as_of=_today()) if plan() else None

    def reporting() -> dict:
        """Who has sent the quarter last due, for each part that shows it: moved by what is sent for that quarter, not
        for the one being entered (a quarter nobody has written for yet is not stored: its first figure moves
        ``periods``)."""
        found = last_due()
        if found is not None and found.period.pk:
            depends_on(period_sent_dependency(found.period.pk))
        return {"reporting": found}

    parts = {
        "reporting_kpi": Part([PLAN, PERIODS], lambda: render("dashboards/_reporting_kpi.html", reporting())),
        "reporting": Part([PLAN, PERIODS], lambda: render("dashboards/_reporting.html", reporting())),
        WAITING: _waiting_part(request, plan),
    }
    return page_response(
        request,
        "overview",
        lambda: _overview(request, plan()),
        depends=[PLAN, FIGURES, TASKS, OVERSIGHT, PERIODS],
        parts=parts,
    )


#: the part that fills the scorecard's "figures waiting" cells (``_waiting_part``)
WAITING = "waiting"


def _waiting_part(request, plan) -> Part:
    """The scorecard's "figures waiting" column, cached apart from the page: every figure sent or approved moves it
    (``review``), and nothing else of the page."""

    def counts() -> dict[str, str]:
        found = selectors.figures_waiting(plan=plan(), user=request.user) if plan() else {}
        return {str(agency_id): format_number(n) for agency_id, n in found.items()}

    return Part([PLAN, REVIEW], counts, default="0")


def _scorecard_context(request, plan, *, default_kind: str, every=None) -> dict:
    """The scorecard as the overview and ``/co-quan/`` show it: of the agencies of a kind (``loai``; "" every
    kind), sorted by a column (``sap_xep``); ``every``, if given, is every agency's row in that order
    (``_scorecard_rows``). Its "figures waiting" cells are the ``WAITING`` part's, unless sorted by them."""
    kind = _scorecard_kind(request, default_kind)
    sort = request.GET.get("sap_xep", "qua-han")
    if not plan:
        scorecard = []
    elif every is not None:
        scorecard = [row for row in every if not kind or row.agency.kind == kind]
    else:
        scorecard = _scorecard_rows(request, plan, kind=kind or None)
    return {
        "scorecard": scorecard,
        "kind": kind,
        "kinds": SCORECARD_KINDS,
        "scorecard_columns": SCORECARD_COLUMNS,
        "sort": sort,
    }


def _scorecard_kind(request, default_kind: str) -> str:
    """The kind of agency the scorecard lists (``loai``; "" every kind; anything else: ``default_kind``)."""
    kind = request.GET.get("loai", default_kind)
    return kind if kind in Agency.Kind.values or kind == "" else default_kind


def _scorecard_rows(request, plan, *, kind: str | None, counts=None) -> list:
    """The scorecard's rows in the order asked (``sap_xep``), each "figures waiting" cell a marker the ``WAITING``
    part fills in; sorted by that column, the order itself follows what waits: counted here, the page depending on
    ``review``."""
    sort = request.GET.get("sap_xep", "qua-han")
    by_waiting = sort == "cho-duyet"
    if by_waiting:
        depends_on(REVIEW)
    rows = selectors.agency_scorecard(
        plan=plan, kind=kind, user=request.user, sort=sort, waiting=by_waiting, counts=counts
    )
    for row in rows:
        filled = row.figures_waiting is not None and not by_waiting
        row.waiting_marker = mark_safe(part_marker(WAITING, row.agency.pk)) if filled else ""  # noqa: S308 - fixed
    return rows


def _overview(request, plan) -> Page:
    if plan is None:
        return Page("dashboards/overview.html", {"plan": None})
    today = _today()
    milestone = _milestone(request, plan)
    groups, targets, as_of = selectors.milestone_targets(plan=plan, milestone=milestone)
    # the occurrences and timeliness counted once for the tallies, the scorecard and the overdue work
    counts = selectors.occurrence_counts(plan)
    # tasks counted as tasks (x/35), their due dates as "lượt": the one rule of tasks.occurrences.tally
    tasks = selectors.task_tally(plan=plan, counts=counts)
    occurrences = tasks.due
    # every agency's row of the scorecard (its figures waiting filled in apart: ``WAITING``), and from them the
    # agencies furthest behind
    every_agency = _scorecard_rows(request, plan, kind=None, counts=counts)
    overdue_by_task, overdue_by_agency = selectors.overdue_grouped(plan=plan, counts=counts)
    # the recommendations of inspections, by the one rule for work with a deadline, as of today
    recommendations = recommendations_summary(plan=plan, as_of=today)

    attention = selectors.targets_needing_attention(targets)
    measured = len(targets)
    by_status = {code: sum(g.counts.get(code, 0) for g in groups) for code in selectors.TARGET_STATUSES}
    behind = sum(by_status[code] for code in selectors.BEHIND)

    def share(n: int) -> str:
        return format_number(round(100 * n / measured)) if measured else "0"

    statuses = [(code, selectors.Status(code).label) for code in selectors.TARGET_STATUSES]
    figures = {
        "status_by_group": charts.status_by_group_figure(
            [{"label": g.group.code, "counts": g.counts} for g in groups], statuses
        ),
        "tasks": charts.counts_bar_figure(
            [
                (code, TaskOccurrence.Status(code).label, occurrences.get(code, 0))
                for code in selectors.OCCURRENCE_STATUSES
            ],
            title=_("Số lượt đến hạn"),
        ),
    }
    context = {
        "plan": plan,
        "today": today,
        "milestone": milestone,
        "as_of": as_of,
        "headline": {
            "measured": measured,
            "achieved": by_status[selectors.Status.ACHIEVED],
            "achieved_share": share(by_status[selectors.Status.ACHIEVED]),
            "on_track": by_status[selectors.Status.ON_TRACK],
            "on_track_share": share(by_status[selectors.Status.ON_TRACK]),
            "behind": behind,
            "behind_share": share(behind),
            "no_data": by_status[selectors.Status.NO_DATA],
            # stale data is counted, never hidden behind a colour (issue 11)
            "late": sum(1 for row in targets if row.status and row.status.is_late),
            "missing": sum(1 for row in targets if not row.status or row.status.freshness == "missing"),
            "recommendations_open": recommendations.tally.open + recommendations.tally.overdue,
            "recommendations_overdue": recommendations.tally.overdue,
            "recommendations_done": recommendations.tally.done,
        },
        "tasks": tasks,
        "groups": groups,
        "statuses": statuses,
        "targets": targets,
        # what needs the Committee's eye first (issue 14): off-track and late-data targets, overdue work
        # grouped by task and by agency, the agencies furthest behind; the rest one click away
        "attention": attention[:ATTENTION_SHOWN],
        "attention_total": len(attention),
        "overdue_by_task": overdue_by_task,
        "overdue_by_agency": overdue_by_agency,
        "laggards": selectors.laggards(every_agency),
        "overdue_total": occurrences.get(TaskOccurrence.Status.OVERDUE, 0),
        "recommendations_late": recommendations.overdue[:OVERDUE_RECOMMENDATIONS_SHOWN],
        "figures": figures,
        "disagreements": _disagreements(today=today, as_of=as_of),
        # "Trong kỳ, Ban Thường vụ điều chỉnh …": the adjustments taking effect this quarter
        "adjustments": [adjustment_sentence(a, changes) for a, changes in _quarter_adjustments(plan, today)],
    }
    tables = {
        "muc-tieu": lambda: Table(
            f"muc-tieu-{milestone}",
            TARGET_COLUMNS,
            [_target_row(row.parsed, row.status) for row in targets],
        ),
        "nhom": lambda: Table(
            f"trang-thai-theo-nhom-{milestone}",
            [_("Nhóm"), *[label for _code, label in statuses], _("Tổng")],
            [[g.label, *g.count_list(), g.total] for g in groups],
        ),
        "qua-han": lambda: _overdue_table(selectors.overdue_occurrences(plan=plan, limit=None)),
        "co-quan": lambda: _scorecard_download(request, plan, default_kind=Agency.Kind.DEPARTMENT),
    }
    context.update(_scorecard_context(request, plan, default_kind=Agency.Kind.DEPARTMENT, every=every_agency))
    return Page("dashboards/overview.html", context, tables)


@login_required
def agency_list(request):
    """The agency scorecard on its own, every kind of agency, sortable."""
    parts = {WAITING: _waiting_part(request, functools.cache(plan_current))}
    return page_response(request, "agency-list", lambda: _agency_list(request), depends=[PLAN, TASKS], parts=parts)


def _agency_list(request) -> Page:
    plan = plan_current()
    context = {"plan": plan, **_scorecard_context(request, plan, default_kind="")}
    return Page(
        "dashboards/agency_list.html",
        context,
        {"co-quan": lambda: _scorecard_download(request, plan, default_kind="")},
    )


def _scorecard_download(request, plan, *, default_kind: str) -> Table:
    """The scorecard as downloaded: its figures waiting counted in (the page fills them in apart)."""
    kind = _scorecard_kind(request, default_kind)
    sort = request.GET.get("sap_xep", "qua-han")
    return _scorecard_table(selectors.agency_scorecard(plan=plan, kind=kind or None, user=request.user, sort=sort))


@login_required
def indicator_page(request, code: str, *, comment_form: dict | None = None, status_code: int = 200):
    """One indicator: its cells verbatim, per metric the approved series against targets, why each colour,
    and readers' comments (``comment_form`` carries a rejected comment back to its field)."""

    def comments(keep: dict) -> str:
        if "indicator" not in keep:
            return ""
        action = reverse("indicator_comment", args=[code])
        return _comments_tail(request, "indicator", keep["indicator"], action=action, comment_form=comment_form)

    return page_response(
        request,
        "indicator",
        lambda: _indicator(code, viewer=request.user),
        depends=[PLAN],  # and, once known, its metrics and its cells (``_indicator``)
        tail=comments,
        status=status_code,
    )


def _quarter_adjustments(plan, today: date) -> list:
    """The approved adjustments taking effect in the reporting quarter that contains ``today``, with their changes
    (one query)."""
    quarter = period_containing(selectors.REPORTING_KIND, today)
    return adjustment_changes_between(plan=plan, start=quarter.starts_on, end=quarter.ends_on)


def _adjustment_notes(notes, metrics=()) -> list[tuple]:
    """Each approved change with its decision ("Điều chỉnh theo Quyết định số … ngày …: trước …, nay …"), whether
    it is in force yet and whether it was revoked. A cell's measurable targets read again from its new text say
    nothing the text does not: only the text is noted."""
    units = {m.code: m.unit for m in metrics}
    texts = {(n.adjustment.pk, n.change.code, n.change.year) for n in notes if n.change.subject == "target"}
    today = _today()
    return [
        (note.adjustment, change_text(note.change, units), note.revoked, note.adjustment.effective_on > today)
        for note in notes
        if not (
            note.change.subject == "parsed_target" and (note.adjustment.pk, note.change.code, note.change.year) in texts
        )
    ]


def _indicator(code: str, *, viewer) -> Page:
    plan = plan_current()
    if plan is None:
        return Page("dashboards/overview.html", {"plan": None})
    indicator = selectors.indicator_detail(plan=plan, code=code)
    statuses = selectors.indicator_statuses(indicator)
    cells = list(indicator.targets.all())
    metrics: dict[int, Metric] = {}
    targets_by_metric: dict[int, list[ParsedTarget]] = {}
    for cell in cells:
        for parsed in cell.parsed_targets.all():
            metrics.setdefault(parsed.metric_id, parsed.metric)
            targets_by_metric.setdefault(parsed.metric_id, []).append(parsed)
            parsed.latest_status = statuses.get(parsed.pk)
            parsed.label = target_label(parsed)
            parsed.explanation_summary, parsed.explanation_items = explanation_text(
                parsed.latest_status.explanation if parsed.latest_status else None
            )
    # the page shows its metrics' figures, values, statuses and self-assessments, and its cells' assessments
    depends_on(
        indicator_dependency(indicator.pk),
        *(metric_dependency(pk) for pk in metrics),
        *(metric_figures_dependency(pk) for pk in metrics),
    )
    by_metric: dict[int, list[dict]] = {}
    for item in _disagreements(today=_today(), as_of=None, metric_ids=list(metrics)):
        by_metric.setdefault(item["assessment"].metric_id, []).append(item)
    for cell in cells:
        for parsed in cell.parsed_targets.all():
            parsed.disagreements = by_metric.get(parsed.metric_id, [])
    assessments = {}
    for assessment in selectors.indicator_assessments(indicator):
        assessments.setdefault(assessment.target_id, assessment)
    for cell in cells:
        cell.assessment = assessments.get(cell.pk)

    panels = []
    facts = selectors.metric_facts(list(metrics.values()))
    for series in selectors.metric_series(list(metrics.values())):
        metric = series.metric
        milestones = [
            charts.MilestoneTarget(
                p.target.year, float(p.value), float(p.value_max) if p.value_max is not None else None, p.label
            )
            for p in targets_by_metric[metric.pk]
        ]
        first = targets_by_metric[metric.pk][0]
        status = first.latest_status
        baseline = None
        if status and status.baseline_value is not None and status.baseline_date:
            baseline = charts.Point(status.baseline_date, float(status.baseline_value))
        elif series.points:
            baseline = series.points[0]
        # the forecast is the status's own: same method, baseline and latest value (docs/progress-method.md)
        projection = []
        if status and status.latest_value is not None and status.latest_date and milestones:
            line = forecast(
                status.explanation,
                status.method,
                ProgressPoint(status.latest_date, float(status.latest_value)),
                date(milestones[0].year, 12, 31),
            )
            projection = [charts.Point(p.on, p.value) for p in line]
        figure = charts.metric_series_figure(
            name=metric.name,
            unit=metric.unit,
            points=series.points,
            targets=milestones,
            baseline=baseline,
            first_milestone=milestones[0] if milestones else None,
            projection=projection,
            bounds=value_bounds(metric.kind, metric.ratio_scale),
        )
        breakdown = None
        if series.breakdown:
            breakdown = charts.breakdown_figure([(a.display_name, v) for a, v in series.breakdown], unit=metric.unit)
        panels.append(
            {"series": series, "figure": figure, "breakdown": breakdown, "status": status, "facts": facts[metric.pk]}
        )

    figures = {}
    for index, panel in enumerate(panels):
        figures[f"series-{index}"] = panel["figure"]
        if panel["breakdown"]:
            figures[f"breakdown-{index}"] = panel["breakdown"]
    recent = selectors.recent_figures(list(metrics.values()), viewer=viewer)
    context = {
        "plan": plan,
        "indicator": indicator,
        # the plan gives an indicator no name of its own: it is named by what it measures
        "indicator_name": "; ".join(m.name for m in metrics.values()),
        "cells": cells,
        "panels": panels,
        "recent": recent,
        "figures": figures,
        "adjustments": _adjustment_notes(indicator_adjustment_notes(indicator), metrics.values()),
    }
    tables = {
        "so-lieu": lambda: Table(
            f"chi-tieu-{indicator.code}-so-lieu-toan-tinh",
            [
                _("Chỉ số"),
                _("Đơn vị"),
                _("Ngày cuối kỳ"),
                _("Giá trị toàn tỉnh"),
                _("Tạm tính"),
                _("Số cơ quan có số liệu"),
                _("Số cơ quan phải báo cáo"),
                _("Chưa đủ cơ quan báo cáo"),
            ],
            # every period: the page shows the recent ones (selectors.SHOWN_YEARS); yearly flows as year totals
            [
                [
                    metric.name,
                    metric.unit,
                    row.day,
                    round(row.value, 4),
                    _("có") if row.provisional else "",
                    row.reporters or None,
                    row.expected or None,
                    _("có") if row.coverage_low else "",
                ]
                for metric, rows in selectors.metric_history(list(metrics.values())).items()
                for row in rows
            ],
        ),
        "gan-day": lambda: Table(
            f"chi-tieu-{indicator.code}-so-lieu-gan-day",
            [_("Chỉ số"), _("Cơ quan"), _("Kỳ"), _("Giá trị"), _("Trạng thái")],
            [[o.metric.name, o.agency.name, o.period.label, o.value, o.get_status_display()] for o in recent],
        ),
    }
    return Page("dashboards/indicator.html", context, tables, keep={"indicator": indicator.pk})


#: overdue occurrences listed on an agency's page; all of them are in its "qua-han" download
AGENCY_OVERDUE_SHOWN = 50


@login_required
def agency_page(request, code: str):
    """One agency: its tasks (lead and cooperating), its metrics, its submissions and their timeliness."""
    # its approved work and snapshots (``_agency`` adds the agency once known), the recommendations concerning it;
    # the statuses of the targets it answers for, which most recomputes move, are a part of their own
    # the plan and the agency, read once when the body and the part are built by the same request
    plan = functools.cache(plan_current)
    agency = functools.cache(lambda: selectors.agency_get(code))
    return page_response(
        request,
        "agency",
        lambda: _agency(plan(), agency, viewer=request.user),
        depends=[PLAN, OVERSIGHT],
        parts={"targets": Part([PLAN], lambda: _agency_targets(request, plan(), agency))},
    )


def _agency_targets(request, plan, agency_of) -> str:
    if plan is None:
        return ""
    agency = agency_of()
    milestone = plan.milestone_for(_today())
    targets = selectors.agency_targets(plan=plan, agency=agency, milestone=milestone)
    depends_on(*(metric_dependency(row.parsed.metric_id) for row in targets))
    context = {"agency": agency, "milestone": milestone, "targets": targets}
    return render_to_string("dashboards/_agency_targets.html", context, request=request)


def _agency_plan(plan, agency) -> dict[str, str]:
    """What an agency's page shows of the plan, rendered: its tasks (lead, then cooperating) and the metrics it
    reports with the indicators it leads. The same until the plan changes: kept rendered (in each language), so that
    the page, rebuilt after every approval of its figures or of its metrics, reads and renders only what moved."""

    def render() -> dict[str, str]:
        assignments = selectors.agency_assignments(plan=plan, agency=agency)
        tasks = {
            "lead": [a for a in assignments if a.role == "lead"],
            "cooperating": [a for a in assignments if a.role == "cooperating"],
        }
        metrics = {
            "metrics": selectors.agency_metrics(plan=plan, agency=agency),
            "indicators": selectors.agency_led_indicators(plan=plan, agency=agency),
        }
        return {
            "tasks": render_to_string("dashboards/_agency_tasks.html", tasks),
            "metrics": render_to_string("dashboards/_agency_metrics.html", metrics),
        }

    language = translation.get_language()
    parts = cached_block("agency-plan", agency.pk, plan_day(plan), language, depends=[PLAN], build=render)
    return {name: mark_safe(html) for name, html in parts.items()}  # noqa: S308 - our own rendered templates


def _agency(plan, agency_of, *, viewer) -> Page:
    if plan is None:
        return Page("dashboards/overview.html", {"plan": None})
    agency = agency_of()  # 404 for a code no agency has
    depends_on(agency_dependency(agency.pk))
    # its tasks counted as tasks, their due dates as "lượt" (the overview's and the report's rule)
    tasks = selectors.task_tally(plan=plan, agency=agency)
    occurrences = tasks.due
    # the most late first, bounded: an agency that misses a monthly report piles up one a month
    overdue = selectors.overdue_occurrences(plan=plan, agency=agency, limit=AGENCY_OVERDUE_SHOWN)
    timeliness = selectors.agency_timeliness(agency=agency)
    timeliness_counts = selectors.agency_timeliness_counts(agency=agency)
    submissions = selectors.agency_submissions(agency=agency, viewer=viewer)
    submission_counts = selectors.agency_submission_counts(agency=agency, viewer=viewer)
    today = _today()
    recommendations = recommendation_rows(
        recommendations_concluded(plan=plan, as_of=today, agency=agency).order_by("due_on", "pk"), as_of=today
    )
    milestone = plan.milestone_for(today)
    figures = {
        "tasks": charts.counts_bar_figure(
            [(c, TaskOccurrence.Status(c).label, occurrences.get(c, 0)) for c in selectors.OCCURRENCE_STATUSES],
            title=_("Số lượt đến hạn"),
        ),
        "reports": charts.counts_bar_figure(
            [(c, ReportTimeliness.Status(c).label, timeliness_counts.get(c, 0)) for c in selectors.TIMELINESS_STATUSES],
            title=_("Số kỳ báo cáo"),
        ),
    }
    context = {
        "plan": plan,
        "agency": agency,
        "plan_part": _agency_plan(plan, agency),
        "overdue": overdue,
        "overdue_total": occurrences.get(TaskOccurrence.Status.OVERDUE, 0),
        "timeliness": timeliness,
        "submissions": submissions,
        # the states the reader is shown (agency staff, of their own agency: every state; the others: approved)
        "submission_counts": [
            (label, submission_counts.get(code, 0))
            for code, label in SubmissionStatus.choices
            if code == SubmissionStatus.APPROVED or submission_counts.get(code)
        ],
        "figures": figures,
        # open ones first (overdue, then by deadline), then those done
        "recommendations": sorted(recommendations, key=lambda row: row.standing.is_done),
        "milestone": milestone,
        "tasks": tasks,
    }
    tables = {
        "muc-tieu": lambda: Table(
            f"{agency.code}-muc-tieu-{milestone}",
            TARGET_COLUMNS,
            [
                _target_row(r.parsed, r.status)
                for r in selectors.agency_targets(plan=plan, agency=agency, milestone=milestone)
            ],
        ),
        "nhiem-vu": lambda: Table(
            f"{agency.code}-nhiem-vu",
            [_("Nhiệm vụ"), _("Tên nhiệm vụ"), _("Vai trò"), _("Thời gian hoàn thành")],
            [
                [a.task.number, a.task.title, a.get_role_display(), a.task.deadline_text]
                for a in selectors.agency_assignments(plan=plan, agency=agency)
            ],
        ),
        "qua-han": lambda: _overdue_table(selectors.overdue_occurrences(plan=plan, agency=agency, limit=None)),
        "bao-cao": lambda: Table(
            f"{agency.code}-bao-cao",
            [_("Kỳ báo cáo"), _("Hạn nộp"), _("Tình trạng"), _("Đã gửi"), _("Phải gửi"), _("Số ngày chậm")],
            [
                [t.period.label, t.period.due_on, t.get_status_display(), t.sent, t.expected, t.days_late]
                for t in timeliness
            ],
        ),
        "so-lieu": lambda: Table(
            f"{agency.code}-so-lieu",
            [_("Chỉ số"), _("Kỳ"), _("Giá trị"), _("Trạng thái")],
            [[o.metric.name, o.period.label, o.value, o.get_status_display()] for o in submissions],
        ),
    }
    return Page("dashboards/agency.html", context, tables)


@login_required
def task_board(request):
    """All tasks with their status, filtered by group, agency, status and kind of deadline; their timeline."""
    return page_response(request, "task-board", lambda: _task_board(request), depends=[PLAN, TASKS])


def _task_board(request) -> Page:
    plan = plan_current()
    if plan is None:
        return Page("dashboards/task_board.html", {"plan": None, "rows": []})
    today = _today()
    filters = selectors.TaskFilters(
        group=request.GET.get("nhom", ""),
        agency=request.GET.get("co_quan", ""),
        status=request.GET.get("trang_thai", ""),
        kind=request.GET.get("thoi_han", ""),
    )
    rows = selectors.task_board(plan=plan, filters=filters)
    timeline = selectors.task_timeline(tasks=[r.task for r in rows], agency_code=filters.agency, today=today)
    for row in rows:
        if row.task.schedule_kind == Task.ScheduleKind.ONE_OFF and row.task.due_on and not row.counts:
            timeline.append({"task": f"NV {row.task.number}", "day": row.task.due_on, "status": "not_due", "count": 1})
    occurrence_statuses = [(code, TaskOccurrence.Status(code).label) for code in selectors.OCCURRENCE_STATUSES]
    figures = {}
    if timeline:
        figures["timeline"] = charts.timeline_figure(timeline, occurrence_statuses, today=today)
    context = {
        "plan": plan,
        "rows": rows,
        "filters": filters,
        "groups": selectors.task_groups(plan),
        "agencies": selectors.agencies_for_filter(),
        "statuses": occurrence_statuses,
        "kinds": Task.ScheduleKind.choices,
        "figures": figures,
        "today": today,
    }
    tables = {
        "nhiem-vu": lambda: Table(
            "nhiem-vu",
            [
                _("TT"),
                _("Nhóm"),
                _("Tên nhiệm vụ"),
                _("Chủ trì"),
                _("Phối hợp"),
                _("Thời gian hoàn thành"),
                _("Tình trạng"),
                *[label for _c, label in occurrence_statuses],
            ],
            [
                [
                    r.task.number,
                    r.task.group.code,
                    r.task.title,
                    "; ".join(r.task.lead_names),
                    "; ".join(r.task.cooperating_names),
                    r.task.deadline_text,
                    r.status_label,
                    *[r.counts.get(code, 0) for code, _l in occurrence_statuses],
                ]
                for r in rows
            ],
        )
    }
    return Page("dashboards/task_board.html", context, tables)


def _rule_label(rule: str) -> str:
    """The recurring rules the deadline parser writes (tasks/schedule.py), in words."""
    labels = {
        RULE_MONTHLY: _("Cuối mỗi tháng"),
        RULE_QUARTERLY: _("Cuối mỗi quý"),
        RULE_HALF_YEARLY: _("Cuối mỗi 6 tháng"),
        RULE_YEARLY: _("Cuối mỗi năm"),
    }
    if rule in labels:
        return labels[rule]
    for quarter in (1, 2, 3):
        if rule == f"FREQ=YEARLY;BYMONTH={quarter * 3};BYMONTHDAY=-1":
            return _("Hằng năm, cuối quý %(quarter)s") % {"quarter": "I" * quarter}
    return rule


def _comments_tail(request, subject: str, pk: int, *, action: str, comment_form: dict | None) -> str:
    """The readers' comments on an indicator or a task (kept until one is added), with this reader's form."""
    about = {"indicator": Indicator(pk=pk)} if subject == "indicator" else {"task": Task(pk=pk)}
    depends = [comments_dependency(subject, pk), DIRECTORY]
    shown = cached_block("comments", subject, pk, depends=depends, build=lambda: comments_on(**about))
    context = {"comments": shown, "comment_form": comment_form or {}, "action": action}
    return render_to_string("dashboards/_comments.html", context, request=request)


#: agencies listed per page of a task: a task led by "Các sở, ngành, địa phương" has 118
TASK_AGENCIES_PER_PAGE = 25
#: difficulties and proposals listed on a task's page, the newest first; all of them are in its "kho-khan" download
TASK_UPDATES_SHOWN = 15
#: the task page's filters (``?chi=``): every agency, only those whose work is due (or overdue), only overdue
TASK_AGENCY_FILTERS = [
    ("", gettext_lazy("Tất cả")),
    ("den-han", gettext_lazy("Chỉ việc đến hạn")),
    ("qua-han", gettext_lazy("Chỉ việc quá hạn")),
]


@login_required
def task_detail(request, number: int, *, comment_form: dict | None = None, status_code: int = 200):
    """One task: its text verbatim, its schedule, its agencies; a summary of where they stand, then the agencies
    one line each (filtered, a page at a time); what they report as difficulties and proposals (approved
    updates only); readers' comments (``comment_form`` carries a rejected comment back to its field)."""

    def comments(keep: dict) -> str:
        if "task" not in keep:
            return ""
        action = reverse("task_comment", args=[number])
        return _comments_tail(request, "task", keep["task"], action=action, comment_form=comment_form)

    # its text, agencies and where they stand; ``_task_detail`` adds the task once known (its reports, its
    # occurrences and triggers)
    return page_response(
        request, "task", lambda: _task_detail(request, number), depends=[PLAN], tail=comments, status=status_code
    )


def _task_detail(request, number: int) -> Page:
    plan = plan_current()
    if plan is None:
        return Page("dashboards/overview.html", {"plan": None})
    detail = selectors.task_detail(plan=plan, number=number)
    depends_on(task_dependency(detail.task.pk))
    standings = detail.standings
    only = request.GET.get("chi", "")
    kind = request.GET.get("loai", "")
    filter_counts = {
        "": len(standings),
        "den-han": sum(1 for s in standings if s.is_due),
        "qua-han": sum(1 for s in standings if s.is_overdue),
    }
    if only == "qua-han":
        standings = [s for s in standings if s.is_overdue]
    elif only == "den-han":
        standings = [s for s in standings if s.is_due]
    else:
        only = ""
    kinds = [(code, label) for code, label in Agency.Kind.choices if any(s.kind == code for s in detail.standings)]
    if kind in dict(kinds):
        standings = [s for s in standings if s.kind == kind]
    else:
        kind = ""
    page = Paginator(standings, TASK_AGENCIES_PER_PAGE).get_page(request.GET.get("trang"))
    overdue_agencies = [s for s in detail.standings if s.is_overdue]
    context = {
        "plan": plan,
        "task": detail.task,
        "rule_label": _rule_label(detail.task.rule) if detail.task.rule else "",
        "leads": detail.leads,
        "cooperating": detail.cooperating,
        "adjustments": _adjustment_notes(task_adjustment_notes(detail.task)),
        "counts": [
            (code, TaskOccurrence.Status(code).label, detail.counts.get(code, 0))
            for code in selectors.OCCURRENCE_STATUSES
            if detail.counts.get(code)
        ],
        "agencies_total": len(detail.standings),
        "overdue_agencies": len(overdue_agencies),
        "longest_overdue": overdue_agencies[:5],
        "as_of": detail.as_of,
        "standings": page,
        "only": only,
        "kind": kind,
        "kinds": kinds,
        "filters": [(key, label, filter_counts[key]) for key, label in TASK_AGENCY_FILTERS],
        "updates": detail.updates[:TASK_UPDATES_SHOWN],
        "updates_total": len(detail.updates),
    }
    tables = {
        "lan-den-han": lambda: Table(
            f"nhiem-vu-{number}-lan-den-han",
            [_("Cơ quan"), _("Vai trò"), _("Hạn"), _("Tình trạng"), _("Số ngày quá hạn"), _("Hoàn thành ngày")],
            [
                [o.agency.name, o.get_role_display(), o.due_on, o.get_status_display(), o.days_late, o.completed_on]
                for o in selectors.task_occurrences(detail.task)
            ],
        )
    }
    tables["kho-khan"] = lambda: Table(
        f"nhiem-vu-{number}-kho-khan",
        [_("Cơ quan"), _("Kỳ"), _("Khó khăn, vướng mắc"), _("Kiến nghị, đề xuất")],
        [[u.agency.name, u.period.label, u.difficulties, u.proposals] for u in detail.updates],
    )
    return Page("dashboards/task_detail.html", context, tables, keep={"task": detail.task.pk})


# The data explorer ("Tra cứu số liệu")


@login_required
def explorer_page(request):
    """Pick metrics (or indicators), agencies and periods; read them as a table whose rows and columns the reader
    chooses, and as a chart. The query string holds the whole view: the link reopens it, and ``?format=csv|xlsx``
    downloads the table as shown. Only the figures the reader may read (``submissions_visible_to``)."""
    # the plan's metrics and agencies, the periods, approved figures and province values; ``_explorer`` adds
    # unapproved work when the query asks for every state
    return page_response(request, "explorer", lambda: _explorer(request), depends=[PLAN, PERIODS, FIGURES, APPROVED])


def _explorer(request) -> Page:
    plan = plan_current()
    if plan is None:
        return Page("dashboards/overview.html", {"plan": None})
    today = _today()
    query, errors = explorer.query_from(request.GET, today=today, plan_year=plan.issued_on.year)
    if not query.approved_only:
        depends_on(UNAPPROVED)  # every figure the reader may see, drafts and figures waiting included
    context = {
        "plan": plan,
        "query": query,
        "choices": selectors.explorer_choices(plan),
        "dimensions": [(key, str(label)) for key, label in explorer.DIMENSIONS.items()],
        "granularities": [(key, str(label)) for key, label in explorer.GRANULARITY_LABELS.items()],
        "agency_kinds": [(key, str(label)) for key, label in explorer.AGENCY_KINDS.items()],
        "years": list(range(plan.issued_on.year - 5, today.year + 2)),
        "examples": _explorer_examples(plan, today),
    }
    tables: dict = {}
    if query.chosen and not errors:
        table, errors = _explorer_table(request, plan, query)
        if table is not None:
            context["table"] = table
            context["figures"] = _explorer_chart(table, query)
            headers, rows = explorer.table_rows(table)
            tables["tra-cuu"] = lambda: Table("tra-cuu-so-lieu", headers, rows)
    context["errors"] = errors
    return Page("dashboards/explorer.html", context, tables)


def _explorer_table(request, plan, query: explorer.Query):
    """The pivot table of ``query``, or None with what is wrong: nothing found, several metrics where one must
    be chosen, a table or a reading too large."""
    selection = selectors.explorer_selection(plan=plan, query=query)
    metrics, agencies = selection.metrics, selection.agencies
    if not metrics:
        return None, [_("Không tìm thấy chỉ số nào trong lựa chọn.")]
    if query.fixed == explorer.METRIC and len(metrics) > 1:
        return None, [
            _("Đã chọn %(n)d chỉ số: hãy đặt “Chỉ số” vào hàng hoặc cột, hoặc chỉ chọn một chỉ số.")
            % {"n": len(metrics)}
        ]
    if not agencies:
        return None, [_("Không tìm thấy cơ quan nào trong lựa chọn.")]
    buckets = explorer.buckets_between(query.period_kind, query.first_year, query.last_year)
    sizes = {explorer.METRIC: len(metrics), explorer.AGENCY: len(agencies), explorer.PERIOD: len(buckets)}
    cells = sizes[query.rows] * sizes[query.columns]
    if cells > explorer.MAX_CELLS:
        message = _(
            "Bảng có %(cells)s ô, quá %(max)s: hãy chọn ít chỉ số, cơ quan hoặc kỳ hơn, hoặc xem theo quý, năm."
        )
        return None, [message % {"cells": format_number(cells), "max": format_number(explorer.MAX_CELLS)}]
    by_agency = explorer.AGENCY in (query.rows, query.columns)
    summed = not by_agency and selection.all_agencies and query.approved_only  # the province values, one a period
    read = explorer.figures_estimate(
        frequencies=[m.frequency for m in metrics],
        agencies=1 if summed else len(agencies),
        years=query.last_year - query.first_year + 1,
    )
    if read > explorer.MAX_FIGURES:
        message = _("Lựa chọn gồm tới %(n)s số liệu, quá %(max)s: hãy chọn ít chỉ số, cơ quan hoặc năm hơn.")
        return None, [message % {"n": format_number(read), "max": format_number(explorer.MAX_FIGURES)}]
    figures = selectors.explorer_figures(query=query, selection=selection, viewer=request.user)
    table = explorer.pivot(
        figures,
        query=query,
        metrics=[explorer.MetricInfo(m.pk, m.code, m.name, m.unit, m.kind, m.ratio_scale) for m in metrics],
        agencies=[explorer.Member(a.pk, a.display_name) for a in agencies],
    )
    return table, []


def _explorer_chart(table: explorer.PivotTable, query: explorer.Query) -> dict:
    """The table's chart, when its values share one unit (several units on one axis would mislead)."""
    metric_on_axis = explorer.METRIC in (query.rows, query.columns)
    if metric_on_axis and not table.unit and len(table.rows if query.rows == explorer.METRIC else table.columns) > 1:
        return {}
    lines = table.lines()
    if query.columns == explorer.PERIOD:
        categories = [c.label for c in table.columns]
        series = [(row.label, [v for v, _t in cells]) for row, cells in lines]
    else:  # periods on the rows (a line per column), or no periods at all (bars, a group per row)
        categories = [r.label for r in table.rows]
        series = [(c.label, [cells[i][0] for _row, cells in lines]) for i, c in enumerate(table.columns)]
    over_time = explorer.PERIOD in (query.rows, query.columns)
    return {
        "explorer": charts.explorer_figure(categories=categories, series=series, over_time=over_time, unit=table.unit)
    }


def _explorer_examples(plan, today) -> list[tuple[str, str]]:
    """A few views to start from, as links (the same query strings the form makes)."""
    year = today.year
    return [
        (
            _("Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến, theo xã, phường và quý"),
            f"?chi_so=online_admin_dossiers&loai=locality&theo=quy&tu={year}&den={year}&hang=co-quan&cot=ky",
        ),
        (
            _("Các chỉ số của nhóm V (chuyển đổi số), toàn tỉnh, theo năm"),
            "?" + "&".join(f"chi_tieu=V.{n}" for n in (3, 4, 5, 6)) + f"&theo=nam&tu={year - 2}&den={year}",
        ),
        (
            _("Số doanh nghiệp khởi nghiệp sáng tạo và khoa học công nghệ, theo quý"),
            f"?chi_so=innovative_startups&chi_so=st_enterprises&theo=quy&tu={year - 1}&den={year}",
        ),
    ]


@require_POST
@login_required
def comment_create(request, subject: str, key):
    """Any logged-in reader comments on an indicator or a task; a rejected comment comes back to its field (400).

    One view for both: ``subject`` is "indicator" (``key``: its code) or "task" (``key``: its number).
    """
    plan = plan_current()
    if plan is None:
        return redirect("home")
    if subject == "indicator":
        about = {"indicator": selectors.indicator_detail(plan=plan, code=key)}
        page, url = indicator_page, reverse("indicator", args=[key])
    else:
        about = {"task": selectors.task_get(plan=plan, number=key)}
        page, url = task_detail, reverse("task_detail", args=[key])
    text = request.POST.get("text", "")
    try:
        comment_add(author=request.user, text=text, **about)
    except CommentError as error:
        return page(request, key, comment_form={"text": text, "error": str(error)}, status_code=400)
    messages.success(request, _("Đã ghi nhận ý kiến của bạn."))
    return redirect(url + "#y-kien")
