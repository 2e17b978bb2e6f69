"""Forms for inspections, their recommendations and the agencies' reports on them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.evidence import validate_evidence
from core.validators import plausible_day, text_length
from core.widgets import VnDateInput
from core.workflow import TEXT_MAX
from indicators.models import Indicator, Plan
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from tasks.models import Task


def _agency_choices() -> list:
    """Active agencies grouped by kind (departments, party bodies, communes and wards …), for a long list."""
    grouped: dict[str, list] = {}
    for agency in Agency.objects.filter(is_active=True).order_by("kind", "name"):
        grouped.setdefault(agency.get_kind_display(), []).append((agency.pk, agency.name))
    return list(grouped.items())


def _indicator_label(indicator: Indicator) -> str:
    """ "V.1 – Chỉ số chuyển đổi số cấp tỉnh (DTI)": the plan names an indicator by what it measures."""
    names = dict.fromkeys(p.metric.name for t in indicator.targets.all() for p in t.parsed_targets.all())
    return f"{indicator.code} – {'; '.join(names)[:110]}" if names else indicator.code


def _long_text(field: forms.CharField, rows: int = 3) -> None:
    field.max_length = TEXT_MAX
    field.validators.append(text_length())
    field.widget = forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX})


class InspectionForm(forms.ModelForm):
    decision_file = forms.FileField(label=_("Tệp quyết định kiểm tra"), required=False, validators=[validate_evidence])
    conclusion_file = forms.FileField(label=_("Tệp kết luận kiểm tra"), required=False, validators=[validate_evidence])

    class Meta:
        model = Inspection
        fields = [
            "title",
            "kind",
            "team",
            "lead_body",
            "starts_on",
            "ends_on",
            "agencies",
            "tasks",
            "indicators",
            "decision_number",
            "decision_date",
            "conclusion_number",
            "conclusion_date",
            "conclusion",
        ]
        widgets = {
            "starts_on": VnDateInput(),
            "ends_on": VnDateInput(),
            "decision_date": VnDateInput(),
            "conclusion_date": VnDateInput(),
            "agencies": forms.SelectMultiple(attrs={"size": 10}),
            "tasks": forms.SelectMultiple(attrs={"size": 8}),
            "indicators": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "agencies": _("Giữ Ctrl (hoặc ⌘) để chọn nhiều cơ quan, xã, phường."),
            "tasks": _("Các nhiệm vụ của Phụ lục II được kiểm tra (không bắt buộc)."),
            "indicators": _("Các chỉ tiêu của Phụ lục I được kiểm tra (không bắt buộc)."),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_body"].queryset = Agency.objects.filter(is_active=True).order_by("kind", "name")
        self.fields["agencies"].choices = _agency_choices()
        self.fields["tasks"].queryset = Task.objects.filter(plan=plan).order_by("number")
        self.fields["tasks"].label_from_instance = lambda task: f"{task.number}. {task.title[:110]}"
        self.fields["indicators"].queryset = (
            Indicator.objects.filter(plan=plan)
            .order_by("group__order", "number")
            .prefetch_related("targets__parsed_targets__metric")
        )
        self.fields["indicators"].label_from_instance = _indicator_label
        _long_text(self.fields["conclusion"], rows=4)
        for name in ("starts_on", "ends_on", "decision_date", "conclusion_date"):
            self.fields[name].validators.append(plausible_day)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Ngày kết thúc kiểm tra không được trước ngày bắt đầu."))
        conclusion_date = data.get("conclusion_date")
        if starts_on and conclusion_date and conclusion_date < starts_on:
            self.add_error("conclusion_date", _("Ngày kết luận không được trước ngày bắt đầu kiểm tra."))
        return data


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "agency", "due_on", "task"]
        widgets = {"due_on": VnDateInput()}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "---------"), *_agency_choices()]
        self.fields["task"].queryset = Task.objects.filter(plan=plan).order_by("number")
        self.fields["task"].label_from_instance = lambda task: f"{task.number}. {task.title[:110]}"
        _long_text(self.fields["text"], rows=3)
        self.fields["due_on"].validators.append(plausible_day)

    def clean_agency(self):
        agency = self.cleaned_data["agency"]
        if not agency.is_active:
            raise forms.ValidationError(_("Cơ quan này đã ngừng hoạt động."))
        return agency


class RecommendationUpdateForm(forms.ModelForm):
    evidence = forms.FileField(label=_("Tài liệu minh chứng"), required=False, validators=[validate_evidence])

    class Meta:
        model = RecommendationUpdate
        fields = ["progress", "work_done", "completed_on", "document_number", "document_date"]
        widgets = {"completed_on": VnDateInput(), "document_date": VnDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _long_text(self.fields["work_done"], rows=4)
        for name in ("completed_on", "document_date"):
            self.fields[name].validators.append(plausible_day)

    def clean(self):
        data = super().clean()
        if data.get("progress") == RecommendationUpdate.Progress.DONE and not data.get("completed_on"):
            self.add_error("completed_on", _("Đã thực hiện xong: hãy nhập ngày hoàn thành."))
        return data
