"""Questionable figures are refused with a message, never read silently or passed on to fail in the database."""

from __future__ import annotations

import pytest

from indicators.validation import FigureInput, clean_figure


@pytest.mark.parametrize(
    "kind, raw, message",
    [
        ("stock", "100000000000000", "quá lớn"),
        ("flow", "100.000.000.000.000", "quá lớn"),
        ("ratio", "99.999.999.999.999.999", "quá lớn"),
        ("stock", "75%", "phần trăm"),
        ("flow", "12%", "phần trăm"),
        ("stock", "１２", "0–9"),
        ("stock", "١٢", "0–9"),
        ("index", "０,５", "0–9"),
        ("stock", "1" * 500, "quá dài"),
        ("stock", "TRUE", "Không đọc được"),
    ],
)
def test_questionable_values_are_refused_with_a_message(kind, raw, message):
    result = clean_figure(kind, FigureInput(value=raw))
    assert not result.is_valid
    assert message in " ".join(result.errors["value"])


def test_a_ratio_with_a_huge_numerator_and_denominator_is_refused_not_stored():
    result = clean_figure(
        "ratio", FigureInput(numerator="99.999.999.999.999.999", denominator="99.999.999.999.999.999")
    )
    assert not result.is_valid
    assert "quá lớn" in " ".join(result.errors["numerator"] + result.errors["denominator"])


@pytest.mark.parametrize("kind, raw", [("stock", "99.999.999.999.999"), ("ratio", "75%"), ("grdp_share", "12,5%")])
def test_the_largest_values_and_percentages_where_they_belong_are_read(kind, raw):
    assert clean_figure(kind, FigureInput(value=raw)).is_valid
