"""Forms for entering, correcting and reviewing figures. Numbers are read by ``indicators.validation``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.evidence import validate_evidence
from core.formatting import format_vn_number
from core.validators import text_length
from core.workflow import TEXT_MAX
from indicators.models import AgencyAssessment, Metric, Period, QualitativeAssessment, Target, TargetStatus
from indicators.validation import CleanFigure, FigureInput, clean_figure_for, jump_warning

_NUMBER = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "num"})


def _vn(value) -> str:
    return "" if value is None else format_vn_number(value)


class FigureForm(forms.Form):
    """One metric's figure. A blank row is allowed (nothing is written for it); a value that jumps far
    from the last approved one needs a short explanation in the note before it can be submitted."""

    value = forms.CharField(label=_("Giá trị"), required=False, widget=_NUMBER)
    numerator = forms.CharField(label=_("Tử số"), required=False, widget=_NUMBER)
    denominator = forms.CharField(label=_("Mẫu số"), required=False, widget=_NUMBER)
    note = forms.CharField(
        label=_("Ghi chú, giải trình"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label=_("Tài liệu minh chứng"), required=False, validators=[validate_evidence])

    def __init__(self, *args, metric: Metric, previous=None, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric = metric
        self.previous = previous
        self.submitting = submitting
        self.figure: CleanFigure | None = None
        self.warning: str | None = None

    @classmethod
    def initial_for(cls, observation) -> dict:
        if observation is None:
            return {}
        return {
            "value": "" if observation.numerator is not None else _vn(observation.value),
            "numerator": _vn(observation.numerator),
            "denominator": _vn(observation.denominator),
            "note": observation.note,
        }

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(name) or "").strip() for name in ("value", "numerator", "denominator"))

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        figure = clean_figure_for(
            self.metric, FigureInput(data.get("value", ""), data.get("numerator", ""), data.get("denominator", ""))
        )
        for name, messages in figure.errors.items():
            for message in messages:
                self.add_error(name, message)
        if figure.is_valid:
            self.figure = figure
            self.warning = jump_warning(self.previous, figure.value, unit=self.metric.unit)
            if self.warning and self.submitting and not (data.get("note") or "").strip():
                self.add_error("note", self.warning)
        return data


class CorrectionForm(forms.Form):
    """A proposed new value for an approved figure, with the reason."""

    value = forms.CharField(label=_("Giá trị mới"), required=False, widget=_NUMBER)
    numerator = forms.CharField(label=_("Tử số mới"), required=False, widget=_NUMBER)
    denominator = forms.CharField(label=_("Mẫu số mới"), required=False, widget=_NUMBER)
    reason = forms.CharField(label=_("Lý do điều chỉnh"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, metric: Metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric = metric
        self.figure: CleanFigure | None = None

    def clean(self):
        data = super().clean()
        figure = clean_figure_for(
            self.metric, FigureInput(data.get("value", ""), data.get("numerator", ""), data.get("denominator", ""))
        )
        for name, messages in figure.errors.items():
            for message in messages:
                self.add_error(name, message)
        self.figure = figure if figure.is_valid else None
        return data


class QualitativeAssessmentForm(forms.ModelForm):
    target = forms.ModelChoiceField(
        label=_("Ô mục tiêu"),
        queryset=Target.objects.none(),
    )
    period = forms.ModelChoiceField(
        label=_("Kỳ đánh giá"),
        queryset=Period.objects.filter(kind__in=[Period.Kind.QUARTER, Period.Kind.HALF_YEAR, Period.Kind.YEAR]),
    )
    status = forms.ChoiceField(
        label=_("Đánh giá"),
        choices=[c for c in TargetStatus.Status.choices if c[0] != TargetStatus.Status.QUALITATIVE],
    )

    class Meta:
        model = QualitativeAssessment
        fields = ["target", "period", "status", "narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX})}

    def clean_narrative(self):
        narrative = self.cleaned_data["narrative"]
        text_length()(narrative)
        return narrative

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the cells in force today (an adjusted cell: its version of today)
        self.fields["target"].queryset = (
            Target.objects.in_force(timezone.localdate())
            .exclude(text__in=["", "-"])
            .select_related("indicator")
            .order_by("indicator", "year")
        )
        self.fields["target"].label_from_instance = lambda t: f"{t.indicator.code} – {t.year}: {t.text[:90]}"


class AgencyAssessmentForm(forms.Form):
    """An agency's confidence that one of its metrics will reach its target, for the quarter."""

    confidence = forms.ChoiceField(
        label=_("Mức độ tin tưởng"), required=False, choices=[("", "—"), *AgencyAssessment.Confidence.choices]
    )
    narrative = forms.CharField(
        label=_("Giải trình"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
