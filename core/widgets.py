"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms


class VnDateInput(forms.DateInput):
    """A date written dd/mm/yyyy whatever the browser's locale: a native date field shows the browser's own
    order (12/01/2026 for 1 December on an English browser), so a plain text field with a pattern is used.
    Django reads it back with the DATE_INPUT_FORMATS of config/formats (dd/mm/yyyy first, ISO accepted)."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None):
        defaults = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
            "autocomplete": "off",
            "class": "dateinput",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")
