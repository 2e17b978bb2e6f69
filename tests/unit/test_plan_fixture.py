"""The Plan 65-KH/TU fixture, checked against the source text it was transcribed from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from indicators.parsing import parse_target
from tasks.schedule import parse_deadline

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "fixtures" / "source" / "plan-65-kh-tu.txt"
FIXTURE = ROOT / "fixtures" / "plan_65_kh_tu.yaml"
YEARS = (2030, 2035, 2040, 2045)
GROUP_SIZES = {"I": 3, "II": 6, "III": 10, "IV": 10, "V": 13, "VI": 2}

# Page breaks that cut a word: the extraction repeated the letters on both sides of the cut.  These are the
# only joins that are not "piece + space + piece"; docs/plan-transcription.md lists every joined cell.
MID_WORD_JOINS = {
    "Ban Quản lý Khu công ng nghiệp": "Ban Quản lý Khu công nghiệp",
    "Sở Khoa học và Công nghệ nghệ": "Sở Khoa học và Công nghệ",
}


@dataclass
class SourceRow:
    key: str
    pieces: list[list[str]] = field(default_factory=list)

    def cell(self, column: int) -> str:
        """The column's text with its page-break pieces joined."""
        if column >= len(self.pieces):
            return ""
        text = " ".join(piece for piece in self.pieces[column] if piece)
        for cut, whole in MID_WORD_JOINS.items():
            text = text.replace(cut, whole)
        return text


def normalise(text: str) -> str:
    return " ".join(text.split())


@cache
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def source_rows(first_line: str, last_line: str | None) -> list[SourceRow]:
    """Rows of one appendix table: repeated headers skipped, continuation lines appended per column."""
    lines = source_text().split("\n")
    start = lines.index(first_line)
    end = lines.index(last_line) if last_line else len(lines)
    rows: list[SourceRow] = []
    for line in lines[start:end]:
        if "\t" not in line or line.startswith(("STT\t", "TT\t")):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[0] == "":
            for column, piece in enumerate(cells[1:], start=1):
                while len(rows[-1].pieces) <= column:
                    rows[-1].pieces.append([])
                rows[-1].pieces[column].append(piece)
            continue
        heading = re.fullmatch(r"([IVX]+) (.+)", cells[0])
        if heading:  # "III Tăng cường ...": code and title in one cell
            cells = [heading.group(1), heading.group(2), *cells[1:]]
        rows.append(SourceRow(cells[0].rstrip("."), [[cell] for cell in cells]))
    return rows


@cache
def fixture() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def indicators() -> dict[str, dict]:
    return {f"{g['code']}.{i['number']}": i for g in fixture()["indicator_groups"] for i in g["indicators"]}


def tasks() -> dict[int, dict]:
    return {t["number"]: t for g in fixture()["task_groups"] for t in g["tasks"]}


def source_indicators() -> dict[str, SourceRow]:
    out, group = {}, None
    for row in source_rows("PHỤ LỤC I", "PHỤ LỤC II"):
        if re.fullmatch(r"[IVX]+", row.key):
            group = row.key
        else:
            out[f"{group}.{row.key}"] = row
    return out


def source_tasks() -> dict[int, SourceRow]:
    return {int(r.key): r for r in source_rows("PHỤ LỤC II", None) if r.key.isdigit()}


def strip_tags(text: str) -> str:
    return re.sub(r"</?i>", "", text)


def cells() -> list[tuple[str, int, dict]]:
    return [(code, year, ind["cells"][year]) for code, ind in indicators().items() for year in YEARS]


def claims() -> list[tuple[str, int, dict, dict]]:
    return [(code, year, cell, claim) for code, year, cell in cells() for claim in cell["claims"]]


def claim_target(claim: dict, cell: dict):
    return parse_target(claim.get("fragment", cell["text"]))


# ---------------------------------------------------------------- structure


def test_plan_header() -> None:
    plan = fixture()["plan"]
    assert plan["code"] == "65-KH/TU"
    assert plan["province"] == "Hưng Yên"
    assert plan["issued_on"] == date(2026, 4, 22)
    assert plan["milestones"] == list(YEARS)
    assert plan["title"].startswith("Kế hoạch hành động của Ban Thường vụ Tỉnh ủy")
    assert plan["title"].removeprefix("Kế hoạch ") in normalise(source_text())


