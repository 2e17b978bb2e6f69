"""`export_plan` prints the loaded plan as JSON in the documented schema, matching the source cell for cell."""

import io
import json

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

OPERATORS = {">=", ">", "=", "<=", "<", "range"}


@pytest.fixture
def exported(plan) -> dict:
    out = io.StringIO()
    call_command("export_plan", stdout=out)
    return json.loads(out.getvalue())


def test_export_has_the_documented_schema(exported):
    assert len(exported["indicators"]) == 44
    for indicator in exported["indicators"]:
        assert set(indicator) >= {"code", "group", "lead_agencies", "cells"}
        assert [c["year"] for c in indicator["cells"]] == [2030, 2035, 2040, 2045]
        for cell in indicator["cells"]:
            assert set(cell) >= {"year", "text", "qualitative", "targets"}
            for target in cell["targets"]:
                assert set(target) >= {"metric", "operator", "value", "value_max", "unit"}
                assert target["operator"] in OPERATORS
                assert (target["value_max"] is None) == (target["operator"] != "range")
    for task in exported["tasks"]:
        assert set(task) >= {
            "number",
            "group",
            "title",
            "result",
            "lead_agencies",
            "cooperating_agencies",
            "deadline_text",
            "schedule",
        }
        assert task["schedule"]["kind"] in {"one_off", "recurring", "continuous", "conditional"}
        assert (task["schedule"]["due"] is not None) == (task["schedule"]["kind"] == "one_off")


def test_export_matches_the_shipped_transcription_cell_for_cell(exported):
    source = yaml.safe_load(settings.PLAN_FIXTURE.read_text(encoding="utf-8"))
    expected = {
        f"{group['code']}.{row['number']}": {int(y): cell["text"] for y, cell in row["cells"].items()}
        for group in source["indicator_groups"]
        for row in group["indicators"]
    }
    got = {i["code"]: {c["year"]: c["text"] for c in i["cells"]} for i in exported["indicators"]}
    assert got == expected
    tasks = {t["number"]: t for t in exported["tasks"]}
    for group in source["task_groups"]:
        for row in group["tasks"]:
            task = tasks[row["number"]]
            assert (task["title"], task["deadline_text"], task["lead_agencies"], task["cooperating_agencies"]) == (
                row["title"],
                row["deadline"],
                row["lead"],
                row.get("cooperating") or [],
            )


def test_export_sample_values(exported):
    indicators = {i["code"]: i for i in exported["indicators"]}
    cell = indicators["III.3"]["cells"][1]
    assert cell["text"] == "Có ≥ 1.200 cán bộ nghiên cứu khoa học và công nghệ toàn tỉnh"
    assert cell["targets"][0]["operator"] == ">=" and cell["targets"][0]["value"] == 1200
    assert indicators["I.3"]["cells"][0]["qualitative"] is True
    assert indicators["V.9"]["lead_agencies"] == ["Sở Khoa học và Công nghệ", "Công an tỉnh"]
    tasks = {t["number"]: t for t in exported["tasks"]}
    assert tasks[21]["schedule"]["kind"] == "recurring" and tasks[21]["schedule"]["rule"]


def test_export_without_a_plan_says_what_to_do(plan):
    plan.delete()
    with pytest.raises(CommandError, match="load_plan"):
        call_command("export_plan", stdout=io.StringIO())
