"""The progress report an agency files on a task for a period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.evidence import validate_evidence
from core.validators import plausible_day, text_length
from core.widgets import VnDateInput
from core.workflow import TEXT_MAX
from tasks.models import TaskUpdate


class TaskUpdateForm(forms.ModelForm):
    evidence = forms.FileField(label=_("Tài liệu minh chứng"), required=False, validators=[validate_evidence])

    class Meta:
        model = TaskUpdate
        fields = [
            "progress",
            "percent_complete",
            "work_done",
            "difficulties",
            "proposals",
            "document_number",
            "document_date",
            "completed_on",
        ]
        widgets = {
            "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "work_done": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 2}),
            "proposals": forms.Textarea(attrs={"rows": 2}),
            "document_date": VnDateInput(),
            "completed_on": VnDateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("work_done", "difficulties", "proposals"):
            self.fields[name].max_length = TEXT_MAX
            self.fields[name].validators.append(text_length())
            self.fields[name].widget.attrs["maxlength"] = TEXT_MAX
        for name in ("document_date", "completed_on"):
            self.fields[name].validators.append(plausible_day)

    def clean_percent_complete(self):
        percent = self.cleaned_data["percent_complete"]
        if percent is None or not 0 <= percent <= 100:
            raise forms.ValidationError(_("Phần trăm hoàn thành phải từ 0 đến 100."))
        return percent

    def clean(self):
        data = super().clean()
        progress = data.get("progress")
        if progress == TaskUpdate.Progress.DONE and not data.get("completed_on"):
            self.add_error("completed_on", _("Nhiệm vụ đã hoàn thành: hãy nhập ngày hoàn thành."))
        if progress == TaskUpdate.Progress.NOT_STARTED and data.get("percent_complete"):
            self.add_error("percent_complete", _("Nhiệm vụ chưa thực hiện thì phần trăm hoàn thành là 0."))
        return data
