"""The dashboards: overview, indicator, agency and task board read snapshots, filter from the query string,
download their tables, and run a fixed number of queries whatever the amount of data."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.db.models import Count
from django.urls import reverse

from indicators.models import ReportTimeliness, TargetStatus
from tasks.models import Task, TaskOccurrence, TaskTerms

from .factories import occurrences_make, snapshots_fill

AS_OF = date(2026, 9, 30)


@pytest.fixture
def snapshots(plan):
    snapshots_fill(plan, as_of=AS_OF)
    return plan


@pytest.fixture
def steering_client(client, steering):
    client.force_login(steering)
    return client


def _pages():
    return [
        reverse("overview"),
        reverse("home") + "?moc=2035&loai=locality&sap_xep=ten",
        reverse("indicator", args=["I.1"]),
        reverse("indicator", args=["II.2"]),  # collected per commune: a breakdown by agency
        reverse("agency", args=["so-khcn"]),
        reverse("agency_list"),
        reverse("task_list"),
        reverse("task_list") + "?trang_thai=overdue&thoi_han=one_off",
    ]


@pytest.mark.parametrize("url", _pages())
def test_every_page_opens_for_every_role(client, snapshots, steering, reviewer, agency_staff, administrator, url):
    for user in [steering, reviewer, agency_staff, administrator]:
        client.force_login(user)
        assert client.get(url).status_code == 200, (user.role, url)


@pytest.mark.parametrize("url", ["/", "/chi-tieu/I.1/", "/co-quan/so-khcn/", "/co-quan/"])
def test_pages_require_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_indicator_and_agency_are_404(steering_client, plan):
    assert steering_client.get(reverse("indicator", args=["IX.9"])).status_code == 404
    assert steering_client.get(reverse("agency", args=["khong-co"])).status_code == 404


def test_overview_counts_the_latest_snapshot_of_the_chosen_milestone(steering_client, snapshots):
    latest = TargetStatus.objects.filter(as_of=AS_OF, parsed_target__target__year=2030)
    # the older computation says otherwise; the page must read only the latest
    TargetStatus.objects.exclude(as_of=AS_OF).update(status="achieved")
    response = steering_client.get(reverse("home"), {"moc": 2030})
    headline = response.context["headline"]
    assert headline["measured"] == latest.count()
    assert headline["achieved"] == latest.filter(status="achieved").count()
    assert headline["behind"] == latest.filter(status__in=["accelerate", "limited", "regressing"]).count()
    tasks = response.context["tasks"]
    assert tasks.due["overdue"] == TaskOccurrence.objects.filter(status="overdue").count()
    behind = TaskOccurrence.objects.filter(status="overdue").values("task").distinct().count()
    assert (tasks.tasks["behind"], tasks.total) == (behind, Task.objects.count())
    html = response.content.decode()
    assert 'data-figure="status_by_group"' in html and 'id="figures"' in html
    # every status shown with words, not colour alone
    assert "Đúng lộ trình" in html and "Cần tăng tốc" in html


def test_overview_milestone_selector_changes_the_targets(steering_client, snapshots):
    r2030 = steering_client.get(reverse("home"), {"moc": 2030}).context
    r2045 = steering_client.get(reverse("home"), {"moc": 2045}).context
    assert r2030["milestone"] == 2030 and r2045["milestone"] == 2045
    # the selector posts the year as written in the URL, not as a localised number ("2.045")
    html = steering_client.get(reverse("home"), {"moc": 2045}).content.decode()
    assert '<option value="2045" selected>' in html and "2.045" not in html
    years = {row.parsed.target.year for row in r2045["targets"]}
    assert years <= {2045}
    assert [row.parsed.pk for row in r2030["targets"]] != [row.parsed.pk for row in r2045["targets"]]
    # nonsense falls back to the first milestone
    assert steering_client.get(reverse("home"), {"moc": "abc"}).context["milestone"] == 2030


def test_overview_groups_overdue_work_by_task_and_by_agency(steering_client, snapshots):
    context = steering_client.get(reverse("overview")).context
    overdue = TaskOccurrence.objects.filter(status="overdue")
    by_task, by_agency = context["overdue_by_task"], context["overdue_by_agency"]
    assert by_task and by_agency, "the factory makes overdue occurrences"
    first = by_task[0]
    of_task = overdue.filter(task__number=int(first.key))
    assert first.count == of_task.count() == max(overdue.filter(task__number=int(g.key)).count() for g in by_task)
    assert first.spread == of_task.values("agency").distinct().count()
    assert first.longest == max(o.days_late for o in of_task)
    assert [g.count for g in by_agency] == sorted((g.count for g in by_agency), reverse=True)
    assert by_agency[0].count == overdue.filter(agency__code=by_agency[0].key).count()
    # off-track and late-data targets come first, furthest behind first
    codes = [row.code for row in context["attention"]]
    assert codes and set(codes) <= {"regressing", "limited", "accelerate", "no_data"}
    order = ["regressing", "limited", "accelerate", "no_data"]
    assert [order.index(c) for c in codes] == sorted(order.index(c) for c in codes)
    assert all(r.tasks_overdue or r.reports_missing for r in context["laggards"])


def test_scorecard_sorts_and_filters_by_kind(steering_client, snapshots):
    rows = steering_client.get(reverse("agency_list"), {"sap_xep": "bao-cao-thieu", "loai": "department"}).context[
        "scorecard"
    ]
    missing = [r.reports_missing for r in rows]
    assert missing == sorted(missing, reverse=True) and max(missing) > 0
    assert all(r.agency.kind == "department" for r in rows)
    expected = ReportTimeliness.objects.filter(agency=rows[0].agency, status="missing").count()
    assert rows[0].reports_missing == expected
    by_name = steering_client.get(reverse("agency_list"), {"sap_xep": "ten"}).context["scorecard"]
    assert [r.agency.name for r in by_name] == sorted(r.agency.name for r in by_name)


def test_the_plan_page_says_where_each_indicator_stands_and_its_latest_value(steering_client, snapshots):
    from indicators.statuses import latest_text, target_statuses_at

    html = steering_client.get(reverse("plan_overview")).content.decode()
    assert "Tình trạng mốc 2030 · mới nhất" in html
    row = html.split('id="chi-tieu-I.1"', 1)[1].split("</tr>", 1)[0]
    [status] = [
        s
        for s in target_statuses_at()
        if s.parsed_target.target.indicator.code == "I.1" and s.parsed_target.target.year == 2030
    ]
    assert f"status-{status.status}" in row and latest_text(status, "%") in row
    qualitative = html.split('id="chi-tieu-I.3"', 1)[1].split("</tr>", 1)[0]
    assert "Định tính" in qualitative


def test_indicator_page_says_what_each_metric_measures_where_from_and_how_it_is_judged(steering_client, snapshots):
    html = steering_client.get(reverse("indicator", args=["V.10"])).content.decode()
    facts = html.split('id="chi-so-lgsp_data_integration"', 1)[1].split("</details>", 1)[0]
    for text in [
        "Nền tảng tích hợp, chia sẻ dữ liệu của tỉnh (LGSP)",  # the definition, from the plan data
        "Số liệu vận hành nền tảng LGSP do Văn phòng UBND tỉnh tổng hợp.",  # the source
        "VP UBND tỉnh",  # who reports it
        "Hằng quý",
        "Thu hẹp khoảng cách theo đường thẳng",  # how its targets get their colour: a share, judged linearly
        "từ 0,95, cần tăng tốc từ 0,6",
    ]:
        assert text in facts, text


def test_indicator_page_shows_cells_verbatim_series_and_why(steering_client, snapshots):
    response = steering_client.get(reverse("indicator", args=["I.1"]))
    html = response.content.decode()
    cells = response.context["cells"]
    assert [c.year for c in cells] == [2030, 2035, 2040, 2045]
    assert "$\\geq" not in html
    assert "Vì sao màu này?" in html and "Giá trị mới nhất so với lộ trình" in html
    assert "<dt>Tỷ số tiến độ</dt><dd>0,8</dd>" in html
    assert "ratio: 0.8" not in html  # the engine's raw keys stay out of the page
    figures = response.context["figures"]
    series = [f for key, f in figures.items() if key.startswith("series-")]
    assert series and all(f["data"][0]["x"] for f in series)
    names = {trace["name"] for trace in series[0]["data"]}
    assert {"Số liệu đã duyệt", "Lộ trình cần đạt"} <= names and any(n.startswith("Mục tiêu 2030: ") for n in names)


def test_indicator_breakdown_is_sorted_for_metrics_collected_per_agency(steering_client, snapshots):
    from indicators.models import Metric

    metric = Metric.objects.filter(collection="per_agency", parsed_targets__isnull=False).first()
    indicator = metric.parsed_targets.first().target.indicator
    figures = steering_client.get(reverse("indicator", args=[indicator.code])).context["figures"]
    bars = [f for key, f in figures.items() if key.startswith("breakdown-")]
    assert bars
    values = bars[0]["data"][0]["x"]
    assert values == sorted(values, reverse=True)


def test_indicator_page_draws_the_engine_snapshot_not_live_figures(steering_client, snapshots):
    from indicators.models import Metric, Observation, ProvinceValue

    metric = Metric.objects.get(code="commune_officials_digital_trained")
    stored = list(
        ProvinceValue.objects.filter(metric=metric).order_by("period__ends_on").values_list("period", "value")
    )
    assert stored
    # figures approved after the last recompute do not show until the engine runs again
    Observation.objects.filter(metric=metric).update(numerator=0)
    panels = steering_client.get(reverse("indicator", args=["II.2"])).context["panels"]
    [series] = [p["series"] for p in panels if p["series"].metric == metric]
    assert [round(p.value, 4) for p in series.points] == [round(float(v), 4) for _period, v in stored]
    # the breakdown is each agency's figure of the snapshot's latest period, at most one per agency
    last_period = stored[-1][0]
    expected = Observation.objects.filter(metric=metric, period=last_period, status="approved")
    assert sorted(a.pk for a, _v in series.breakdown) == sorted(expected.values_list("agency", flat=True))
    assert all(value == 0 for _agency, value in series.breakdown)


def test_agency_page_lists_its_tasks_and_timeliness(steering_client, snapshots):
    response = steering_client.get(reverse("agency", args=["so-khcn"]))
    context = response.context
    lead_numbers = set(
        Task.objects.filter(assignments__agency__code="so-khcn", assignments__role="lead").values_list(
            "number", flat=True
        )
    )
    assert {a.task.number for a in context["lead"]} == lead_numbers
    assert {t.agency.code for t in context["timeliness"]} <= {"so-khcn"}


def test_task_board_filters_from_the_query_string(steering_client, snapshots, plan):
    all_rows = steering_client.get(reverse("task_list")).context["rows"]
    assert len(all_rows) == 35
    one_off = steering_client.get(reverse("task_list"), {"thoi_han": "one_off"}).context["rows"]
    assert one_off and all(r.task.schedule_kind == "one_off" for r in one_off) and len(one_off) < 35
    group = plan.task_groups.order_by("order").first()
    grouped = steering_client.get(reverse("task_list"), {"nhom": group.code}).context["rows"]
    assert {r.task.group_id for r in grouped} == {group.pk}
    overdue = steering_client.get(reverse("task_list"), {"trang_thai": "overdue"}).context["rows"]
    assert overdue and all(r.status == "overdue" for r in overdue)
    commune = plan.tasks.filter(assignments__agency__kind="locality").values("assignments__agency__code").first()
    code = commune["assignments__agency__code"]
    mine = steering_client.get(reverse("task_list"), {"co_quan": code}).context["rows"]
    expected = set(Task.objects.filter(assignments__agency__code=code).values_list("number", flat=True))
    assert {r.task.number for r in mine} == expected and len(expected) < 35


def test_tables_download_as_csv_and_xlsx_without_formulas(steering_client, snapshots):
    occurrence = TaskOccurrence.objects.filter(status="overdue").order_by("-days_late").first()
    TaskTerms.objects.filter(task_id=occurrence.task_id).update(title='=HYPERLINK("http://x")')
    response = steering_client.get(reverse("home"), {"format": "csv", "bang": "qua-han"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Nhiệm vụ"
    titles = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in titles
    assert not any(t.startswith("=") for t in titles)
    assert len(rows) - 1 == TaskOccurrence.objects.filter(status="overdue").count()

    response = steering_client.get(reverse("task_list"), {"format": "xlsx", "thoi_han": "one_off"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    data = list(sheet.iter_rows(values_only=True))
    assert data[0][0] == "TT"
    assert len(data) - 1 == TaskTerms.objects.filter(schedule_kind="one_off").count()


def _count_queries(client, url, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", _pages())
def test_query_count_does_not_grow_with_data(steering_client, plan, url, django_assert_num_queries):
    snapshots_fill(plan, as_of=AS_OF, size=1)
    small = _count_queries(steering_client, url, None)
    # five times the occurrences, reporting periods and figures
    snapshots_fill(plan, as_of=AS_OF, size=5, seed=7, figures=True)
    occurrences_make(plan, as_of=AS_OF, size=5, seed=9)
    with django_assert_num_queries(small):
        steering_client.get(url)
    # a fixed set: the page, its sections (recommendations due, plan changes), the menu, the cache's versions (one
    # more on SQLite)
    assert small <= 22


def test_self_assessments_that_disagree_show_on_the_overview_and_the_indicator(steering_client, snapshots, monkeypatch):
    from agencies.models import Agency
    from indicators.models import AgencyAssessment
    from indicators.services import period_get_or_create

    monkeypatch.setattr("dashboards.views._today", lambda: date(2026, 11, 26))
    limited = TargetStatus.objects.filter(status="limited", parsed_target__target__indicator__code="I.1").first()
    limited = limited or TargetStatus.objects.filter(status="limited").first()
    metric = limited.parsed_target.metric
    code = limited.parsed_target.target.indicator.code
    quarter = period_get_or_create(kind="quarter", year=2026, number=4)  # 15/09–14/12/2026: contains today
    agency = Agency.objects.get(code="so-khcn")
    AgencyAssessment.objects.create(
        agency=agency, metric=metric, period=quarter, confidence="confident", narrative="Chắc chắn đạt."
    )
    html = steering_client.get(reverse("home")).content.decode()
    assert "Tự đánh giá khác kết quả tính toán" in html and "Chắc chắn đạt." in html
    page = steering_client.get(reverse("indicator", args=[code])).content.decode()
    assert "Sở KH&amp;CN tự đánh giá “Tin tưởng sẽ đạt” (Quý IV/2026), khác kết quả tính toán." in page
    # an agreeing assessment is not listed
    AgencyAssessment.objects.filter(metric=metric).update(confidence="unlikely")
    assert "Tự đánh giá khác kết quả tính toán" not in steering_client.get(reverse("home")).content.decode()


def _province_history(metric, *, years: int, until: int = 2026) -> int:
    """A province value for every period of ``metric`` over ``years`` years up to ``until`` (the snapshot rows the
    indicator page reads); how many periods that is."""
    from django.utils import timezone

    from indicators.models import ProvinceValue

    from .factories import period_make

    per_year = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}[metric.period_kind]
    ProvinceValue.objects.filter(metric=metric).delete()
    rows = [
        ProvinceValue(
            metric=metric,
            period=period_make(metric.period_kind, year, number),
            value=year - 2000 + number,
            reporters=1,
            as_of=date(until, 12, 31),
            computed_at=timezone.now(),
        )
        for year in range(until - years + 1, until + 1)
        for number in range(1, per_year + 1)
    ]
    ProvinceValue.objects.bulk_create(rows)
    return len(rows)


def _series_rows(html: str, metric_code: str) -> int:
    """Rows of the province table in the metric's panel of an indicator page."""
    import re

    section = html.split(f'id="chi-so-{metric_code}"', 1)[1].split("</section>", 1)[0]
    table = re.search(r'<table class="datatable compact">.*?</table>', section, re.S)
    return table.group(0).count("<tr>") - 1 if table else 0


