"""Who reports the digital-government metrics follows the plan's own "Cơ quan chủ trì đánh giá" column
(Appendix I), read from the plan text: the VNeID and digital-signature figures come from the agency leading the
evaluation of every row that measures them (Công an tỉnh), not from the first co-lead the loader meets."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from agencies.selectors import AgencyDirectory
from indicators.models import Metric

SOURCE = (settings.BASE_DIR / "fixtures" / "source" / "plan-65-kh-tu.txt").read_text(encoding="utf-8")
ROMAN = re.compile(r"^(I|II|III|IV|V|VI)$")


def appendix_one_rows() -> list[tuple[str, str, list[str], str]]:
    """(group, number, the four milestone cells, lead evaluating agency) of each whole row of Appendix I."""
    appendix = SOURCE.split("PHỤ LỤC I\n", 1)[1].split("PHỤ LỤC II", 1)[0]
    rows, group = [], ""
    for line in appendix.splitlines():
        columns = line.split("\t")
        if ROMAN.match(columns[0].strip()):
            group = columns[0].strip()
        elif columns[0].strip().isdigit() and len(columns) == 6:
            rows.append((group, columns[0].strip(), columns[1:5], columns[5].strip()))
    return rows


@pytest.mark.parametrize(
    ("code", "words"),
    [("vneid_accounts", "định danh điện tử"), ("digital_signature_holders", "chữ ký số")],
)
def test_digital_identity_metrics_are_reported_by_the_plans_lead_evaluating_agency(plan, code, words):
    measuring = [row for row in appendix_one_rows() if any(words in cell for cell in row[2])]
    assert {f"{g}.{n}" for g, n, _cells, _lead in measuring} == {"V.9", "V.12"}
    directory = AgencyDirectory()
    leads = [{a.pk for name in lead.split(",") for a in directory.resolve(name.strip())} for *_, lead in measuring]
    (lead_of_every_row,) = set.intersection(*leads)

    metric = Metric.objects.get(plan=plan, code=code)
    assert metric.collection == Metric.Collection.PROVINCE
    assert metric.reporting_agency_id == lead_of_every_row
    assert set(metric.reporters.values_list("pk", flat=True)) == {lead_of_every_row}
    assert metric.reporting_agency.name == "Công an tỉnh"
