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


@pytest.mark.parametrize(
    "kind, raw, rounded",
    [("ratio", "99,9999999", "100"), ("index", "0,0000004", "0"), ("grdp_share", "12,34567891", "12,345679")],
)
def test_more_decimals_than_a_figure_keeps_are_refused_not_rounded_without_a_word(kind, raw, rounded):
    result = clean_figure(kind, FigureInput(value=raw))
    assert not result.is_valid and result.value is None
    message = " ".join(result.errors["value"])
    assert "chữ số sau dấu phẩy" in message and f"ví dụ {rounded})" in message


@pytest.mark.parametrize("raw", ["99,999999", "0,000001", "1,5", "100"])
def test_figures_within_the_decimals_kept_are_taken_exactly(raw):
    result = clean_figure("ratio", FigureInput(value=raw))
    assert result.is_valid and str(result.value).replace(".", ",") == raw


def test_a_ratio_s_numerator_and_denominator_are_held_to_the_same_decimals():
    result = clean_figure("ratio", FigureInput(numerator="1,0000001", denominator="3"))
    assert not result.is_valid and "chữ số sau dấu phẩy" in " ".join(result.errors["numerator"])