@pytest.mark.parametrize(
    ("code", "metric_code", "small", "shown", "years_shown"),
    [
        ("V.9", "vneid_accounts", 24, 36, 3),  # monthly: three calendar years of months
        ("I.1", "coverage_5g", 8, 20, 5),  # quarterly: five years of quarters
        ("III.6", "ip_applications", 2, 5, 5),  # a quarterly flow: five yearly totals
    ],
)
def test_an_indicator_page_shows_recent_periods_whatever_the_history(
    steering_client, plan, code, metric_code, small, shown, years_shown, django_assert_num_queries
):
    """The page reads and shows the same bounded number of periods after 2 or 30 years of history, with the same
    queries; the rest is one click away in the CSV download, which holds every period."""
    metric = plan.metrics.get(code=metric_code)
    url = reverse("indicator", args=[code])
    _province_history(metric, years=2)
    small_queries = _count_queries(steering_client, url, None)
    html = steering_client.get(url).content.decode()
    assert _series_rows(html, metric_code) == small
    assert "Xem toàn bộ các kỳ (tải CSV)" not in html

    periods = _province_history(metric, years=30)
    with django_assert_num_queries(small_queries):
        html = steering_client.get(url).content.decode()
    assert _series_rows(html, metric_code) == shown
    first_shown = date(2026 - years_shown + 1, 1, 1)
    assert f"Biểu đồ và bảng hiển thị các kỳ từ {first_shown:%d/%m/%Y}." in html
    assert "Xem toàn bộ các kỳ (tải CSV)" in html

    download = steering_client.get(url, {"format": "csv", "bang": "so-lieu"})
    rows = [row for row in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))][1:]
    mine = [row for row in rows if row[0] == metric.name]
    assert len(mine) == (30 if metric.kind == "flow" else periods)
    assert mine[0][2].endswith("1997") and mine[-1][2].endswith("2026")


