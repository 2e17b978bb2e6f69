"""The progress engine's reasons in words: every status reads as a Vietnamese sentence with Vietnamese numbers."""

from datetime import date

import pytest
from django.utils import translation

from indicators import progress as p

BASE = date(2026, 12, 31)
TWO_YEARS = date(2028, 12, 31)
DTI = p.TargetSpec(operator=">=", value=0.75, year=2030, baseline_from=date(2026, 4, 22))


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def words(spec, points, as_of, unit=""):
    result = p.assess(spec, [p.Point(day, value) for day, value in points], as_of)
    return result, p.explain_vi(spec, result, unit=unit)


def labels(explained) -> dict:
    return dict(explained["items"])


def test_growth_on_track_reads_like_the_worked_example():
    result, explained = words(DTI, [(date(2025, 12, 14), 0.60), (date(2026, 11, 14), 0.68)], date(2026, 11, 26))
    assert result.status == p.ON_TRACK
    assert explained["summary"] == (
        "Giá trị gốc 0,6 (14/12/2025), mới nhất 0,68 (14/11/2026). Để đạt ≥ 0,75 vào cuối năm 2030 cần tăng "
        "bình quân 4,5%/năm; thực tế tăng bình quân 14,6%/năm → tỷ số 3,23 ≥ 0,95: đúng lộ trình."
    )
    assert labels(explained)["Mục tiêu"] == "≥ 0,75 vào cuối năm 2030"
    assert labels(explained)["Tỷ số tiến độ"] == "3,23"
    assert labels(explained)["Cách tính"].startswith("Tốc độ tăng trưởng bình quân")


@pytest.mark.parametrize(
    ("latest", "status", "verdict"),
    [
        (130, p.ACCELERATE, "tỷ số 0,74, từ 0,6 đến dưới 0,95: cần tăng tốc."),
        (110, p.LIMITED, "tỷ số 0,26, dưới 0,6: tiến triển chậm."),
        (90, p.REGRESSING, "thực tế giảm bình quân 5,1%/năm → tỷ số -0,27 < 0: đang đi xa mục tiêu."),
    ],
)
def test_each_band_names_its_threshold(latest, status, verdict):
    spec = p.TargetSpec(operator=">=", value=200.0, year=2030)
    result, explained = words(spec, [(BASE, 100), (TWO_YEARS, latest)], TWO_YEARS)
    assert result.status == status
    assert explained["summary"].endswith(verdict)


def test_single_point_says_a_trend_needs_two_values():
    result, explained = words(DTI, [(date(2025, 12, 14), 0.60)], date(2026, 11, 26))
    assert result.status == p.NO_DATA
    assert explained["summary"] == "Mới có một số liệu (0,6 ngày 14/12/2025): chưa đủ để tính xu hướng."


def test_no_data_gives_the_date():
    _, explained = words(DTI, [], date(2026, 11, 26))
    assert explained["summary"] == "Chưa có số liệu đã duyệt đến ngày 26/11/2026: chưa đánh giá được."


def test_achieved_with_unit_and_thousands():
    spec = p.TargetSpec(operator=">=", value=1200.0, year=2030)
    result, explained = words(spec, [(BASE, 1000), (TWO_YEARS, 1250.5)], TWO_YEARS, unit="doanh nghiệp")
    assert result.status == p.ACHIEVED
    assert explained["summary"] == (
        "Giá trị mới nhất 1.250,5 doanh nghiệp (31/12/2028) đã đạt mục tiêu ≥ 1.200 doanh nghiệp vào cuối năm 2030."
    )


def test_met_then_lost():
    spec = p.TargetSpec(operator=">=", value=100.0, year=2030)
    result, explained = words(spec, [(BASE, 110), (TWO_YEARS, 95)], TWO_YEARS)
    assert result.status == p.REGRESSING
    assert "không còn đạt: đang đi xa mục tiêu." in explained["summary"]


def test_percentages_explain_why_linear():
    spec = p.TargetSpec(operator=">=", value=100.0, year=2030, kind="ratio")
    _, explained = words(spec, [(BASE, 50), (TWO_YEARS, 70)], TWO_YEARS, unit="%")
    assert "cần tăng bình quân 12,5 điểm %/năm" in explained["summary"]
    assert "tốc độ tăng trưởng không có ý nghĩa" in labels(explained)["Cách tính"]