def test_indicator_groups_and_numbering() -> None:
    groups = fixture()["indicator_groups"]
    assert {g["code"]: len(g["indicators"]) for g in groups} == GROUP_SIZES
    assert list(GROUP_SIZES) == [g["code"] for g in groups]
    for group in groups:
        assert [i["number"] for i in group["indicators"]] == list(range(1, len(group["indicators"]) + 1))
    assert len(indicators()) == 44


def test_every_indicator_has_all_four_cells() -> None:
    for ind in indicators().values():
        assert sorted(ind["cells"]) == list(YEARS)
        for cell in ind["cells"].values():
            assert set(cell) == {"text", "claims"}
    assert len(cells()) == 176


def test_group_titles_match_source() -> None:
    source = {r.key: strip_tags(r.cell(1)) for r in source_rows("PHỤ LỤC I", "PHỤ LỤC II")}
    for group in fixture()["indicator_groups"]:
        assert group["title"] == source[group["code"]]
    source = {r.key: r.cell(1) for r in source_rows("PHỤ LỤC II", None)}
    for group in fixture()["task_groups"]:
        assert group["title"] == source[group["code"]]


def test_task_groups_and_numbering() -> None:
    groups = fixture()["task_groups"]
    assert [g["code"] for g in groups] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    numbers = [t["number"] for g in groups for t in g["tasks"]]
    # The source ends with task 35 on a last line without a newline (so `wc -l` stops at 34).
    assert numbers == list(range(1, 36))
    assert sorted(source_tasks()) == numbers


# ---------------------------------------------------------------- verbatim text


def test_cell_texts_are_verbatim() -> None:
    source = source_indicators()
    assert set(source) == set(indicators())
    flat = normalise(source_text())
    for code, year, cell in cells():
        row = source[code]
        column = YEARS.index(year) + 1
        assert cell["text"] == row.cell(column), (code, year)
        if cell["text"] in ("", "-"):
            continue
        if normalise(cell["text"]) not in flat:
            # Cut by a page break: every piece is in the source, and the pieces are what was joined.
            pieces = [p for p in row.pieces[column] if p]
            assert len(pieces) > 1, (code, year)
            for piece in pieces:
                assert normalise(piece) in flat, (code, year, piece)


def names_cover_cell(names: list[str], cell: str) -> bool:
    """The names, in order, spell the whole cell apart from separators (commas, semicolons, "và")."""

    def squash(text: str) -> str:
        return re.sub(r"\s|,|;|\bvà\b", "", text)

    return squash("".join(names)) == squash(cell) and all(name in cell for name in names)


def test_indicator_leads_split_from_source() -> None:
    source = source_indicators()
    for code, ind in indicators().items():
        assert names_cover_cell(ind["lead"], source[code].cell(5)), code
        assert all(name and name == name.strip() for name in ind["lead"])
    assert indicators()["II.6"]["lead"] == []


def test_tasks_are_verbatim() -> None:
    source = source_tasks()
    for number, task in tasks().items():
        row = source[number]
        assert task["title"] == row.cell(1), number
        assert names_cover_cell(task["lead"], row.cell(2)), number
        assert names_cover_cell(task["cooperating"], row.cell(3)), number
        assert task["result"] == row.cell(4), number
        assert task["deadline"] == row.cell(5), number


# ---------------------------------------------------------------- metrics and claims

KINDS = {"stock", "flow", "ratio", "index", "grdp_share"}
FREQUENCIES = {"monthly", "quarterly", "half_yearly", "yearly"}


def test_metrics_are_well_formed() -> None:
    metrics = fixture()["metrics"]
    codes = [m["code"] for m in metrics]
    assert len(codes) == len(set(codes))
    for metric in metrics:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", metric["code"])
        assert metric["name"]
        assert metric["kind"] in KINDS
        assert metric["direction"] in {"increase", "decrease"}
        assert metric["frequency"] in FREQUENCIES
        assert metric["collection"] in {"province", "per_agency"}
        is_ratio = metric["kind"] == "ratio"
        assert bool(metric.get("numerator_label")) == is_ratio, metric["code"]
        assert bool(metric.get("denominator_label")) == is_ratio, metric["code"]
        if metric["kind"] == "index":
            assert metric["unit"] == ""
        if metric["kind"] == "grdp_share":
            assert metric["unit"] == "% GRDP"


