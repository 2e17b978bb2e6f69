"""What a revised plan changes (pure: ``adjustments.state``), and how a change reads."""

from __future__ import annotations

import copy

from adjustments.describe import change_line
from adjustments.state import (
    ADDED,
    ASSIGNMENT,
    PARSED_TARGET,
    RETIRED,
    TARGET,
    TASK,
    ChangeSpec,
    PlanState,
    inverse,
    plan_diff,
    state_value,
)


def _state() -> PlanState:
    return PlanState(
        meta={
            "code": "65-KH/TU",
            "title": "KH",
            "province": "Hưng Yên",
            "issued_on": "2026-04-22",
            "milestones": [2030],
        },
        indicator_groups={"V": "Kinh tế số"},
        task_groups={"I": "Nhóm I"},
        metrics={"dti_index": {"name": "DTI", "unit": "", "kind": "index", "reporting_agency": ""}},
        indicators={
            "V.1": {
                "group": "V",
                "number": 1,
                "lead": ["Sở KH&CN"],
                "cells": {
                    2030: {
                        "text": "DTI ≥ 0,75",
                        "targets": [
                            {
                                "metric": "dti_index",
                                "fragment": "",
                                "operator": ">=",
                                "value": "0.75",
                                "value_max": None,
                            }
                        ],
                    }
                },
            }
        },
        tasks={
            8: {
                "group": "I",
                "title": "Số hóa",
                "result": "",
                "lead": ["Các sở, ngành, địa phương"],
                "cooperating": [],
                "deadline": "Thường xuyên",
            }
        },
    )


def test_the_same_plan_has_no_change():
    assert plan_diff(_state(), _state()) == ([], [])


def test_a_cell_a_deadline_and_an_agency_changed_are_three_changes_and_four_lines():
    new = _state()
    cell = new.indicators["V.1"]["cells"][2030]
    cell["text"] = "DTI ≥ 0,80"
    cell["targets"] = [{**cell["targets"][0], "value": "0.8"}]
    new.tasks[8]["deadline"] = "Tháng 6/2027"
    new.tasks[8]["cooperating"] = ["Sở Tài chính"]
    new.where[(TASK, 8, "deadline")] = "Trang “Phụ lục II”, dòng 9, cột H (Thời gian hoàn thành)"
    changes, refusals = plan_diff(_state(), new)
    assert refusals == []
    assert [(c.subject, c.code, c.year, c.field) for c in changes] == [
        (TARGET, "V.1", 2030, "text"),
        (PARSED_TARGET, "V.1", 2030, "targets"),
        (TASK, "8", None, "deadline"),
        (ASSIGNMENT, "8", None, "cooperating"),
    ]
    assert [change_line(c) for c in changes] == [
        "Chỉ tiêu V.1, mục tiêu đến hết năm 2030: “DTI ≥ 0,75” → “DTI ≥ 0,80”",
        "Chỉ tiêu V.1, mục tiêu định lượng năm 2030: ≥ 0,75 → ≥ 0,8",
        "Trang “Phụ lục II”, dòng 9, cột H (Thời gian hoàn thành) — Nhiệm vụ 8, thời gian hoàn thành: "
        "“Thường xuyên” → “Tháng 6/2027”",
        "Nhiệm vụ 8, cơ quan phối hợp: — → Sở Tài chính (bổ sung Sở Tài chính)",
    ]


def test_rows_removed_are_retired_and_rows_added_are_added():
    new = _state()
    del new.tasks[8]
    new.tasks[36] = {**_state().tasks[8], "title": "Việc mới"}
    new.indicators.pop("V.1")
    changes, _refusals = plan_diff(_state(), new)
    assert [(c.subject, c.code, c.field) for c in changes] == [
        ("indicator", "V.1", RETIRED),
        (TASK, "36", ADDED),
        (TASK, "8", RETIRED),
    ]


def test_what_an_adjustment_cannot_change_is_refused_with_where():
    new = copy.deepcopy(_state())
    new.meta["issued_on"] = "2026-05-01"
    new.indicator_groups["V"] = "Kinh tế số (sửa)"
    new.indicators["V.1"]["lead"] = ["Sở Tài chính"]
    new.metrics["dti_index"]["kind"] = "ratio"
    new.tasks[8]["group"] = "II"
    _changes, refusals = plan_diff(_state(), new)
    assert len(refusals) == 5
    assert refusals[0].startswith("Trang “Kế hoạch”: ngày ban hành “2026-04-22” → “2026-05-01”")


def test_the_inverse_of_a_change_restores_what_was_in_force():
    change = ChangeSpec(TASK, "8", "deadline", "Thường xuyên", "Tháng 6/2027")
    current = _state()
    current.tasks[8]["deadline"] = "Tháng 6/2027"
    [restoring] = inverse(change, state_value(current, change))
    assert (restoring.old, restoring.new) == ("Tháng 6/2027", "Thường xuyên")
    retired = ChangeSpec(TASK, "8", RETIRED, _state().tasks[8], None)
    [readded] = inverse(retired, None)
    assert (readded.field, readded.new["deadline"]) == (ADDED, "Thường xuyên")
