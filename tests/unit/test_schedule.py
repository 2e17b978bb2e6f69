"""Completion times of Appendix II and their due dates."""

from datetime import date

import pytest
from dateutil.rrule import rrulestr

from tasks.schedule import Schedule, occurrences, parse_deadline

QUARTER_ENDS_2026_2027 = [
    date(2026, 3, 31),
    date(2026, 6, 30),
    date(2026, 9, 30),
    date(2026, 12, 31),
    date(2027, 3, 31),
    date(2027, 6, 30),
    date(2027, 9, 30),
    date(2027, 12, 31),
]

# Every distinct "Thời gian hoàn thành" of the source, with what it must mean and its due dates in 2026-2027.
SOURCE_DEADLINES = [
    ("Tháng 5/2026", "one_off", dict(due=date(2026, 5, 31)), [date(2026, 5, 31)]),
    ("Tháng 6/2026", "one_off", dict(due=date(2026, 6, 30)), [date(2026, 6, 30)]),
    ("Tháng 7/2026", "one_off", dict(due=date(2026, 7, 31)), [date(2026, 7, 31)]),
    ("Tháng 6/2028", "one_off", dict(due=date(2028, 6, 30)), []),
    ("Quý II năm 2026", "one_off", dict(due=date(2026, 6, 30)), [date(2026, 6, 30)]),
    (
        "Hàng quý",
        "recurring",
        dict(rule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
        QUARTER_ENDS_2026_2027,
    ),
    (
        "Quý I hàng năm",
        "recurring",
        dict(rule="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=-1"),
        [date(2026, 3, 31), date(2027, 3, 31)],
    ),
    (
        "Quý III hàng năm",
        "recurring",
        dict(rule="FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=-1"),
        [date(2026, 9, 30), date(2027, 9, 30)],
    ),
    (
        "Quý IV hàng năm",
        "recurring",
        dict(rule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1"),
        [date(2026, 12, 31), date(2027, 12, 31)],
    ),
    (
        "Hàng năm",
        "recurring",
        dict(rule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1"),
        [date(2026, 12, 31), date(2027, 12, 31)],
    ),
    (
        "Quý III năm 2026 hàng năm",
        "recurring",
        dict(rule="FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=-1", starts=date(2026, 7, 1)),
        [date(2026, 9, 30), date(2027, 9, 30)],
    ),
    ("Thường xuyên", "continuous", dict(starts=None, ends=None), []),
    ("2026 và những năm tiếp theo", "continuous", dict(starts=date(2026, 1, 1), ends=None), []),
    ("2025-2030", "continuous", dict(starts=date(2025, 1, 1), ends=date(2030, 12, 31)), []),
    ("Theo đề nghị của bộ, ngành", "conditional", {}, []),
    ("Theo hướng dẫn của các Bộ, ngành", "conditional", {}, []),
    ("Khi có hướng dẫn của các bộ, ngành", "conditional", {}, []),
]


@pytest.mark.parametrize(
    ("text", "kind", "fields", "due_dates"), SOURCE_DEADLINES, ids=[d[0] for d in SOURCE_DEADLINES]
)
def test_every_source_deadline(text: str, kind: str, fields: dict, due_dates: list[date]) -> None:
    schedule = parse_deadline(text)
    assert schedule.kind == kind
    for name, value in fields.items():
        assert getattr(schedule, name) == value, name
    assert schedule.label
    if kind == "recurring":
        rrulestr(schedule.rule, dtstart=date(2026, 1, 1))  # dateutil understands the rule as stored
    else:
        assert schedule.rule is None
    assert occurrences(schedule, date(2026, 1, 1), date(2027, 12, 31)) == due_dates


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Hàng quý", "Hằng quý"),
        ("Quý I hàng năm", "Quý I hằng năm"),
        ("Hàng năm", "Hằng năm"),
        ("Quý II năm 2026", "Quý II năm 2026"),
        ("Tháng 5/2026", "Tháng 5/2026"),
        ("Quý III năm 2026 hàng năm", "Quý III hằng năm, từ năm 2026"),
        ("Thường xuyên", "Thường xuyên"),
        ("2025-2030", "Giai đoạn 2025-2030"),
        ("Theo hướng dẫn của các Bộ, ngành", "Theo hướng dẫn của các Bộ, ngành"),
    ],
)
def test_labels_are_short_vietnamese(text: str, label: str) -> None:
    assert parse_deadline(text).label == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hằng quý", parse_deadline("Hàng quý")),
        ("  HÀNG   QUÝ. ", parse_deadline("Hàng quý")),
        ("Quý I hằng năm", parse_deadline("Quý I hàng năm")),
        ("quý 1 hàng năm", parse_deadline("Quý I hàng năm")),
        ("Quý 2 năm 2026", parse_deadline("Quý II năm 2026")),
        ("quý ii năm 2026", parse_deadline("Quý II năm 2026")),
        ("Quý 2/2026", parse_deadline("Quý II năm 2026")),
        ("tháng 05/2026", parse_deadline("Tháng 5/2026")),
        ("T5/2026", parse_deadline("Tháng 5/2026")),
        ("Tháng 5 năm 2026", parse_deadline("Tháng 5/2026")),
        ("Quý II/2026 hằng năm", parse_deadline("Quý II năm 2026 hàng năm")),
        ("Tháng năm 2026", None),
        ("Hằng năm", parse_deadline("Hàng năm")),
        ("thường xuyên", parse_deadline("Thường xuyên")),
        ("2025 - 2030", parse_deadline("2025-2030")),
        ("Giai đoạn 2025-2030", parse_deadline("2025-2030")),
        ("Từ năm 2026 trở đi", parse_deadline("2026 và những năm tiếp theo")),
    ],
)
def test_spelling_variants(text: str, expected: Schedule | None) -> None:
    if expected is None:
        # Half-recognised text must fail loudly rather than be guessed at.
        with pytest.raises(ValueError):
            parse_deadline(text)
    else:
        assert parse_deadline(text) == expected


