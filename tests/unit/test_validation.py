from decimal import Decimal

import pytest

from core.formatting import format_vn_number
from indicators.validation import FigureInput, clean_figure, jump_warning


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("stock", "1.200", Decimal(1200)),
        ("flow", "25", Decimal(25)),
        ("ratio", "75%", Decimal(75)),
        ("ratio", "0,5", Decimal("0.5")),
        ("index", "0,75", Decimal("0.75")),
        ("grdp_share", "30", Decimal(30)),
    ],
)
def test_vietnamese_input_is_read(kind, raw, value):
    result = clean_figure(kind, FigureInput(value=raw))
    assert result.is_valid and result.value == value


def test_ratio_from_numerator_and_denominator_shows_the_percentage():
    result = clean_figure("ratio", FigureInput(numerator="1.200", denominator="1.600"))
    assert (result.numerator, result.denominator, result.value) == (Decimal(1200), Decimal(1600), Decimal("75.00"))


@pytest.mark.parametrize(
    ("kind", "raw", "field", "message"),
    [
        ("ratio", FigureInput(value="120%"), "value", "Tỷ lệ phải nằm trong khoảng 0–100%."),
        ("stock", FigureInput(value="-3"), "value", "Số lượng không được âm."),
        ("stock", FigureInput(value="1.200,5"), "value", "Số lượng phải là số nguyên (ví dụ 1.200)."),
        ("index", FigureInput(value="1,2"), "value", "Chỉ số phải nằm trong khoảng 0–1 (ví dụ 0,75)."),
        (
            "ratio",
            FigureInput(numerator="12", denominator="10"),
            "numerator",
            "Tử số (12) không được lớn hơn mẫu số (10).",
        ),
        ("ratio", FigureInput(numerator="1", denominator="0"), "denominator", "Mẫu số phải lớn hơn 0."),
        ("ratio", FigureInput(numerator="5"), "denominator", "Hãy nhập mẫu số."),
        ("stock", FigureInput(value=""), "value", "Hãy nhập giá trị."),
    ],
)
def test_bad_values_get_a_vietnamese_message_next_to_the_field(kind, raw, field, message):
    result = clean_figure(kind, raw)
    assert not result.is_valid
    assert result.errors[field] == [message]
    assert result.value is None


def test_unreadable_text_names_what_was_typed():
    result = clean_figure("stock", FigureInput(value="mười hai"))
    assert "Không đọc được số “mười hai”" in result.errors["value"][0]


def test_jump_warning_for_large_moves_only():
    assert jump_warning(Decimal(100), Decimal(140)) is None
    assert jump_warning(None, Decimal(5)) is None
    warning = jump_warning(Decimal(1000), Decimal(2500))
    assert warning.startswith("Giá trị tăng 150,0% so với kỳ trước (1.000 → 2.500)")
    assert jump_warning(Decimal(100), Decimal(10)).startswith("Giá trị giảm 90,0%")


@pytest.mark.parametrize(
    ("number", "places", "text"),
    [
        (Decimal("1200.5"), None, "1.200,5"),
        (1200, None, "1.200"),
        (Decimal("0.75"), None, "0,75"),
        (Decimal("12.3456"), 2, "12,35"),
        (Decimal("100.000000"), None, "100"),
    ],
)
def test_format_vn_number(number, places, text):
    assert format_vn_number(number, places) == text


def test_a_rate_per_ten_thousand_people_is_stored_on_its_own_scale():
    # II.5 "người/vạn dân": 4.800 researchers, population 376 (vạn người) → 12,77, not 1.276,60 % and no refusal
    result = clean_figure("ratio", FigureInput(numerator="4.800", denominator="376"), scale=1)
    assert result.is_valid, result.errors
    assert result.value == Decimal("12.77")
    per_mille = clean_figure("ratio", FigureInput(numerator="3", denominator="1.200"), scale=1000)
    assert per_mille.value == Decimal("2.50")


def test_a_share_of_a_whole_still_refuses_a_numerator_above_its_denominator():
    for scale in (100, 1000):
        result = clean_figure("ratio", FigureInput(numerator="130", denominator="120"), scale=scale)
        assert "numerator" in result.errors
    assert clean_figure("ratio", FigureInput(value="12,77"), scale=1).value == Decimal("12.77")
    assert "value" in clean_figure("ratio", FigureInput(value="120"), scale=100).errors
