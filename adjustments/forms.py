"""Forms of the adjustment pages: the decision, one change drafted on the page, a revocation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.evidence import validate_evidence
from core.validators import plausible_day, text_length

from .services import PAGE_CHANGES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DecisionForm(forms.Form):
    """The decision that makes an adjustment (or revokes one): number, dates, issuer, summary, the signed file."""

    decision_number = forms.CharField(
        label=_("Số, ký hiệu quyết định"), max_length=100, help_text=_("Ví dụ: 125-QĐ/TU hoặc Kết luận số 12-KL/TU.")
    )
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DateInput(), validators=[plausible_day])
    effective_on = forms.DateField(
        label=_("Có hiệu lực từ ngày"),
        widget=DateInput(),
        validators=[plausible_day],
        help_text=_("Trước ngày này, nội dung cũ vẫn đúng; từ ngày này, nội dung mới được dùng để đánh giá."),
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, initial="Ban Thường vụ Tỉnh ủy")
    summary = forms.CharField(
        label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 2}), validators=[text_length()]
    )
    signed_file = forms.FileField(
        label=_("Văn bản đã ký (PDF hoặc ảnh chụp)"), required=False, validators=[validate_evidence]
    )


class ChangeForm(forms.Form):
    """One change drafted on the page: which kind, which indicator cell or task, the new text."""

    what = forms.ChoiceField(
        label=_("Điều chỉnh"), choices=[(key, label) for key, (label, _needs) in PAGE_CHANGES.items()]
    )
    code = forms.CharField(label=_("Mã chỉ tiêu hoặc số nhiệm vụ"), max_length=12, help_text=_("Ví dụ: V.1 hoặc 8."))
    year = forms.TypedChoiceField(label=_("Mốc năm (ô mục tiêu)"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label=_("Nội dung mới"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[text_length()],
        help_text=_(
            "Ô mục tiêu: nguyên văn mới của ô; mục tiêu định lượng được đọc lại từ đó, như khi nạp kế hoạch. Thời "
            "gian hoàn thành: ví dụ “Tháng 6/2027”. Cơ quan: mỗi cơ quan một dòng, như văn bản ghi."
        ),
    )

    def __init__(self, *args, milestones: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "—"), *((year, str(year)) for year in milestones)]


class FileForm(forms.Form):
    signed_file = forms.FileField(label=_("Văn bản đã ký (PDF hoặc ảnh chụp)"), validators=[validate_evidence])
