"""The menu's badges: how many things wait for the user (their agency's work list, the review queue).

Evaluated only when a template reads them (the menu of a logged-in writer or reviewer), once per request."""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agencies.permissions import can_enter_data, can_review
from core.snapshots import OVERSIGHT, PERIODS, PLAN, REVIEW, TASKS, agency, agency_drafts, cached_block
from indicators.selectors import plan_current

from .selectors import agency_work, review_queue_count


def _worklist_count(agency) -> int:
    plan = plan_current()
    today = timezone.localdate()
    return agency_work(agency=agency, as_of=today, start=plan.issued_on if plan else today).action_count


def _badges(user) -> dict[str, int]:
    # on every page of the menu: kept until what they count changes (core/snapshots.py), so a page view costs a
    # cache read on the full stack instead of building the agency's whole work list again
    badges = {"worklist": 0, "review": 0}
    if can_enter_data(user):
        pk = user.agency_id
        # what the agency owes: its periods open, its figures and reports in every state, its tasks and
        # recommendations due, as of today
        badges["worklist"] = cached_block(
            "worklist-count",
            pk,
            timezone.localdate(),
            depends=[PLAN, PERIODS, TASKS, OVERSIGHT, agency(pk), agency_drafts(pk)],
            build=lambda: _worklist_count(user.agency),
        )
    if can_review(user):
        badges["review"] = cached_block("review-count", depends=[REVIEW], build=review_queue_count)
    return badges


def work_badges(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_badges": SimpleLazyObject(lambda: _badges(user))}
