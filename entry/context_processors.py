"""The menu's badges: how many things wait for the user (their agency's work list, the review queue).

Evaluated only when a template reads them (the menu of a logged-in writer or reviewer), once per request."""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agencies.permissions import can_enter_data, can_review
from indicators.selectors import plan_current

from .selectors import agency_work, review_queue_count


def _badges(user) -> dict[str, int]:
    badges = {"worklist": 0, "review": 0}
    if can_enter_data(user):
        plan = plan_current()
        today = timezone.localdate()
        badges["worklist"] = agency_work(
            agency=user.agency, as_of=today, start=plan.issued_on if plan else today
        ).action_count
    if can_review(user):
        badges["review"] = review_queue_count()
    return badges


def work_badges(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_badges": SimpleLazyObject(lambda: _badges(user))}