def test_an_agency_page_lists_its_most_late_work_and_downloads_all(steering_client, snapshots, monkeypatch):
    # the agency with the most overdue work, given three more than the random data may have given it
    busiest = (
        TaskOccurrence.objects.filter(status="overdue")
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n", "agency_id")
        .first()
    )
    task = Task.objects.order_by("pk").first()
    for days in (10, 40, 70):
        TaskOccurrence.objects.create(
            task=task,
            agency_id=busiest["agency_id"],
            role="lead",
            due_on=AS_OF - timedelta(days=days),
            status="overdue",
            days_late=days,
            as_of=AS_OF,
        )
    agency = (
        TaskOccurrence.objects.filter(status="overdue", agency_id=busiest["agency_id"])
        .values("agency__code")
        .annotate(n=Count("id"))
        .get()
    )
    assert agency["n"] > 2
    monkeypatch.setattr("dashboards.views.AGENCY_OVERDUE_SHOWN", 2)
    url = reverse("agency", args=[agency["agency__code"]])
    html = steering_client.get(url).content.decode()
    section = html.split('id="qua-han"', 1)[1].split("</section>", 1)[0]
    assert section.count('<th scope="row">') == 2 and f"<small>({agency['n']})</small>" in section
    assert "2 lượt quá hạn lâu nhất." in section and "Xem toàn bộ (tải CSV)" in section
    rows = list(
        csv.reader(
            io.StringIO(steering_client.get(url, {"format": "csv", "bang": "qua-han"}).content.decode("utf-8-sig"))
        )
    )
    assert len(rows) - 1 == agency["n"]
