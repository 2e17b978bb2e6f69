"""The report to the centre as a pure computation: the latest approved value on or before the period's end, the
conversion, the freshness, and nothing dropped (no database)."""

from datetime import date
from decimal import Decimal

from oversight.centre import Mapping, Reading, central_export_build, converted, judged_on

DUE_DAYS = {"month": 5, "quarter": 10, "half_year": 15, "year": 20}
Q3 = {"period": "2026-Q3", "period_label": "Quý III/2026", "period_ends_on": date(2026, 9, 14)}


def _mapping(code, metric, factor="1", kind="quarter"):
    return Mapping(code, f"Chỉ tiêu {code}", "đơn vị", Decimal(factor), metric, metric, "%", kind)


def _reading(period, ends_on, value, **extra):
    return Reading(period, period, ends_on, value, **extra)


def _build(mappings, readings, as_of=date(2026, 10, 15)):
    metrics = [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
    return central_export_build(
        **Q3,
        period_due_on=date(2026, 9, 24),
        as_of=as_of,
        mappings=mappings,
        readings=readings,
        metrics=metrics,
        due_days=DUE_DAYS,
    )


def test_a_percentage_becomes_a_fraction_without_float_noise():
    assert converted(66.17000000000001, Decimal("0.01")) == (Decimal("66.17"), Decimal("0.6617"))
    assert converted(12.0, Decimal("100")) == (Decimal("12"), Decimal("1200"))


def test_the_latest_value_ending_by_the_period_end_is_taken_and_judged_on_its_report():
    readings = {
        "a": [
            _reading("2026-Q2", date(2026, 6, 14), 40.0),
            _reading("2026-Q3", date(2026, 9, 14), 75.0),
            _reading("2026-Q4", date(2026, 12, 14), 99.0),  # after the period
        ],
        "b": [_reading("2026-Q2", date(2026, 6, 14), 17.0)],  # nothing for Q3: late
    }
    export = _build([_mapping("TW-A", "a", "0.01"), _mapping("TW-B", "b"), _mapping("TW-C", "c")], readings)
    items = {item.code: item for item in export.items}
    assert (items["TW-A"].value, items["TW-A"].period, items["TW-A"].freshness) == (
        Decimal("0.75"),
        "2026-Q3",
        "current",
    )
    assert (items["TW-B"].value, items["TW-B"].freshness) == (Decimal(17), "late")
    assert items["TW-C"].value is None and items["TW-C"].freshness == "missing"
    assert export.no_value == ["TW-C"]
    assert [code for code, _name in export.unmapped] == ["d"]
    data = export.as_json()
    assert data["unmapped"] == ["d"] and data["no_value"] == ["TW-C"]
    assert data["items"][0]["value"] == 0.75 and data["items"][1]["value"] == 17


def test_freshness_is_judged_the_day_after_the_period_report_fell_due_or_earlier():
    assert judged_on(period_due_on=date(2026, 9, 24), as_of=date(2027, 3, 1)) == date(2026, 9, 25)
    assert judged_on(period_due_on=date(2026, 9, 24), as_of=date(2026, 9, 20)) == date(2026, 9, 20)
    # a year later the Q3 export still calls the Q3 value current
    readings = {"a": [_reading("2026-Q3", date(2026, 9, 14), 75.0)]}
    assert _build([_mapping("TW-A", "a")], readings, as_of=date(2027, 10, 1)).items[0].freshness == "current"
