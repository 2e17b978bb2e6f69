"""A change of an adjustment as people read it: what it touches, before and after, in one line.

Pure functions (no database): the command line, the preview of a workbook, the drafting page, the plan history,
the notes on indicator and task pages and the reports all say a change the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.formatting import format_number, vn_date
from indicators.templatetags.plan_text import plan_text

from . import state as st

_OPERATORS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


def claim_text(claim: dict, units: dict[str, str] | None = None) -> str:
    """One measurable target: "≥ 0,8", "3–5 %"."""
    unit = (units or {}).get(claim["metric"], "")
    suffix = unit if unit == "%" else f" {unit}" if unit else ""
    if claim["operator"] == "range":
        return f"{format_number(claim['value'])}–{format_number(claim['value_max'])}{suffix}"
    return f"{_OPERATORS[claim['operator']]} {format_number(claim['value'])}{suffix}"


def targets_text(claims: list[dict] | None, units: dict[str, str] | None = None) -> str:
    if not claims:
        return _("không có mục tiêu định lượng")
    return "; ".join(claim_text(claim, units) for claim in claims)


def _names(names: list[str] | None) -> str:
    return "; ".join(names or []) or "—"


def _quoted(text: str | None) -> str:
    if text is None:
        return "—"
    shown = plan_text(text).strip()
    return f"“{shown}”" if shown else _("(để trống)")


@dataclass(frozen=True)
class ChangeText:
    what: str
    before: str
    after: str

    @property
    def line(self) -> str:
        return f"{self.what}: {self.before} → {self.after}"


_TASK_FIELDS = {
    "title": lambda: _("nội dung nhiệm vụ"),
    "result": lambda: _("kết quả, sản phẩm"),
    "deadline": lambda: _("thời gian hoàn thành"),
    "lead": lambda: _("cơ quan chủ trì"),
    "cooperating": lambda: _("cơ quan phối hợp"),
}


def change_text(change, units: dict[str, str] | None = None) -> ChangeText:
    """``change``: a ``PlanChange`` or a ``state.ChangeSpec`` (subject, code, year, field, old, new)."""
    subject, code, year, field, old, new = (
        change.subject,
        change.code,
        change.year,
        change.field,
        change.old,
        change.new,
    )
    if subject == st.TARGET:
        what = _("Chỉ tiêu %(code)s, mục tiêu đến hết năm %(year)s") % {"code": code, "year": year}
        return ChangeText(what, _quoted(old), _quoted(new))
    if subject == st.PARSED_TARGET:
        what = _("Chỉ tiêu %(code)s, mục tiêu định lượng năm %(year)s") % {"code": code, "year": year}
        return ChangeText(what, targets_text(old, units) if old is not None else "—", targets_text(new, units))
    if subject == st.INDICATOR:
        what = _("Chỉ tiêu %(code)s") % {"code": code}
        if field == st.ADDED:
            return ChangeText(what, _("chưa có"), _("bổ sung vào kế hoạch"))
        return ChangeText(what, _("trong kế hoạch"), _("bãi bỏ"))
    if subject == st.METRIC:
        what = _("Chỉ số đo lường %(code)s") % {"code": code}
        if field == st.ADDED:
            return ChangeText(what, _("chưa có"), _("bổ sung: %(name)s") % {"name": (new or {}).get("name", code)})
        return ChangeText(what, str(old), str(new))
    what = _("Nhiệm vụ %(number)s") % {"number": code}
    if field == st.ADDED:
        return ChangeText(what, _("chưa có"), _("bổ sung: %(title)s") % {"title": (new or {}).get("title", "")[:200]})
    if field == st.RETIRED:
        return ChangeText(what, _("trong kế hoạch"), _("bãi bỏ"))
    label = _TASK_FIELDS.get(field, lambda: field)()
    what = f"{what}, {label}"
    if subject == st.ASSIGNMENT:
        added = [name for name in new or [] if name not in (old or [])]
        removed = [name for name in old or [] if name not in (new or [])]
        after = _names(new)
        notes = []
        if added:
            notes.append(_("bổ sung %(names)s") % {"names": _names(added)})
        if removed:
            notes.append(_("bỏ %(names)s") % {"names": _names(removed)})
        if notes:
            after = f"{after} ({'; '.join(notes)})"
        return ChangeText(what, _names(old), after)
    return ChangeText(what, _quoted(old), _quoted(new))


def change_line(change, units: dict[str, str] | None = None, *, with_source: bool = True) -> str:
    """One line for a change: where it was read (a workbook's sheet, row and column) or what it touches, then
    before → after."""
    text = change_text(change, units)
    source = getattr(change, "source", "")
    return f"{source} — {text.line}" if with_source and source else text.line


def decision_name(adjustment) -> str:
    """ "Quyết định số 125-QĐ/TU ngày 20/12/2026"."""
    return _("Quyết định số %(number)s ngày %(day)s") % {
        "number": adjustment.decision_number,
        "day": vn_date(adjustment.signed_on),
    }


def adjustment_sentence(adjustment, changes=None) -> str:
    """One sentence for an adjustment of a period, as reports and the overview say it: "Trong kỳ, Ban Thường vụ
    Tỉnh ủy điều chỉnh kế hoạch theo Quyết định số … ngày … (có hiệu lực từ ngày …): …"."""
    changes = list(adjustment.changes.all() if changes is None else changes)
    shown = "; ".join(change_text(change).line for change in changes[:6])
    if len(changes) > 6:
        shown += _("; và %(n)s nội dung khác") % {"n": len(changes) - 6}
    issuer = adjustment.issuer or "Ban Thường vụ Tỉnh ủy"
    return _(
        "Trong kỳ, %(issuer)s điều chỉnh kế hoạch theo %(decision)s (có hiệu lực từ ngày %(day)s): %(changes)s."
    ) % {
        "issuer": issuer,
        "decision": decision_name(adjustment),
        "day": vn_date(adjustment.effective_on),
        "changes": shown,
    }
