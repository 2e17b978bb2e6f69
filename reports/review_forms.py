"""Forms for reviews over a span (sơ kết, tổng kết)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import plausible_day

from .drafting import DIFFICULTIES, DIRECTIONS, PROPOSALS, RESULTS
from .forms import DATE_INPUT
from .models import Review

#: the review's sections as its page labels them (the periodic report's keys, the review's own titles)
SECTION_LABELS = {
    RESULTS: _("I. Kết quả đạt được"),
    DIFFICULTIES: _("II. Hạn chế, khó khăn và nguyên nhân"),
    DIRECTIONS: _("III. Phương hướng, nhiệm vụ thời gian tới"),
    PROPOSALS: _("IV. Kiến nghị, đề xuất và khen thưởng"),
}


class ReviewRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=Review.Kind.choices)
    title = forms.CharField(
        label=_("Tên báo cáo"),
        max_length=300,
        required=False,
        help_text=_("Để trống: đặt theo độ dài khoảng thời gian, ví dụ “Sơ kết 2,5 năm”."),
    )
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DATE_INPUT, validators=[plausible_day])
    ends_on = forms.DateField(label=_("Đến ngày"), widget=DATE_INPUT, validators=[plausible_day])
    as_of = forms.DateField(label=_("Số liệu tính đến ngày"), widget=DATE_INPUT, validators=[plausible_day])

    def clean(self):
        data = super().clean()
        starts_on, ends_on, as_of = data.get("starts_on"), data.get("ends_on"), data.get("as_of")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("Ngày kết thúc phải sau ngày bắt đầu."))
        if starts_on and as_of and as_of < starts_on:
            self.add_error("as_of", _("Ngày tính số liệu không được trước ngày bắt đầu."))
        return data


def months_later(day: date, months: int) -> date:
    """The day ``months`` months after ``day`` (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    return date(year, month, 28)


def review_presets(*, plan_start: date, today: date) -> list[dict]:
    """The spans offices review most (from the plan's issue): six months, a year, 2,5 years (mid-term), and to the
    end of 2030 (end of term), each a link that fills the request form."""
    spans = [
        (_("6 tháng"), Review.Kind.INTERIM, 6),
        (_("1 năm"), Review.Kind.INTERIM, 12),
        (_("2,5 năm (giữa nhiệm kỳ)"), Review.Kind.INTERIM, 30),
    ]
    presets = []
    for label, kind, months in spans:
        ends_on = months_later(plan_start, months) - timedelta(days=1)
        presets.append({"label": label, "kind": kind, "starts_on": plan_start, "ends_on": ends_on})
    presets.append(
        {
            "label": _("Cuối nhiệm kỳ (đến hết năm 2030)"),
            "kind": Review.Kind.FINAL,
            "starts_on": plan_start,
            "ends_on": date(2030, 12, 31),
        }
    )
    for preset in presets:
        preset["as_of"] = min(today, preset["ends_on"])
    return presets
