from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.formatting import format_vn_number
from imports.models import ImportBatch
from indicators.periods import parse_period_code

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
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.order_by("kind", "name"))
    period = forms.CharField(
        label=_("Kỳ báo cáo"), help_text=_("Ví dụ 2026-T05 (tháng), 2026-Q2 (quý), 2026-H1 (6 tháng), 2026 (năm).")
    )

    def clean_period(self):
        try:
            parse_period_code(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return self.cleaned_data["period"].strip().upper()


def size_limit_text() -> str:
    return f"{format_vn_number(settings.IMPORT_MAX_BYTES / 1048576, 1)} MB"
