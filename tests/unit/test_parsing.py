"""Vietnamese numbers and Appendix I target phrases."""

from decimal import Decimal

import pytest

from indicators.parsing import ParsedTarget, parse_target, parse_vn_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.200", Decimal("1200")),
        ("1.200,5", Decimal("1200.5")),
        ("0,75", Decimal("0.75")),
        ("01", Decimal("1")),
        ("3", Decimal("3")),
        ("1,0", Decimal("1.0")),
        ("  42  ", Decimal("42")),
        ("75%", Decimal("75")),
        ("75 %", Decimal("75")),
        ("12.345.678", Decimal("12345678")),
        ("12.345.678,25", Decimal("12345678.25")),
        ("0.75", Decimal("0.75")),  # forgiving an English decimal point
        ("1.5", Decimal("1.5")),
        ("1.2345", Decimal("1.2345")),
        ("0.750", Decimal("0.750")),  # "0." cannot open a thousands group
    ],
)
def test_parse_vn_number(text: str, expected: Decimal) -> None:
    assert parse_vn_number(text) == expected


NOT_NUMBERS = ["1.2.3", "abc", "", "   ", "1,2,3", "1.200.5", "1.20,5", "12a", "%", "1 200"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_parse_vn_number_rejects_with_vietnamese_message(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_vn_number(text)
    message = str(error.value)
    assert f"“{text}”" in message
    assert "Không đọc được số" in message
    assert "1.200 hoặc 0,75" in message


def target(operator: str, value: str, value_max: str | None = None, percent: bool = False) -> ParsedTarget:
    return ParsedTarget(operator, Decimal(value), Decimal(value_max) if value_max else None, percent)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Symbols and the LaTeX the PDF extraction left behind.
        ("Có ≥ 17 doanh nghiệp khoa học và công nghệ trên địa bàn", target(">=", "17")),
        ("Có ≥ 1.200 cán bộ nghiên cứu khoa học và công nghệ toàn tỉnh", target(">=", "1200")),
        (r"Có $\geq 3\%$ tổng chi ngân sách", target(">=", "3", percent=True)),
        (r"\geq 25", target(">=", "25")),
        (r"\ge 25\%", target(">=", "25", percent=True)),
        (r"$\geq 0,75$", target(">=", "0.75")),
        (">= 4", target(">=", "4")),
        ("≤ 5%", target("<=", "5", percent=True)),
        (r"$\leq 5$", target("<=", "5")),
        (r"\le 5", target("<=", "5")),
        ("<= 5", target("<=", "5")),
        ("> 7", target(">", "7")),
        ("< 7", target("<", "7")),
        ("= 7", target("=", "7")),
        # Words.
        ("Giao dịch không dùng tiền mặt đạt trên 80%.", target(">", "80", percent=True)),
        ("trên 45%", target(">", "45", percent=True)),
        ("phần đầu đạt mức trên 45%", target(">", "45", percent=True)),
        ("Có từ 12 người thực hiện ... trên 01 vạn dân", target(">=", "12")),
        ("Tỷ lệ phủ sóng 5G trên địa bàn đạt 100%.", target(">=", "100", percent=True)),
        ("Chỉ số chuyển đổi số cấp tỉnh đạt 1,0", target(">=", "1.0")),
        ("Kinh tế số đạt 50% GRDP trở lên", target(">=", "50", percent=True)),
        ("50 doanh nghiệp trở lên", target(">=", "50")),
        ("10 ngày trở xuống", target("<=", "10")),
        ("tối thiểu 10 lớp", target(">=", "10")),
        ("Tối thiểu 10 lớp", target(">=", "10")),
        ("ít nhất 10 hồ sơ", target(">=", "10")),
        ("dưới 5%", target("<", "5", percent=True)),
        ("không quá 5 ngày", target("<=", "5")),
        # A bare number is a floor.
        ("90% dân số trưởng thành tiếp cận dịch vụ số", target(">=", "90", percent=True)),
        ("100% người sử dụng", target(">=", "100", percent=True)),
        ("Có 100% dữ liệu", target(">=", "100", percent=True)),
        # Ranges, with or without a comparator before them.
        ("Mỗi năm có 50 đến 60 dự án khởi nghiệp sáng tạo", target("range", "50", "60")),
        ("Mỗi năm có 50 - 70 dự án khởi nghiệp sáng tạo", target("range", "50", "70")),
        (r"Mỗi năm có $\geq 3-5$ dự án", target("range", "3", "5")),
        (r"$\geq 10-15$", target("range", "10", "15")),
        ("3-5", target("range", "3", "5")),
        ("3–5", target("range", "3", "5")),
        ("80% - 90% dân số trưởng thành", target("range", "80", "90", percent=True)),
        ("80 - 90%", target("range", "80", "90", percent=True)),
        ("Có 5 - 10 trung tâm", target("range", "5", "10")),
        ("50 tới 60", target("range", "50", "60")),
    ],
)
def test_parse_target(text: str, expected: ParsedTarget) -> None:
    assert parse_target(text) == expected


def test_parse_target_takes_the_first_number() -> None:
    # Fragments exist because a cell can hold a second, unrelated number.
    assert parse_target("100% người sử dụng ... tốc độ trên 01 Gb/s") == target(">=", "100", percent=True)
    assert parse_target("Có ≥ 80% người dân ..., chữ ký số ≥ 10%").value == Decimal("80")


def test_parse_target_skips_numbers_glued_to_letters() -> None:
    # "5G" and "6G" are network generations, not targets.
    assert parse_target("Tỷ lệ phủ sóng 6G đạt 50%") == target(">=", "50", percent=True)


@pytest.mark.parametrize("text", ["", "Ứng dụng AI, IoT, Big Data,...", "Phủ sóng 5G", "-"])
def test_parse_target_without_number_raises_in_vietnamese(text: str) -> None:
    with pytest.raises(ValueError, match="Không tìm thấy con số nào"):
        parse_target(text)


def test_parsed_target_is_frozen_and_validated() -> None:
    parsed = parse_target("≥ 3")
    with pytest.raises(AttributeError):
        parsed.value = Decimal("4")  # type: ignore[misc]
    with pytest.raises(ValueError, match="không hợp lệ"):
        ParsedTarget("~", Decimal("1"))
    with pytest.raises(ValueError):
        ParsedTarget("range", Decimal("1"))
    with pytest.raises(ValueError):
        ParsedTarget(">=", Decimal("1"), Decimal("2"))


def test_reversed_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="cận trên nhỏ hơn cận dưới"):
        parse_target("60 đến 50")


def test_a_number_as_read_cannot_be_mistaken():
    from core.formatting import number_as_read

    assert number_as_read(Decimal(1250)) == "1\u202f250"
    assert number_as_read(Decimal("1250.5")) == "1\u202f250,5"
    assert number_as_read(Decimal("1.45")) == "1,45"