def test_every_claim_metric_exists_and_every_metric_is_used() -> None:
    codes = {m["code"] for m in fixture()["metrics"]}
    used = {claim["metric"] for *_, claim in claims()}
    assert used <= codes
    assert codes <= used


def test_claims_parse_from_their_fragments() -> None:
    metric_kind = {m["code"]: m for m in fixture()["metrics"]}
    for code, year, cell, claim in claims():
        assert set(claim) <= {"metric", "fragment"}
        if "fragment" in claim:
            assert claim["fragment"] in cell["text"], (code, year)
        parsed = claim_target(claim, cell)
        # A percentage target belongs to a metric measured in percent, and the other way round.
        assert parsed.percent == metric_kind[claim["metric"]]["unit"].startswith("%"), (code, year)


def test_empty_and_dash_cells_have_no_claims() -> None:
    for code, year, cell in cells():
        if cell["text"] in ("", "-"):
            assert cell["claims"] == [], (code, year)
        assert len(cell["claims"]) <= 2


def test_one_metric_at_most_once_per_cell() -> None:
    for code, year, cell in cells():
        metrics = [c["metric"] for c in cell["claims"]]
        assert len(metrics) == len(set(metrics)), (code, year)


QUALITATIVE = {"I.3", "II.6", "III.10"}


def test_qualitative_rows() -> None:
    for code in QUALITATIVE:
        assert all(not cell["claims"] for cell in indicators()[code]["cells"].values()), code
    measured = {code for code, *_ in claims()}
    assert measured == set(indicators()) - QUALITATIVE


# code, year, metric, operator, value, value_max, percent
CELL_SAMPLES = [
    ("I.1", 2030, "coverage_5g", ">=", "100", None, True),
    ("I.1", 2035, "coverage_6g", ">=", "50", None, True),
    ("I.2", 2030, "gigabit_broadband_access", ">=", "100", None, True),
    ("II.1", 2030, "budget_share_st_dt", ">=", "3", None, True),
    ("II.1", 2030, "social_investment_st_dt_grdp", ">=", "3", None, True),
    ("II.2", 2035, "commune_officials_digital_trained", ">=", "100", None, True),
    ("II.2", 2040, "adults_digital_services_access", ">=", "97", None, True),
    ("II.4", 2030, "adults_digital_services_access", ">=", "90", None, True),
    ("II.4", 2040, "adults_regular_digital_services_use", "range", "80", "90", True),
    ("II.5", 2045, "researchers_per_10k", ">=", "54", None, False),
    ("III.3", 2035, "st_researchers", ">=", "1200", None, False),
    ("III.3", 2045, "st_researchers", ">=", "3000", None, False),
    ("III.4", 2045, "state_funded_st_tasks", ">=", "60", None, False),
    ("III.5", 2035, "st_task_results_applied", ">=", "60", None, True),
    ("IV.1", 2030, "innovative_startups", ">=", "100", None, False),
    ("IV.1", 2040, "innovative_startup_projects", "range", "50", "60", False),
    ("IV.1", 2045, "innovative_startup_projects", "range", "50", "70", False),
    ("IV.5", 2030, "province_funded_innovation_projects", "range", "3", "5", False),
    ("IV.5", 2045, "province_funded_innovation_projects", ">=", "75", None, False),
    ("IV.10", 2040, "key_innovation_centers", "range", "5", "10", False),
    ("V.1", 2030, "dti_index", ">=", "0.75", None, False),
    ("V.1", 2045, "dti_index", ">=", "1.0", None, False),
    ("V.3", 2035, "full_online_public_services", ">=", "100", None, True),
    ("V.4", 2030, "contactless_admin_transactions", ">=", "100", None, True),
    ("V.4", 2030, "cashless_transactions", ">", "80", None, True),
    ("V.4", 2035, "online_admin_dossiers", ">=", "95", None, True),
    ("V.5", 2035, "cloud_information_systems", ">=", "90", None, True),
    ("V.6", 2035, "databases_digitized_connected", ">=", "100", None, True),
    ("V.7", 2030, "online_admin_dossiers", ">=", "85", None, True),
    ("V.7", 2035, "lgsp_data_integration", ">=", "100", None, True),
    ("V.8", 2035, "sme_digital_adoption", ">=", "85", None, True),
    ("V.9", 2035, "vneid_accounts", ">=", "95", None, True),
    ("V.9", 2035, "digital_signature_holders", ">=", "20", None, True),
    ("V.12", 2030, "vneid_accounts", ">=", "80", None, True),
    ("V.12", 2030, "digital_signature_holders", ">=", "10", None, True),
    ("V.13", 2030, "commune_unified_management_software", ">=", "90", None, True),
    ("VI.1", 2030, "digital_economy_grdp_share", ">=", "30", None, True),
    ("VI.1", 2045, "digital_economy_grdp_share", ">=", "50", None, True),
    ("VI.2", 2030, "tfp_contribution", ">", "45", None, True),
    ("VI.2", 2045, "tfp_contribution", ">", "60", None, True),
]


