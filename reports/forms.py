from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.formatting import vn_date
from core.validators import plausible_day
from core.widgets import VnDateInput
from indicators import readings
from indicators.models import Period
from indicators.periods import period_bounds

from .models import SigningAuthority

# dd/mm/yyyy whatever the browser's locale (a native date picker shows the browser's own order)
DATE_INPUT = VnDateInput()


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại kỳ báo cáo"), choices=Period.Kind.choices)
    year = forms.IntegerField(label=_("Năm"), min_value=2025, max_value=2045)
    number = forms.IntegerField(
        label=_("Kỳ số"), min_value=1, max_value=12, help_text=_("Tháng 1–12, quý 1–4, 6 tháng 1–2, năm: 1.")
    )
    as_of = forms.DateField(label=_("Số liệu tính đến ngày"), widget=DATE_INPUT, validators=[plausible_day])
    reading = forms.ChoiceField(
        label=_("Cách đọc số liệu của ngày đó"),
        choices=[
            (readings.AS_KNOWN, _("Số liệu tại thời điểm (đã duyệt đến ngày tính)")),
            (readings.CURRENT, _("Số liệu hiện có (gồm cả duyệt, điều chỉnh sau)")),
        ],
        initial=readings.AS_KNOWN,
        required=False,  # not chosen: as known on the day (the default of every report)
        help_text=_("Báo cáo ban hành thường dùng số liệu tại thời điểm, để tạo lại vẫn ra đúng nội dung đã báo cáo."),
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan báo cáo"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Toàn tỉnh (Ban Chỉ đạo tỉnh)"),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            bounds = period_bounds(data["kind"], data["year"], data["number"])
        except ValueError:
            self.add_error("number", _("Kỳ số không hợp lệ với loại kỳ đã chọn."))
            return data
        if data["as_of"] < bounds.starts_on:
            self.add_error(
                "as_of",
                _("Ngày tính số liệu không được trước ngày bắt đầu kỳ (%(d)s).") % {"d": vn_date(bounds.starts_on)},
            )
        return data


def _section(label: str, rows: int = 8) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
        max_length=20000,
        help_text=_("Mỗi đoạn một dòng, dòng bắt đầu bằng “- ” là một ý. Để trống: dùng bản dự thảo viết từ số liệu."),
    )


class SectionsForm(forms.Form):
    """The four sections of the report as the office edits them before issuing (section I keeps the field name
    "narrative" of earlier versions)."""

    narrative = _section(_("I. Kết quả thực hiện"))
    difficulties = _section(_("II. Hạn chế, khó khăn và nguyên nhân"))
    directions = _section(_("III. Phương hướng, nhiệm vụ trọng tâm kỳ tới"))
    proposals = _section(_("IV. Kiến nghị, đề xuất"), rows=5)

    #: form field → key of ``PeriodicReport.sections``
    KEYS = {
        "narrative": "results",
        "difficulties": "difficulties",
        "directions": "directions",
        "proposals": "proposals",
    }


NarrativeForm = SectionsForm


class IssueForm(forms.Form):
    number = forms.CharField(label=_("Số báo cáo"), max_length=20, help_text=_("Chỉ phần số, ví dụ 12."))
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DATE_INPUT, validators=[plausible_day])
    signing_authority = forms.ChoiceField(label=_("Thẩm quyền ký"), choices=SigningAuthority.choices, required=False)
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        max_length=120,
        required=False,
        help_text=_("Với KT. hoặc TL.: ví dụ Phó Giám đốc, Chánh Văn phòng."),
    )
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120, required=False)


class VerifyForm(forms.Form):
    """An issued report's PDF, uploaded by anyone to check its signature (never stored)."""

    pdf = forms.FileField(
        label=_("Tệp PDF báo cáo"), help_text=_("Tệp PDF đã ban hành, tải từ hệ thống hoặc nhận qua thư.")
    )
