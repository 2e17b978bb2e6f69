"""What figures and task updates share in their review workflow: where a submission stands, the error a
refused write raises, the period check, and the one way a step is saved so that django-simple-history records
who and why. The kernel: every layer above may use it; it imports no app."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords


class SubmissionStatus(models.TextChoices):
    """Where a figure or a task update stands in the review workflow."""

    DRAFT = "draft", gettext_lazy("Bản nháp")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi, chờ duyệt")
    APPROVED = "approved", gettext_lazy("Đã duyệt")
    RETURNED = "returned", gettext_lazy("Bị trả lại")


class EntryError(ValueError):
    """A write the workflow does not allow (locked period, figure waiting for review, …), in Vietnamese."""


#: django-simple-history keeps a step's reason in a varchar(100): a longer reason is shortened there, while
#: the full text stays in the row's own field (review note, correction reason)
HISTORY_REASON_MAX = 100
#: the longest note, reason or narrative anyone may write on a figure, task update, assessment or comment
TEXT_MAX = 5000


def text_checked(text: str, *, label: str, max_length: int = TEXT_MAX) -> str:
    """Free text as typed, stripped; ``EntryError`` if it holds a NUL byte or is longer than ``max_length``."""
    text = (text or "").strip()
    if "\x00" in text:
        raise EntryError(_("%(label)s có ký tự không hợp lệ (NUL); hãy gõ lại nội dung.") % {"label": label})
    if len(text) > max_length:
        message = _("%(label)s dài %(length)s ký tự; tối đa %(max)s ký tự.")
        raise EntryError(message % {"label": label, "length": len(text), "max": max_length})
    return text


def history_reason(reason: str) -> str:
    """The reason as the history keeps it: at most HISTORY_REASON_MAX characters."""
    return Truncator(reason).chars(HISTORY_REASON_MAX)


def period_accepts_entry(period) -> bool:
    """Entry is open until the standing office locks the period (after its deadline, or at any time)."""
    return not period.is_locked


def check_period_open(period) -> None:
    if not period_accepts_entry(period):
        message = _("Kỳ báo cáo %(period)s đã khóa. Hãy đề nghị cơ quan thường trực mở lại kỳ.")
        raise EntryError(message % {"period": period.label})


def audit_history(**options) -> HistoricalRecords:
    """The audit trail of a model's records (django-simple-history): every change, with when, who and why.

    Who is kept as the user's id without a foreign key: each change is written by its user's own request or
    import, so the key would only re-check, row by row, a user already known (a 100 000-row import paid
    100 000 lookups for it). The trail is read record by record, so the date has no index of its own
    (``SIMPLE_HISTORY_DATE_INDEX``); the record's id has one."""
    return HistoricalRecords(user_db_constraint=False, **options)


def save_version(obj, *, user, reason: str) -> None:
    """Save a row as one step of its history, with who made it and why (the change reason)."""
    obj._history_user = user
    obj._change_reason = history_reason(reason)
    obj.save()


def evidence_replace(obj, evidence, *, field: str = "evidence") -> None:
    """Attach a new evidence file (a figure's, a task update's, an inspection's decision …) to ``obj.<field>``;
    the file it replaces is deleted from storage once the change commits (it would otherwise stay there,
    unreachable, forever)."""
    current = getattr(obj, field)
    old = current.name if current else ""
    setattr(obj, field, evidence)
    if old:
        storage = getattr(obj, field).storage
        transaction.on_commit(lambda: storage.delete(old))