def test_other_recurring_forms() -> None:
    assert parse_deadline("Hằng tháng").rule == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert occurrences(parse_deadline("6 tháng"), date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 6, 30),
        date(2026, 12, 31),
    ]


UNKNOWN = ["", "Sớm nhất có thể", "Quý V năm 2026", "Tháng 13/2026", "2030-2025", "Quý"]


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_deadline_raises_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_deadline(text)
    assert f"“{text.strip()}”" in str(error.value)


def test_occurrences_respect_window_and_schedule_bounds() -> None:
    quarterly = parse_deadline("Hàng quý")
    assert occurrences(quarterly, date(2026, 3, 31), date(2026, 6, 30)) == [
        date(2026, 3, 31),
        date(2026, 6, 30),
    ]
    assert occurrences(quarterly, date(2026, 4, 1), date(2026, 6, 29)) == []
    assert occurrences(quarterly, date(2027, 1, 1), date(2026, 1, 1)) == []

    from_q3_2026 = parse_deadline("Quý III năm 2026 hàng năm")
    assert occurrences(from_q3_2026, date(2025, 1, 1), date(2026, 12, 31)) == [date(2026, 9, 30)]

    bounded = Schedule(
        "recurring",
        rule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1",
        starts=date(2026, 1, 1),
        ends=date(2026, 12, 31),
        label="Hằng năm, chỉ năm 2026",
    )
    assert occurrences(bounded, date(2025, 1, 1), date(2028, 12, 31)) == [date(2026, 12, 31)]

    one_off = parse_deadline("Tháng 6/2028")
    assert occurrences(one_off, date(2028, 6, 30), date(2028, 6, 30)) == [date(2028, 6, 30)]
    assert occurrences(one_off, date(2028, 7, 1), date(2028, 12, 31)) == []


def test_schedule_is_frozen_and_validated() -> None:
    schedule = parse_deadline("Hàng quý")
    with pytest.raises(AttributeError):
        schedule.kind = "one_off"  # type: ignore[misc]
    with pytest.raises(ValueError):
        Schedule("sometimes")
    with pytest.raises(ValueError):
        Schedule("one_off")
    with pytest.raises(ValueError):
        Schedule("recurring")
    with pytest.raises(ValueError):
        Schedule("continuous", due=date(2026, 1, 1))
