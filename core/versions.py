"""Rows in force over an interval of days: what a plan adjustment can change lives in version rows.

A version is in force from ``valid_from`` to ``valid_to``, both inclusive (``valid_to`` empty: still in force).
Nothing is changed in place once in force: a change from a date closes the version in force on that date
(``valid_to`` = the day before) and opens the next one from it. Every reader that has a date asks for the rows
in force on it through ``in_force`` (or ``in_force_q`` through a relation), so that a status, an overdue flag or
an export as of any day reads what was true that day. docs/adjustments.md explains it with an example.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def in_force_q(day: date, prefix: str = "") -> Q:
    """The condition "in force on ``day``" on a version table, or through a relation (``prefix`` "target__")."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def overlaps_q(start: date, end: date, prefix: str = "") -> Q:
    """The condition "in force on some day of [start, end]"."""
    return Q(**{f"{prefix}valid_from__lte": end}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    )


class VersionQuerySet(models.QuerySet):
    def in_force(self, day: date):
        """The versions in force on ``day``: the one selector every reader with a date uses."""
        return self.filter(in_force_q(day))

    def overlapping(self, start: date, end: date):
        return self.filter(overlaps_q(start, end))


class Version(models.Model):
    """The interval a version row is in force in (abstract)."""

    valid_from = models.DateField(_("có hiệu lực từ ngày"))
    valid_to = models.DateField(_("có hiệu lực đến hết ngày"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
