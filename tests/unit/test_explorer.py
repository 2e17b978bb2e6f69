"""The data explorer's pure part (dashboards/explorer.py): the query read from the link, and the pivot — agencies
together counted as the province counts them, periods shown by month, quarter or year (a flow summed, anything
else its latest value), the third dimension one member."""

from datetime import date

from django.http import QueryDict

from dashboards import explorer
from dashboards.explorer import Figure, Member, MetricInfo, pivot, query_from, table_rows

TODAY = date(2026, 12, 7)
RATIO = MetricInfo(1, "online_admin_dossiers", "Tỷ lệ hồ sơ trực tuyến", "%", "ratio", 100)
FLOW = MetricInfo(2, "ip_applications", "Số đơn đăng ký", "đơn", "flow", 100)
STOCK = MetricInfo(3, "st_enterprises", "Số doanh nghiệp KH&CN", "doanh nghiệp", "stock", 100)


def _query(text: str) -> explorer.Query:
    query, errors = query_from(QueryDict(text), today=TODAY, plan_year=2026)
    assert errors == []
    return query


def test_the_link_holds_the_whole_query_and_defaults_fill_the_rest():
    query = _query(
        "chi_so=a&chi_so=b&chi_so=a&co_quan=x&theo=thang&tu=2025&den=2026&hang=co-quan&cot=ky&trang_thai=tat-ca"
    )
    assert query.metrics == ("a", "b") and query.agencies == ("x",) and query.granularity == "thang"
    assert (query.first_year, query.last_year, query.rows, query.columns) == (2025, 2026, "co-quan", "ky")
    assert query.fixed == "chi-so" and not query.approved_only and query.chosen
    default = _query("")
    assert (default.granularity, default.first_year, default.last_year) == ("quy", 2025, 2026)
    assert (default.rows, default.columns, default.approved_only, default.chosen) == ("chi-so", "ky", True, False)


def test_what_cannot_be_drawn_is_said():
    _q, errors = query_from(QueryDict("hang=ky&cot=ky&tu=2030&den=2020"), today=TODAY, plan_year=2026)
    assert "Hàng và cột phải là hai chiều khác nhau." in errors
    assert any(e.startswith("Khoảng năm không hợp lệ: từ năm 2030 đến năm 2020") for e in errors)
    _q, errors = query_from(QueryDict("tu=hai-nghin"), today=TODAY, plan_year=2026)
    assert errors == ["Năm phải là số, ví dụ 2026."]


def test_agencies_together_count_as_the_province_counts_and_months_fold_into_quarters():
    # a ratio summed over agencies in SQL: Σ numerators / Σ denominators; in a quarter, its latest month
    figures = [
        Figure(1, None, date(2026, 1, 14), 120.0, 60.0, 30.0, 50.0, 2, 2),  # 60%
        Figure(1, None, date(2026, 3, 14), 150.0, 75.0, 45.0, 60.0, 2, 2),  # 75%: the quarter's latest
        Figure(1, None, date(2026, 4, 14), 170.0, 85.0, 17.0, 20.0, 2, 2),  # 85%
    ]
    table = pivot(figures, query=_query("chi_so=online_admin_dossiers&tu=2026&den=2026"), metrics=[RATIO], agencies=[])
    assert [c.label for c in table.columns] == ["Quý I/2026", "Quý II/2026", "Quý III/2026", "Quý IV/2026"]
    [(row, cells)] = table.lines()
    assert row.label == "Tỷ lệ hồ sơ trực tuyến (%)" and [v for v, _t in cells] == [75.0, 85.0, None, None]
    assert [t for _v, t in cells][:2] == ["75", "85"]


def test_a_yearly_flow_is_summed_within_a_column_a_stock_takes_its_latest():
    figures = [
        # the chosen agency's figures, read together (agencies are not a dimension of this table)
        Figure(2, None, date(2026, 3, 14), 4.0, 4.0, None, None, 1, 0),
        Figure(2, None, date(2026, 6, 14), 6.0, 6.0, None, None, 1, 0),
        Figure(3, None, date(2026, 3, 14), 20.0, 20.0, None, None, 1, 0),
        Figure(3, None, date(2026, 6, 14), 22.0, 22.0, None, None, 1, 0),
    ]
    query = _query("chi_so=ip_applications&chi_so=st_enterprises&co_quan=so-khcn&theo=nam&tu=2026&den=2026")
    table = pivot(figures, query=query, metrics=[FLOW, STOCK], agencies=[Member(10, "Sở KH&CN")])
    assert {row.label: [v for v, _t in cells] for row, cells in table.lines()} == {
        "Số đơn đăng ký (đơn)": [10.0],
        "Số doanh nghiệp KH&CN (doanh nghiệp)": [22.0],
    }
    assert table.unit == "" and table.notes  # two units; the flow's rule is said under the table
    headers, rows = table_rows(table)
    assert headers == ["Chỉ số \\ Kỳ", "Năm 2026"] and rows[0] == ["Số đơn đăng ký (đơn)", 10.0]


def test_agencies_on_the_rows_and_the_whole_span_fixed():
    figures = [
        Figure(3, 10, date(2025, 12, 14), 18.0, 18.0, None, None, 1, 0),
        Figure(3, 10, date(2026, 9, 14), 21.0, 21.0, None, None, 1, 0),
        Figure(3, 11, date(2026, 6, 14), 5.0, 5.0, None, None, 1, 0),
    ]
    query = _query("chi_so=st_enterprises&hang=co-quan&cot=chi-so&tu=2025&den=2026")
    agencies = [Member(10, "Sở KH&CN"), Member(11, "Xã Nam Tiến"), Member(12, "Xã Hưng Hà")]
    table = pivot(figures, query=query, metrics=[STOCK], agencies=agencies)
    assert [[v for v, _t in cells] for _row, cells in table.lines()] == [[21.0], [5.0], [None]]
    assert "từ năm 2025 đến năm 2026" in table.caption and table.unit == "doanh nghiệp"


def test_the_estimate_of_figures_read():
    assert explorer.figures_estimate(frequencies=["monthly", "quarterly"], agencies=104, years=3) == 16 * 104 * 3