def test_ceiling_says_decrease():
    spec = p.TargetSpec(operator="<=", value=10.0, year=2030, direction="decrease")
    _, explained = words(spec, [(BASE, 40), (TWO_YEARS, 20)], TWO_YEARS)
    assert "Để đạt ≤ 10 vào cuối năm 2030 cần giảm bình quân 29,3%/năm" in explained["summary"]


def test_range_target_phrase():
    spec = p.TargetSpec(operator="range", value=80.0, value_max=90.0, year=2030, kind="ratio")
    assert p.target_phrase(spec, "%") == "trong khoảng 80–90%"


def test_deadline_passed_gives_the_share_of_the_gap():
    spec = p.TargetSpec(operator=">=", value=200.0, year=2027)
    _, explained = words(spec, [(BASE, 100), (TWO_YEARS, 150)], TWO_YEARS)
    assert explained["summary"].startswith("Mốc 31/12/2027 đã qua mà chưa đạt ≥ 200")
    assert "mới thu hẹp được 50% khoảng cách → tỷ số 0,5, dưới 0,6: tiến triển chậm." in explained["summary"]


def test_qualitative():
    _, explained = words(p.TargetSpec(operator=">=", value=1.0, year=2030, method=p.QUALITATIVE), [], BASE)
    assert explained["summary"].startswith("Chỉ tiêu định tính")


FLOW = p.TargetSpec(operator=">=", value=24.0, year=2030, kind="flow")
YEAR_2026 = [(date(2026, 3, 14), 4), (date(2026, 6, 14), 5), (date(2026, 9, 14), 4), (date(2026, 12, 14), 5)]


def test_flow_year_to_date_is_prorated_in_words():
    points = [*YEAR_2026, (date(2027, 3, 14), 5), (date(2027, 6, 14), 6)]
    result, explained = words(FLOW, points, date(2027, 7, 1), unit="doanh nghiệp")
    assert result.status == p.ACCELERATE
    assert explained["summary"] == (
        "Năm 2027, tính đến 14/06/2027 (50% thời gian của năm) đạt 11 doanh nghiệp; theo tỷ lệ thời gian cần "
        "khoảng 11,97 doanh nghiệp để đạt mục tiêu mỗi năm ≥ 24 doanh nghiệp → tỷ số 0,92, từ 0,6 đến dưới 0,95: "
        "cần tăng tốc."
    )
    assert labels(explained)["Cả năm 2026"] == "18 doanh nghiệp"
    assert labels(explained)["Mục tiêu"] == "≥ 24 doanh nghiệp mỗi năm (mốc 2030)"


def test_flow_slowing_down_says_so():
    points = [*YEAR_2026, (date(2027, 3, 14), 1), (date(2027, 6, 14), 1)]
    result, explained = words(FLOW, points, date(2027, 7, 1))
    assert result.status == p.REGRESSING
    assert explained["summary"].endswith("nhịp năm nay thấp hơn năm trước: đi xuống.")


def test_flow_last_year():
    _, explained = words(FLOW, YEAR_2026, date(2027, 1, 10))
    assert explained["summary"] == (
        "Năm 2026 đạt 18 so với mục tiêu mỗi năm ≥ 24 → tỷ số 0,75, từ 0,6 đến dưới 0,95: cần tăng tốc; "
        "năm 2027 chưa có số liệu."
    )
    full = [*YEAR_2026[:3], (date(2026, 12, 14), 11)]
    _, met = words(FLOW, full, date(2027, 1, 10))
    assert met["summary"] == "Năm 2026 đạt 24, đạt mục tiêu mỗi năm ≥ 24; năm 2027 chưa có số liệu."


def test_flow_year_met():
    points = [*YEAR_2026, (date(2027, 3, 14), 30)]
    result, explained = words(FLOW, points, date(2027, 4, 1))
    assert result.status == p.ACHIEVED
    assert explained["summary"] == "Năm 2027, tính đến 14/03/2027 đã đạt 30: đạt mục tiêu mỗi năm ≥ 24."


def test_flow_no_data():
    _, explained = words(FLOW, [], date(2027, 4, 1))
    assert explained["summary"] == "Chưa có số liệu đã duyệt của năm nay và năm trước: chưa đánh giá được."
