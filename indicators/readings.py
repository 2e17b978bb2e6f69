"""The two readings of a past date (docs/progress-method.md, "Two readings of a past date").

- ``AS_KNOWN`` — "số liệu tại thời điểm D": only what had been approved by the end of day D, each figure with
  the value in force on D (a figure corrected later counts with its value before the correction, from its
  history). What a report issued on D said, and says again when generated later: the default for reports.
- ``CURRENT`` — "số liệu hiện có": the figures approved now for the periods up to D (a late figure, a later
  correction included); a period still open on D counts the figures approved by then, as provisional.

For today both readings are the same. Pure: no database.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AS_KNOWN = "as_known"
CURRENT = "current"
READINGS = (AS_KNOWN, CURRENT)
DEFAULT = AS_KNOWN

LABELS = {
    AS_KNOWN: _("Số liệu tại thời điểm"),
    CURRENT: _("Số liệu hiện có"),
}
#: how a document says which reading it uses ("%(day)s": the as-of date, written the Vietnamese way)
SENTENCES = {
    AS_KNOWN: _(
        "Số liệu tại thời điểm %(day)s: chỉ gồm số liệu đã được phê duyệt đến hết ngày đó, theo giá trị lúc đó."
    ),
    CURRENT: _(
        "Số liệu hiện có cho các kỳ đến ngày %(day)s: gồm cả số liệu được phê duyệt hoặc điều chỉnh sau ngày đó."
    ),
}
#: the same, in the official (Vietnamese) documents whatever the reader's language
SENTENCES_VI = {
    AS_KNOWN: "Số liệu tại thời điểm {day}: chỉ gồm số liệu đã được phê duyệt đến hết ngày đó, theo giá trị lúc đó.",
    CURRENT: "Số liệu hiện có cho các kỳ đến ngày {day}: gồm cả số liệu được phê duyệt hoặc điều chỉnh sau ngày đó.",
}


def reading_or_default(value: str | None) -> str:
    """``value`` if it names a reading, else the default (``AS_KNOWN``); ``ValueError`` for anything else given."""
    if value in (None, ""):
        return DEFAULT
    if value not in READINGS:
        raise ValueError(value)
    return value
