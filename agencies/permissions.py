"""Who may see and change what: the one place views ask.

Roles (``User.Role``): the Steering Committee reads everything and writes nothing; the standing office
(reviewer) reads everything, approves or returns submissions, records qualitative assessments and opens and
closes periods; agency staff read and write their own agency's figures and task updates and read what other
agencies have had approved; administrators may do everything.

Views call these helpers and never test roles themselves:

- ``reviewer_required`` / ``writer_required`` / ``entry_required``: decorators for whole views (403 otherwise).
- ``can_read_submission(user, obj)`` / ``can_write_for(user, agency_id)``: checks on one row.
- ``submission_for_user(user, queryset, pk, for_write=...)``: fetch one figure or task update for a user —
  404 when the user may not even see it (another agency's draft), 403 when they may see it but not change it.
- ``submissions_visible_to(user, queryset)``: the same read rule for many rows — every list, table, export,
  count and chart of figures or task updates goes through it; ``submissions_on_pages(user, queryset)`` is what the
  cached dashboards list of them (approved work, and agency staff's own agency's work in every state).
- ``can_read_unapproved(user, agency_id)``: the same rule for what is not a row, such as a count of an
  agency's figures waiting for review.
- ``can_issue_for(user, agency)``: issue (and so sign, with that body's key) a report in a body's name.
- ``can_adjust_plan(user)`` / ``plan_adjuster_required``: draft, approve and revoke plan adjustments;
  ``can_read_adjustment(user, adjustment)``: drafts are the standing office's, approved ones everyone's.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core.workflow import SubmissionStatus


def can_review(user) -> bool:
    """Approve or return submissions, assess qualitative targets, open and close periods."""
    return user.is_authenticated and user.is_reviewer


def can_adjust_plan(user) -> bool:
    """Draft, approve and revoke adjustments of the plan (by decision, from a date): the standing office and
    administrators, the same people who approve figures."""
    return can_review(user)


def can_read_adjustment(user, adjustment) -> bool:
    """An approved adjustment (and its signed decision) is read by every user; a draft only by those who adjust."""
    if not user.is_authenticated:
        return False
    return adjustment.status == "approved" or can_adjust_plan(user)


def can_write_for(user, agency_id: int | None) -> bool:
    """Enter figures and task updates for this agency: its own staff, or an administrator."""
    if not user.is_authenticated or agency_id is None:
        return False
    return user.is_administrator or (user.is_agency_staff and user.agency_id == agency_id)


def can_enter_data(user) -> bool:
    """Has an agency to report for (the entry pages are about "my agency")."""
    return user.is_authenticated and user.agency_id is not None and (user.is_agency_staff or user.is_administrator)


def can_issue_for(user, agency) -> bool:
    """Issue a document in a body's name, which signs it with that body's key: only the body's own people.

    The Steering Committee's report (``agency`` None): its standing office (reviewers; administrators). An
    agency's report: that agency's staff, or a reviewer or administrator who belongs to it — never another
    body, the standing office included, whatever else it may edit.
    """
    if not user.is_authenticated:
        return False
    if agency is None:
        return user.is_reviewer
    return user.agency_id == agency.pk and (user.is_agency_staff or user.is_reviewer)


def can_choose_agency(user) -> bool:
    """Enter figures and task reports for any agency, chosen on the entry page: administrators."""
    return user.is_authenticated and user.is_administrator


def can_read_unapproved(user, agency_id: int | None) -> bool:
    """An agency's unapproved work (drafts, submissions, returns): its own staff, the standing office, the
    Steering Committee and administrators."""
    if not user.is_authenticated:
        return False
    return not user.is_agency_staff or agency_id == user.agency_id


def can_read_submission(user, obj) -> bool:
    """A figure or task update: the whole plan's approved work is public to users; unapproved work is
    seen only as ``can_read_unapproved`` says."""
    if not user.is_authenticated:
        return False
    return obj.status == SubmissionStatus.APPROVED or can_read_unapproved(user, obj.agency_id)


def submissions_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The figures or task updates of ``queryset`` that ``user`` may read (the rule of ``can_read_submission``)."""
    if not user.is_authenticated:
        return queryset.none()
    if not user.is_agency_staff:
        return queryset
    return queryset.filter(Q(agency_id=user.agency_id) | Q(status=SubmissionStatus.APPROVED))


def submissions_on_pages(user, queryset: QuerySet) -> QuerySet:
    """The figures or task updates of ``queryset`` that the cached pages (dashboards) list for ``user``: approved
    work, and for agency staff their own agency's work in every state too.

    Unapproved work is its agency's until approved: the standing office finds what is sent in its review queue,
    the Steering Committee the number waiting per agency on the scorecards. So a draft saved or a figure sent
    changes no page but its own agency's (core/snapshots.py: ``agency-drafts``) and the review queue's.
    ``submissions_visible_to`` stays the rule for what a user may open (a figure's own page, the entry pages)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_agency_staff and user.agency_id:
        return queryset.filter(Q(agency_id=user.agency_id) | Q(status=SubmissionStatus.APPROVED))
    return queryset.filter(status=SubmissionStatus.APPROVED)


def read_scope(user) -> str:
    """Which figures and task updates ``user`` may read, as a key for cached pages: ``all``, or ``agency-<id>``
    (approved work plus that agency's own, in any state). Users with the same scope see the same pages."""
    if user.is_authenticated and user.is_agency_staff:
        return f"agency-{user.agency_id}"
    return "all" if user.is_authenticated else "none"


def submission_for_user(user, queryset: QuerySet, pk: int, *, for_write: bool = False) -> Model:
    """One figure or task update for this user: 404 if they may not see it, 403 if they may not change it."""
    try:
        obj = queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if not can_read_submission(user, obj):
        raise Http404
    if for_write and not can_write_for(user, obj.agency_id):
        raise PermissionDenied
    return obj


def _role_required(test):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: the standing office and administrators only
reviewer_required = _role_required(can_review)
#: users who report for an agency (agency staff; administrators attached to an agency)
writer_required = _role_required(can_enter_data)
#: the standing office and administrators: plan adjustments (the same people who approve figures)
plan_adjuster_required = _role_required(can_adjust_plan)
#: the entry pages: users who report for an agency, and administrators, who choose the agency on the page
entry_required = _role_required(lambda user: can_enter_data(user) or can_choose_agency(user))
