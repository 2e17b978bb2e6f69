"""Bounds every form shares: days within the plan's era, free text of a sensible length."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .workflow import TEXT_MAX

#: the days anything in this plan can be about, with a wide margin: 0001-01-01 or 9999-12-31 is a typo
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def plausible_day(value: date | None) -> None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Ngày %(day)s nằm ngoài khoảng 2000–2100; hãy kiểm tra lại năm."),
            code="implausible_day",
            params={"day": value.strftime("%d/%m/%Y") if value.year >= 1000 else value.isoformat()},
        )


def text_length(limit: int = TEXT_MAX) -> MaxLengthValidator:
    return MaxLengthValidator(limit)
