"""Writes for comments: the one way a reader's opinion is recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import User
from indicators.models import Indicator
from tasks.models import Task

from .models import Comment


class CommentError(ValueError):
    """A comment that cannot be saved; the message is shown next to the form in Vietnamese."""


@transaction.atomic
def comment_add(*, author: User, text: str, indicator: Indicator | None = None, task: Task | None = None) -> Comment:
    """Record a reader's opinion on an indicator or a task. Every logged-in role may comment, steering included."""
    if (indicator is None) == (task is None):
        raise ValueError("A comment is about exactly one indicator or one task.")
    text = (text or "").strip()
    if not text:
        raise CommentError(_("Hãy nhập nội dung ý kiến."))
    if len(text) > Comment.MAX_LENGTH:
        message = _("Ý kiến dài tối đa %(limit)s ký tự (đã nhập %(length)s).")
        raise CommentError(message % {"limit": Comment.MAX_LENGTH, "length": len(text)})
    return Comment.objects.create(author=author, text=text, indicator=indicator, task=task)
