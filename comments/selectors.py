"""Reads for comments: the readers' opinions on one indicator or one task, newest first, with their authors."""

from __future__ import annotations

from indicators.models import Indicator
from tasks.models import Task

from .models import Comment


def comments_on(*, indicator: Indicator | None = None, task: Task | None = None) -> list[Comment]:
    about = {"indicator": indicator} if indicator is not None else {"task": task}
    return list(Comment.objects.filter(**about).select_related("author", "author__agency"))
