from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.formatting import format_vn_number
from imports.models import ImportBatch
from indicators.periods import MONTH, QUARTER, YEAR, period_code, report_rounds

from .reading import FileProblem, check_size


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))
    agency = forms.ModelChoiceField(
        label=_("Chỉ cho cơ quan (tùy chọn)"), queryset=Agency.objects.order_by("kind", "name"), required=False
    )
    approve = forms.BooleanField(
        label=_("Ghi số liệu là đã duyệt (mặc định: đã gửi, chờ Văn phòng Tỉnh ủy duyệt)"), required=False
    )
    # a revised plan workbook for a plan already loaded becomes an adjustment: the decision that makes it
    decision_number = forms.CharField(
        label=_("Điều chỉnh kế hoạch: số, ký hiệu quyết định"),
        max_length=100,
        required=False,
        help_text=_("Chỉ với loại Kế hoạch, khi kế hoạch đã được nạp: tệp thành một điều chỉnh theo quyết định này."),
    )
    signed_on = forms.DateField(
        label=_("Ngày ký quyết định"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=_("Điều chỉnh có hiệu lực từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        decision = [data.get("decision_number"), data.get("signed_on"), data.get("effective_on")]
        if data.get("kind") == ImportBatch.Kind.PLAN and any(decision) and not all(decision):
            raise forms.ValidationError(_("Điều chỉnh kế hoạch cần đủ số quyết định, ngày ký và ngày có hiệu lực."))
        return data

    def plan_options(self) -> dict:
        """The decision, as the batch keeps it (dates as ISO text), for a plan workbook."""
        data = self.cleaned_data
        if data.get("kind") != ImportBatch.Kind.PLAN or not data.get("decision_number"):
            return {}
        return {
            "decision_number": data["decision_number"].strip(),
            "signed_on": data["signed_on"].isoformat(),
            "effective_on": data["effective_on"].isoformat(),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)  # before a byte is parsed
        except FileProblem as exc:
            raise forms.ValidationError(exc.errors[0]) from exc
        return upload


class AgencyUploadForm(forms.Form):
    """Agency staff upload their own agency's filled template: figures only, as submissions."""

    file = forms.FileField(label=_("Tệp mẫu đã điền (.xlsx)"))
    clean_file = UploadForm.clean_file


class TemplateForm(forms.Form):
    """The agency and the reporting round of a pre-filled template, both picked from lists: agencies by kind, the
    rounds since the plan began (a month, with the quarter and year it falls in). Agency staff get their own
    agency's template only: the agency is not asked."""

    agency = forms.ChoiceField(label=_("Cơ quan"))
    period = forms.ChoiceField(
        label=_("Kỳ báo cáo"),
        help_text=_("Mỗi chỉ số trong mẫu theo kỳ của nó: chỉ số hằng quý theo quý chứa tháng đã chọn, …"),
    )

    def __init__(self, *args, user, today, start, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_administrator:
            groups: dict[str, list] = {}
            for agency in Agency.objects.filter(is_active=True).order_by("kind", "name").only("code", "name", "kind"):
                groups.setdefault(agency.get_kind_display(), []).append((agency.code, agency.name))
            self.fields["agency"].choices = [("", "—"), *groups.items()]
        else:
            del self.fields["agency"]
        rounds = report_rounds(kinds={MONTH, QUARTER, YEAR}, start=start, today=today)
        self.fields["period"].choices = [
            (period_code(r.period.kind, r.period.year, r.period.number), r.label)
            for r in rounds
            if r.period.starts_on <= today  # a period not begun takes no figure yet
        ]

    def clean_agency(self):
        agency = Agency.objects.filter(code=self.cleaned_data["agency"], is_active=True).first()
        if agency is None:
            raise forms.ValidationError(_("Hãy chọn cơ quan."))
        return agency

    def clean(self):
        data = super().clean()
        if "agency" not in self.fields:
            data["agency"] = self.user.agency
        return data


def size_limit_text() -> str:
    return f"{format_vn_number(settings.IMPORT_MAX_BYTES / 1048576, 1)} MB"