@pytest.mark.parametrize(
    ("code", "year", "metric", "operator", "value", "value_max", "percent"),
    CELL_SAMPLES,
    ids=[f"{s[0]}-{s[1]}-{s[2]}" for s in CELL_SAMPLES],
)
def test_cell_samples(
    code: str, year: int, metric: str, operator: str, value: str, value_max: str | None, percent: bool
) -> None:
    cell = indicators()[code]["cells"][year]
    matching = [c for c in cell["claims"] if c["metric"] == metric]
    assert len(matching) == 1, (code, year, metric)
    parsed = claim_target(matching[0], cell)
    assert parsed.operator == operator
    assert parsed.value == Decimal(value)
    assert parsed.value_max == (Decimal(value_max) if value_max else None)
    assert parsed.percent is percent


def test_text_samples() -> None:
    ind = indicators()
    text = "Có ≥ 1.200 cán bộ nghiên cứu khoa học và công nghệ toàn tỉnh"
    assert ind["III.3"]["cells"][2035]["text"] == text
    assert ind["V.12"]["cells"][2030]["text"] == (
        r"Có $\geq 80\%$ người dân có tài khoản định danh điện tử (VNeID), "
        r"tỷ lệ người dân có chữ ký số $\geq 10\%$."
    )
    assert ind["II.1"]["cells"][2030]["text"].endswith(
        "tỷ lệ chi cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
        "của tổng vốn đầu tư toàn xã hội đạt 3% GRDP"
    )
    assert ind["II.6"]["cells"][2045]["text"] == (
        "Thu hút đội ngũ chuyên gia, nhà khoa học, kỹ sư công nghệ hàng đầu, hình thành “cụm chuyên gia”"
    )
    text = "Mỗi năm có ≥ 500 sản phẩm đổi mới sáng tạo được thương mại hóa"
    assert ind["IV.4"]["cells"][2045]["text"] == text
    assert ind["III.1"]["cells"][2040]["text"].endswith("trên địa bàn,")  # stray comma kept
    assert ind["IV.8"]["cells"][2040]["text"].startswith(r"Có $\geq 60\%$ vừa và nhỏ")  # missing word kept
    assert ind["IV.10"]["cells"][2030]["text"] == "-"
    assert ind["IV.10"]["cells"][2045]["text"] == ""
    assert ind["I.2"]["cells"][2035] == {"text": "", "claims": []}
    assert ind["I.3"]["cells"][2030]["claims"] == []
    assert ind["III.10"]["lead"] == ["Sở Khoa học và Công nghệ"]
    assert ind["IV.4"]["lead"] == ["Sở Khoa học và Công nghệ"]
    assert ind["V.6"]["lead"] == ["Văn phòng UBND tỉnh"]
    assert ind["V.9"]["lead"] == ["Sở Khoa học và Công nghệ", "Công an tỉnh"]
    assert ind["VI.1"]["lead"] == ["Sở Công Thương", "các cơ quan liên quan"]
    assert ind["II.4"]["lead"] == ["các sở, ngành liên quan"]


# ---------------------------------------------------------------- tasks


