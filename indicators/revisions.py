"""What writing a figure over the one already stored does: the one rule every write path follows (the entry
form through ``indicators.services``, the template upload and ``import_figures`` through ``imports.figures``,
with or without approval).

An approved figure is never changed in place (docs/data-entry.md, "Versions of approved values"): a different
value for it becomes a correction proposal, while the approved value keeps counting until the correction is
approved; an import that approves what it writes approves the correction at once (the value changes, its
history says so). A figure not yet approved is replaced and sent (or approved) again. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

#: nothing stored yet: the figure is created
NEW = "new"
#: the stored figure already says this (and stands where the write would put it): nothing to write
UNCHANGED = "unchanged"
#: a figure not yet approved (draft, returned, submitted): replaced, and sent (or approved) again
REPLACE = "replace"
#: an approved figure with a different value: a correction proposal; the approved value keeps counting
PROPOSE = "propose"
#: an approved figure with a different value, written by someone approving it (``--approve``): the correction
#: is approved at once and the new value counts
CORRECT = "correct"

FIGURE_FIELDS = ("value", "numerator", "denominator")
PROPOSED_FIELDS = {"value": "proposed_value", "numerator": "proposed_numerator", "denominator": "proposed_denominator"}


@dataclass(frozen=True)
class StoredFigure:
    """What the rule needs to know of a stored figure."""

    status: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    note: str = ""
    correction_status: str = ""
    proposed_value: Decimal | None = None
    proposed_numerator: Decimal | None = None
    proposed_denominator: Decimal | None = None

    @classmethod
    def of(cls, row: Mapping | object) -> StoredFigure:
        """From a model instance or a ``values()`` row."""
        get = row.get if isinstance(row, Mapping) else (lambda name, default=None: getattr(row, name, default))
        return cls(**{name: get(name, cls.__dataclass_fields__[name].default) for name in cls.__dataclass_fields__})

    def numbers(self) -> tuple:
        return (self.value, self.numerator, self.denominator)

    def proposed(self) -> tuple:
        return (self.proposed_value, self.proposed_numerator, self.proposed_denominator)


def _numbers(values: Mapping) -> tuple:
    return tuple(values.get(name) for name in FIGURE_FIELDS)


def figure_revision(stored: StoredFigure | None, values: Mapping, *, approve: bool) -> str:
    """What writing ``values`` (value, numerator, denominator and optionally note) over ``stored`` does:
    ``NEW``, ``UNCHANGED``, ``REPLACE``, ``PROPOSE`` or ``CORRECT``.

    ``approve``: the writer approves what it writes (an administrator's import with ``--approve``); otherwise
    what it writes waits for the standing office's review.
    """
    if stored is None:
        return NEW
    if stored.status == "approved":
        if _numbers(values) == stored.numbers():
            return UNCHANGED  # the approved figure already says this; its approved note stays as it is
        if approve:
            return CORRECT
        if stored.correction_status == "submitted" and _numbers(values) == stored.proposed():
            return UNCHANGED  # this very correction already waits for review
        return PROPOSE
    same = _numbers(values) == stored.numbers() and ("note" not in values or values["note"] == stored.note)
    if same and stored.status == ("approved" if approve else "submitted"):
        return UNCHANGED
    return REPLACE


def correction_proposed(figure, values: Mapping, *, reason: str) -> list[str]:
    """Put ``values`` on an approved ``figure`` as its correction proposal (a model instance, not saved); its
    approved value is untouched. Returns the fields changed."""
    for name, proposed in PROPOSED_FIELDS.items():
        setattr(figure, proposed, values.get(name))
    figure.proposed_note = reason
    figure.correction_status = "submitted"
    return [*PROPOSED_FIELDS.values(), "proposed_note", "correction_status"]


def correction_approved(figure, values: Mapping | None = None, *, note: str | None = None) -> list[str]:
    """Approve a correction of ``figure`` (a model instance, not saved): ``values`` (with ``note``, if given), or
    the proposal waiting on it (with its reason as the note) become its approved value. Returns the fields
    changed."""
    if values is None:
        values = {name: getattr(figure, proposed) for name, proposed in PROPOSED_FIELDS.items()}
        note = figure.proposed_note
    for name in FIGURE_FIELDS:
        setattr(figure, name, values.get(name))
    changed = [*FIGURE_FIELDS, "status"]
    if note is not None:
        figure.note = note
        changed.append("note")
    figure.status = "approved"
    for proposed in PROPOSED_FIELDS.values():
        setattr(figure, proposed, None)
    figure.proposed_note = ""
    figure.correction_status = ""
    return [*changed, *PROPOSED_FIELDS.values(), "proposed_note", "correction_status"]