def test_every_deadline_parses() -> None:
    for number, task in tasks().items():
        parse_deadline(task["deadline"])  # raises on an unknown form
        assert task["title"], number
        assert task["lead"], number
        assert task["cooperating"], number


Due = date | None

# number, lead, cooperating, deadline kind, due
TASK_SAMPLES = [
    (1, ["Báo và Đài phát thanh truyền hình tỉnh Hưng Yên"], ["Sở Khoa học và Công nghệ"], "recurring", None),
    (2, ["Sở Khoa học và Công nghệ"], ["Các sở, ngành, địa phương"], "recurring", None),
    (7, ["Sở Khoa học và Công nghệ"], ["Các sở, ngành, địa phương"], "one_off", date(2026, 5, 31)),
    (
        8,
        ["Các sở, ngành, địa phương"],
        ["Văn phòng UBND tỉnh", "Công an tỉnh", "Sở Khoa học và Công nghệ"],
        "continuous",
        None,
    ),
    (10, ["Các sở, ngành, địa phương"], ["Sở Tư pháp"], "conditional", None),
    (13, ["Sở Giáo dục và Đào tạo"], ["Các sở, ngành, địa phương"], "one_off", date(2026, 6, 30)),
    (14, ["Sở Nông nghiệp và Môi trường"], ["Các sở, ngành, địa phương"], "one_off", date(2026, 7, 31)),
    (17, ["Các sở, ngành liên quan"], ["Sở Khoa học và Công nghệ"], "conditional", None),
    (18, ["Các địa phương"], ["Sở Khoa học và Công nghệ"], "continuous", None),
    (21, ["Văn phòng UBND tỉnh"], ["Các sở, ngành, địa phương"], "recurring", None),
    (
        24,
        ["Công an tỉnh", "Bộ chỉ huy quân sự tỉnh"],
        ["Sở Khoa học và Công nghệ", "các sở, ngành, địa phương"],
        "continuous",
        None,
    ),
    (25, ["Sở Nội vụ"], ["Các sở, ngành, địa phương"], "one_off", date(2026, 6, 30)),
    (28, ["Các sở, ngành, địa phương"], ["Các cơ quan liên quan"], "continuous", None),
    (
        30,
        ["Ban Quản lý Khu công nghiệp tỉnh", "Sở Công Thương", "Sở Tài chính", "địa phương liên quan"],
        ["Sở Khoa học và Công nghệ"],
        "one_off",
        date(2028, 6, 30),
    ),
    (
        31,
        ["Các sở, ngành, địa phương"],
        ["Sở Công thương", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ"],
        "continuous",
        None,
    ),
    (33, ["Sở Tài chính"], ["Các sở, ban, ngành, địa phương"], "continuous", None),
    (35, ["Sở Khoa học và Công nghệ"], ["Các Sở, ban, ngành, địa phương"], "continuous", None),
]


@pytest.mark.parametrize(
    ("number", "lead", "cooperating", "kind", "due"), TASK_SAMPLES, ids=[s[0] for s in TASK_SAMPLES]
)
def test_task_samples(number: int, lead: list[str], cooperating: list[str], kind: str, due: Due) -> None:
    task = tasks()[number]
    assert task["lead"] == lead
    assert task["cooperating"] == cooperating
    schedule = parse_deadline(task["deadline"])
    assert schedule.kind == kind
    assert schedule.due == due


def test_task_text_samples() -> None:
    task = tasks()
    assert task[10]["result"] == ""
    assert task[1]["result"] == "Chương trình"
    assert task[1]["deadline"] == "Hàng quý"
    assert task[4]["title"].startswith("Bổ trí tỉ lệ")  # typo kept
    assert task[21]["deadline"] == "Quý III năm 2026 hàng năm"
    assert parse_deadline(task[21]["deadline"]).starts == date(2026, 7, 1)
    assert task[30]["title"].endswith(
        "theo Quy hoạch hạ tăng thông tin và truyền thông thời kỳ 2021 - 2030, tầm nhìn đến năm 2050"
    )
    assert task[30]["result"] == "Các khu công nghiệp công nghệ số được triển khai"
    assert task[33]["deadline"] == "2025-2030"
    assert task[35]["title"].startswith("Cử cán bộ tham gia chương trình hợp tác nghiên cứu quốc tế")
