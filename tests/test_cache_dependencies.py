"""What each write makes stale (core/snapshots.py, dashboards/dependencies.py): a draft saved, a figure sent or
returned leaves every reader's page cached; an approval refreshes exactly the pages that show it, and the next
request shows the new value; a task report's approval its task's page and its agency's, not the indicator pages.

Pages are requested through the test client as a reader would; which were built again is read from the cache's
own calls (``core.snapshots._cached``)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import snapshots
from core.workflow import SubmissionStatus
from dashboards import selectors
from indicators.models import Metric, Observation, ParsedTarget, TargetStatus
from indicators.periods import period_containing
from indicators.selectors import figures_completeness
from indicators.services import (
    observation_approve,
    observation_return,
    period_get_or_create,
    period_set_locked,
    period_stored,
    periods_ensure_containing,
    target_statuses_recompute,
)
from tasks.models import Task, TaskUpdate
from tasks.services import task_update_save
from tests.factories import figure_sent, khcn_stock_target

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    """The cache on, in this process's memory: parallel test processes share Redis, and clear it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "deps"}}
    settings.DASHBOARD_CACHE_SECONDS = 600
    cache.clear()


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the versions' moves, the queued recompute) as a commit would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def builds(monkeypatch):
    """The cache keys of the blocks built (not served from the cache) since the last ``clear()``."""
    built: list[str] = []
    cached = snapshots._cached

    def spying(key, depends, build, **kwargs):
        def building():
            built.append(key)
            return build()

        return cached(key, depends, building, **kwargs)

    monkeypatch.setattr(snapshots, "_cached", spying)
    return built


def _task_of(agency) -> Task:
    return Task.objects.filter(assignments__agency=agency).order_by("number").first()


def _other_task(agency) -> Task:
    """Another task: the agency may work on it too, but no report on it is approved here."""
    return Task.objects.exclude(pk=_task_of(agency).pk).order_by("-number").first()


def _reader_pages(indicator_url: str, task: Task, other_task: Task) -> dict[str, str]:
    """Every kind of page a reader opens, by what it is."""
    code = indicator_url.rstrip("/").rsplit("/", 1)[1]
    other = "V.1" if code != "V.1" else "I.1"
    return {
        "overview": "/tong-quan/",
        "plan": "/chi-tieu/",
        "indicator": indicator_url,
        "other indicator": f"/chi-tieu/{other}/",
        "scorecard": "/co-quan/",
        "agency": "/co-quan/so-khcn/",
        "other agency": "/co-quan/cong-an/",
        "task board": "/nhiem-vu/",
        "task": f"/nhiem-vu/{task.number}/",
        "other task": f"/nhiem-vu/{other_task.number}/",
        "public": "/cong-khai/",
        "public indicator": f"/cong-khai/chi-tieu/{code}/",
        "public other indicator": f"/cong-khai/chi-tieu/{other}/",
        "API figures": "/api/figures/",
        "API province figures": "/api/province-figures/",
        "API target statuses": "/api/target-statuses/",
        "API tasks": "/api/tasks/",
    }


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _rebuilt(
    readers: list[Client], pages: dict[str, str], built: list[str], *, blocks: dict[str, set[str]] | None = None
) -> set[str]:
    """The pages (by name) that any of ``readers`` got built again rather than from the cache; with ``blocks``,
    which of each page's blocks (its body, e.g. ``overview``, or a part of it, ``overview.scorecard``)."""
    built.clear()
    again = set()
    for reader in readers:
        for name, url in pages.items():
            before = len(built)
            _html(reader, url)
            again |= _pages_built({name: url}, built[before:], blocks=blocks)
    return again


def _pages_built(pages: dict[str, str], built: list[str], *, blocks: dict[str, set[str]] | None = None) -> set[str]:
    """The pages (by name) of which a block is among the keys ``built``; with ``blocks``, which blocks."""
    found = set()
    for name, url in pages.items():
        keys = [key for key in built if f":{url}:" in key]
        if keys:
            found.add(name)
        if blocks is not None:
            blocks.setdefault(name, set()).update(key.split(":")[1] for key in keys)
    return found


@pytest.fixture
def readers(steering, reviewer, other_agency_staff) -> list[Client]:
    """The Steering Committee, the standing office and another agency's staff, each logged in."""
    clients = []
    for user in (steering, reviewer, other_agency_staff):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def staff_client(agency_staff) -> Client:
    client = Client()
    client.force_login(agency_staff)
    return client


def _entry_form_row(staff_client) -> tuple[str, str]:
    """A row of Sở KH&CN's entry form that takes a plain value: (its field prefix, its metric's code)."""
    html = _html(staff_client, "/so-lieu/")
    for row in re.finditer(r'<tr id="chi-so-([^"]+)"([^>]*)>(.*?)</tr>', html, re.S):
        found = re.search(r'name="(m\d+)-value"', row.group(3))
        if found and "data-ratio" not in row.group(2):
            return found.group(1), row.group(1)
    raise AssertionError("no row of the entry form takes a value")


def _waiting_shown(client: Client, url: str, agency_code: str) -> str:
    """The scorecard's "figures waiting" cell of an agency, as the page at ``url`` shows it (the row's last cell)."""
    row = re.search(rf'href="/co-quan/{agency_code}/".*?</tr>', _html(client, url), re.S)
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)[-1]


def test_a_draft_saved_leaves_every_readers_page_cached_and_a_figure_sent_only_the_waiting_counts(
    readers, staff_client, plan, builds, committing
):
    khcn, _parsed, url = khcn_stock_target()
    pages = _reader_pages(url, _task_of(khcn), _other_task(khcn))
    periods_ensure_containing(timezone.localdate())  # the reporting periods exist once the window opens
    snapshots.bump_after_commit()  # what the fixtures' writes asked (the test's transaction never commits)
    _rebuilt(readers, pages, builds)  # every page built once, per read scope
    assert _rebuilt(readers, pages, builds) == set()  # and then served from the cache
    own_before = _html(staff_client, "/co-quan/so-khcn/")
    prefix, code = _entry_form_row(staff_client)

    def entered(action: str) -> Observation:
        with committing(execute=True):  # through the entry form, as the agency's staff do
            data = {"action": action, f"{prefix}-value": "4321", f"{prefix}-note": "Số liệu quý"}
            assert staff_client.post("/so-lieu/", data).status_code == 302
        return Observation.objects.get(metric__code=code, agency=khcn, value=4321)

    assert entered("draft").status == SubmissionStatus.DRAFT
    assert _rebuilt(readers, pages, builds) == set()
    office = readers[1]  # the standing office reads every agency's figures waiting
    waiting = {url: int(_waiting_shown(office, url, "so-khcn")) for url in ("/co-quan/", "/?loai=")}
    # sent to review: the review queue, and the scorecards' count of figures waiting (overview, agencies' list)
    assert entered("submit").status == SubmissionStatus.SUBMITTED
    blocks: dict[str, set[str]] = {}
    assert _rebuilt(readers, pages, builds, blocks=blocks) == {"overview", "scorecard"}
    # only the part that counts what waits: not the overview's charts and tables, nor who has sent the quarter last
    # due (this figure is the quarter being entered's), nor the scorecard's other columns
    assert blocks["overview"] == {"overview.waiting"}
    assert blocks["scorecard"] == {"agency-list.waiting"}
    # and the office sees one more waiting in the cached pages, as in a page sorted by that column (built whole)
    for page, before in waiting.items():
        assert int(_waiting_shown(office, page, "so-khcn")) == before + 1
    builds.clear()  # a part is one for every query string of its page: another sort or kind builds the body only
    for page in ("/co-quan/?sap_xep=ten", "/co-quan/?loai=department"):
        assert _waiting_shown(office, page, "so-khcn") == _waiting_shown(office, "/co-quan/", "so-khcn")
    assert [key.split(":")[1] for key in builds if key.startswith("block:agency-list")] == ["agency-list"] * 2
    assert int(_waiting_shown(office, "/co-quan/?sap_xep=cho-duyet", "so-khcn")) == waiting["/co-quan/"] + 1
    assert _waiting_shown(readers[2], "/co-quan/", "so-khcn").strip().endswith("</span>")  # another agency: "—"
    # the agency's own staff see their work on their pages at once
    own_after = _html(staff_client, "/co-quan/so-khcn/")
    assert own_after != own_before and "4.321" in own_after and "4.321" not in own_before


def _reporting_shown(client: Client) -> dict[str, int]:
    """The overview's count of agencies by how they sent the quarter last due: {label: agencies}."""
    html = _html(client, "/tong-quan/")
    return {
        label: int(n)
        for label, n in re.findall(r'class="status status-[a-z_]+">([^<]+)</span>\s*<strong>(\d+)</strong>', html)
    }


def test_a_figure_sent_for_the_quarter_last_due_refreshes_who_has_sent_it_on_the_overview(
    readers, agency_staff, reviewer, plan, builds, committing
):
    khcn, parsed, _url = khcn_stock_target()
    today = timezone.localdate()
    last_due = selectors.reporting_last_due(plan=plan, as_of=today).period
    pages = {"overview": "/tong-quan/"}
    with committing(execute=True):  # the quarter last due is stored, as once anybody wrote for it
        last_due = period_stored(last_due)
    _rebuilt(readers, pages, builds)
    before = _reporting_shown(readers[0])
    assert before["Chưa nộp"] > 0
    metric = khcn.reported_metrics.filter(frequency=parsed.metric.frequency).order_by("code").first()
    with committing(execute=True):  # late, for the quarter last due
        figure_sent(metric, khcn, agency_staff, "12", period=last_due)
    blocks: dict[str, set[str]] = {}
    assert _rebuilt(readers, pages, builds, blocks=blocks) == {"overview"}
    assert blocks["overview"] == {"overview.reporting_kpi", "overview.reporting", "overview.waiting"}
    after = _reporting_shown(readers[0])
    assert after["Chưa nộp"] == before["Chưa nộp"] - 1  # Sở KH&CN has sent something now
    assert after == _counted(last_due, today)
    # returned: not sent any more, and the overview counts it so at once
    figure = Observation.objects.get(metric=metric, agency=khcn, period=last_due)
    with committing(execute=True):
        observation_return(observation=figure, user=reviewer, reason="Thiếu minh chứng")
    _rebuilt(readers, pages, builds, blocks=blocks)
    assert _reporting_shown(readers[0]) == before == _counted(last_due, today)


def _counted(period, today) -> dict[str, int]:
    """Agencies by how they sent ``period``, counted from the database (the labels the overview shows)."""
    found = figures_completeness(period=period, as_of=today)
    return {label: n for _status, label, n in found.counts if n}


def test_an_approval_refreshes_exactly_the_pages_that_show_it(
    readers, agency_staff, reviewer, plan, builds, committing
):
    khcn, parsed, url = khcn_stock_target()
    metric = parsed.metric
    pages = _reader_pages(url, _task_of(khcn), _other_task(khcn))
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate())  # the day's set, as the nightly run makes it
        figure = figure_sent(metric, khcn, agency_staff)
    _rebuilt(readers, pages, builds)
    assert "4.321" not in _html(readers[0], url)
    approver = Client()
    approver.force_login(reviewer)
    builds.clear()
    with committing(execute=True):  # through the review queue; the metric's recompute runs after the commit
        answer = approver.post("/tham-dinh/", {"action": "approve", "o": figure.pk})
    assert answer.status_code == 302
    figure.refresh_from_db()
    assert figure.status == SubmissionStatus.APPROVED
    # the recompute builds the pages its readers read that show its statuses, before they move (core/prebuild.py);
    # the readers build what the approval alone moved: the approved figures' list, the queue's count
    ahead = _pages_built(pages, builds)
    rebuilt = _rebuilt(readers, pages, builds)
    assert {"overview", "plan", "public", "indicator", "public indicator", "API target statuses"} <= ahead
    assert rebuilt == {"API figures", "scorecard"}
    assert ahead | rebuilt == {
        # the metric's figures, values and statuses
        "indicator",
        "public indicator",
        "API figures",
        "API province figures",
        "API target statuses",
        # the province's figures (the overview's, the plan's and the public page's statuses), the queue's count
        # (the scorecards)
        "overview",
        "plan",
        "public",
        "scorecard",
        # the agency's approved work
        "agency",
    }
    # and each reader sees the new value on the next request
    for reader in readers:
        assert "4.321" in _html(reader, url) and "4.321" in _html(reader, "/co-quan/so-khcn/")


def test_a_task_reports_approval_refreshes_its_task_and_its_agency_not_the_indicators(
    readers, agency_staff, reviewer, plan, builds, committing
):
    khcn, _parsed, url = khcn_stock_target()
    task, other = _task_of(khcn), _other_task(khcn)
    pages = _reader_pages(url, task, other)
    period = periods_ensure_containing(timezone.localdate())["quarter"]
    with committing(execute=True):
        update = task_update_save(
            task=task,
            agency=khcn,
            period=period,
            user=agency_staff,
            data={
                "progress": TaskUpdate.Progress.IN_PROGRESS,
                "percent_complete": 40,
                "difficulties": "Thiếu kinh phí",
            },
            submit=True,
        )
    _rebuilt(readers, pages, builds)
    approver = Client()
    approver.force_login(reviewer)
    with committing(execute=True):
        assert approver.post("/tham-dinh/", {"action": "approve", "t": update.pk}).status_code == 302
    rebuilt = _rebuilt(readers, pages, builds)
    assert {"task", "agency"} <= rebuilt
    assert not rebuilt & {"indicator", "other indicator", "other task", "other agency", "public indicator"}
    assert "Thiếu kinh phí" in _html(readers[0], pages["task"])


# --- what a page costs: the same few queries built, one served ---------------------------------------------------

#: the most queries each page may cost when built (the cached page: one, its dependencies' versions). Fixed
#: numbers whatever the data (tests/test_dashboard_cache.py checks them at two sizes): no per-row queries. Built in
#: this order, as after an approval: the overview builds the blocks the pages share (the statuses, the occurrence
#: counts), the plan page the plan's structure, and the pages after them read those from the cache. Each block built
#: reads the versions again for its stamp (core/snapshots.py): the overview builds its body, three parts and the
#: blocks it shares; the scorecard its body and its "figures waiting" column; an agency page its body and its targets.
BUILD_QUERIES = {
    "overview": 34,
    "plan": 10,
    "indicator": 17,
    "scorecard": 8,
    "agency": 23,
    "task board": 10,
    "task": 10,
    "public": 7,
    "public indicator": 9,
    "API figures": 4,
    "API province figures": 4,
    "API target statuses": 5,
    "API tasks": 5,
}


def test_each_page_costs_a_bounded_number_of_queries_built_and_one_served(client, steering, plan, settings, committing):
    settings.SESSION_ENGINE = "core.sessions"  # the session and the user from the cache, as on the full stack
    settings.USER_CACHE_SECONDS = 300
    client.force_login(steering)
    khcn, _parsed, url = khcn_stock_target()
    pages = _reader_pages(url, _task_of(khcn), _other_task(khcn))
    for name, budget in BUILD_QUERIES.items():
        with CaptureQueriesContext(connection) as built:
            first = _html(client, pages[name])
        with CaptureQueriesContext(connection) as served:
            again = _html(client, pages[name])
        assert len(built) <= budget, (name, len(built))
        if name.startswith("API"):
            assert again == first
        # the versions of what the page depends on, and for the indicator and task pages their comments' block:
        # one query between them
        assert len(served) == 1 and "core_snapshotversion" in served[0]["sql"], (name, len(served))


def test_a_bulk_write_names_what_it_changes_and_nothing_else_moves(plan, committing):
    """``snapshots_changed(...)`` moves the dependencies named, after the commit, in one move; the others keep
    their version; nothing named moves everything."""
    from core.models import SnapshotVersion

    def version(key: str) -> int:
        return SnapshotVersion.objects.filter(key=key).values_list("value", flat=True).first() or 0

    before = {key: version(key) for key in ("metric:1", "metric:2", "figures", "all")}
    with committing(execute=True):
        snapshots.snapshots_changed(snapshots.FIGURES, snapshots.metric(1))
        assert version("metric:1") == before["metric:1"]  # not before the commit
    assert version("metric:1") == version("figures") > before["metric:1"]
    assert version("metric:2") == before["metric:2"] and version("all") == before["all"]
    with committing(execute=True):
        snapshots.snapshots_changed()
    assert version("all") > version("figures")


def test_a_draft_saved_moves_only_its_agencys_work_and_its_approval_what_shows_it(agency_staff, plan, committing):
    """Rows saved or deleted one by one go through the map of dashboards/dependencies.py."""
    from core.models import SnapshotVersion

    khcn, parsed, _url = khcn_stock_target()
    metric = parsed.metric
    period = periods_ensure_containing(timezone.localdate())[metric.period_kind]
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate())  # the statuses stored, as after any recompute
    snapshots.bump_after_commit()  # what the fixtures' writes asked (the test's transaction never commits)

    def newest_moved() -> set[str]:
        moved = dict(SnapshotVersion.objects.values_list("key", "value"))
        newest = max(moved.values())
        return {key for key, value in moved.items() if value == newest}

    with committing(execute=True):
        draft = Observation.objects.create(
            metric=metric, agency=khcn, period=period, value=Decimal(7), status=SubmissionStatus.DRAFT
        )
    # its agency's own pages, and the explorer asked for every state
    assert newest_moved() == {f"agency-drafts:{khcn.pk}", "unapproved"}
    with committing(execute=True):
        draft.status = SubmissionStatus.APPROVED
        draft.save()
    # the approved figure's own lists, and who has sent its period's figures; what is computed from it moves with its
    # recompute (the next test)
    approved = {
        "approved",
        f"metric-figures:{metric.pk}",
        f"agency:{khcn.pk}",
        f"agency-drafts:{khcn.pk}",
        "review",
        "unapproved",
        f"period-sent:{period.pk}",
    }
    assert newest_moved() == approved

    # before any recompute has stored statuses, every page computes them from the approved figures: the approval
    # itself moves them
    TargetStatus.objects.all().delete()
    with committing(execute=True):
        draft.value = Decimal(8)
        draft.save()
    assert newest_moved() == approved | {"figures", f"metric:{metric.pk}"}


def test_a_metrics_recompute_refreshes_the_pages_that_show_its_statuses(readers, plan, builds, committing):
    """The statuses are on the plan, overview, indicator, agency (the targets it answers for) and public pages and
    the API's lists; not on the task pages nor the task board."""
    khcn, parsed, url = khcn_stock_target()
    pages = _reader_pages(url, _task_of(khcn), _other_task(khcn))
    today = timezone.localdate()
    with committing(execute=True):
        target_statuses_recompute(as_of=today)  # the day's set
    _rebuilt(readers, pages, builds)
    builds.clear()
    with committing(execute=True):
        target_statuses_recompute(as_of=today, metric_ids=[parsed.metric_id])
    # built by the recompute from its own rows, before its statuses moved (core/prebuild.py)
    blocks: dict[str, set[str]] = {}
    rebuilt = _pages_built(pages, builds, blocks=blocks)
    assert {"overview", "plan", "indicator", "agency", "public", "public indicator", "API target statuses"} <= rebuilt
    assert not rebuilt & {"task", "other task", "task board", "API tasks", "scorecard"}
    # the statuses they share read once for all of them
    assert len([key for key in builds if key.startswith("block:latest-statuses:")]) == 1
    # so that no reader builds them again
    assert _rebuilt(readers, pages, builds) == set()
    # on the agency's page, the part with its targets' statuses: not its tasks, reports and figures
    assert blocks["agency"] == {"agency.targets"}
    # nor the overview's parts that count what waits for review
    assert blocks["overview"] == {"overview"}


# --- pages built ahead by the recompute (core/prebuild.py) ------------------------------------------------------


@pytest.fixture
def statuses_read(readers, plan, builds, committing):
    """The day's statuses stored and every page read once by each reader: the pages a recompute builds ahead."""
    khcn, parsed, url = khcn_stock_target()
    pages = _reader_pages(url, _task_of(khcn), _other_task(khcn))
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate())
    _rebuilt(readers, pages, builds)
    builds.clear()
    return khcn, parsed, pages


def test_a_page_built_ahead_is_not_kept_if_another_commit_moved_what_it_shows_meanwhile(
    readers, statuses_read, builds, committing, monkeypatch
):
    from core import prebuild

    khcn, parsed, pages = statuses_read
    render = prebuild.render

    def and_an_approval_meanwhile(recipe, user):
        answered = render(recipe, user)
        if recipe.path_info == pages["agency"]:
            # another commit moves the agency's approved work after its page was built from what it read before
            snapshots.snapshot_versions_bump([snapshots.agency(khcn.pk)])
        return answered

    monkeypatch.setattr(prebuild, "render", and_an_approval_meanwhile)
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate(), metric_ids=[parsed.metric_id])
    assert {"agency", "plan"} <= _pages_built(pages, builds)
    rebuilt = _rebuilt(readers, pages, builds)
    assert "agency" in rebuilt  # not kept: its readers build it again, with what that commit changed
    assert "plan" not in rebuilt  # kept: nothing it shows moved meanwhile


def test_only_the_pages_read_lately_are_built_ahead(readers, statuses_read, builds, committing, monkeypatch):
    from core import prebuild

    _khcn, parsed, pages = statuses_read
    # the page read last comes first (a recompute builds ahead for a second at most, then leaves the rest)
    for url in (pages["public"], pages["plan"], f"{pages['plan']}?moc=2035"):
        prebuild._touched.clear()  # a read noted at once, not up to 30 s later
        _html(readers[0], url)
    first, *others = prebuild.recipes_for({snapshots.FIGURES})
    assert (first.path_info, first.query) == (pages["plan"], "")
    # a page asked with a query string after every page without one (a crawl of made-up queries takes no turn)
    assert others[-1].query == "moc=2035"
    builds.clear()  # that last page built by its reader
    monkeypatch.setattr(prebuild, "READ_SECONDS", 0)  # every page last read too long ago
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate(), metric_ids=[parsed.metric_id])
    assert _pages_built(pages, builds) == set()
    assert {"overview", "plan", "public", "indicator"} <= _rebuilt(readers, pages, builds)  # by their readers


def test_a_recompute_builds_ahead_for_its_budget_the_page_read_last_first(
    readers, statuses_read, builds, committing, monkeypatch
):
    from core import prebuild

    _khcn, parsed, pages = statuses_read
    prebuild._touched.clear()
    _html(readers[0], pages["public"])  # read last of all
    render = prebuild.render
    answered: list[str] = []

    def slowly(recipe, user):  # a page that takes longer than the whole budget
        answered.append(recipe.path_info)
        time.sleep(0.5)
        return render(recipe, user)

    monkeypatch.setattr(prebuild, "BUILD_SECONDS", 0.25)
    monkeypatch.setattr(prebuild, "render", slowly)
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate(), metric_ids=[parsed.metric_id])
    assert answered == [pages["public"]]  # the budget spent on the page read last, the others left
    assert _pages_built(pages, builds) == {"public"}
    assert {"overview", "plan", "indicator"} <= _rebuilt(readers, pages, builds)  # by their readers


def test_a_page_failing_to_build_ahead_leaves_the_recompute_whole(
    readers, statuses_read, builds, committing, monkeypatch
):
    """A view that fails inside the recompute's transaction (a database error) is rolled back to its savepoint: the
    statuses are stored and moved, and the page is built by its readers."""
    from types import SimpleNamespace

    from core import prebuild

    _khcn, parsed, pages = statuses_read
    failed = []

    def failing(request, *args, **kwargs):
        failed.append(request.path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(prebuild, "resolve", lambda path: SimpleNamespace(func=failing, args=(), kwargs={}))
    TargetStatus.objects.filter(parsed_target__metric=parsed.metric).delete()
    with committing(execute=True):
        target_statuses_recompute(as_of=timezone.localdate(), metric_ids=[parsed.metric_id])
    assert failed and TargetStatus.objects.filter(parsed_target__metric=parsed.metric).exists()
    assert {"overview", "plan", "indicator"} <= _rebuilt(readers, pages, builds)


def test_inside_a_longer_transaction_the_pages_are_left_to_their_readers(readers, statuses_read, builds, committing):
    """The versions move with the recompute only at the end of its own transaction: inside a longer one (an import
    that recomputes), holding the stamp clock until it commits would hold every other write's move."""
    _khcn, parsed, pages = statuses_read
    with committing(execute=True), transaction.atomic():
        target_statuses_recompute(as_of=timezone.localdate(), metric_ids=[parsed.metric_id])
    assert _pages_built(pages, builds) == set()
    assert {"overview", "plan", "public"} <= _rebuilt(readers, pages, builds)


def _entry_row(client: Client, code: str) -> str:
    """The entry form's row of the metric ``code``, as its agency's staff see it."""
    found = re.search(rf'<tr id="chi-so-{re.escape(code)}".*?</tr>', _html(client, "/so-lieu/"), re.S)
    return found.group(0) if found else ""


def test_the_entry_forms_plan_is_cached_across_draft_saves_and_as_new_as_the_last_commit(
    staff_client, agency_staff, reviewer, plan, builds, committing
):
    """What the entry form shows beside the figures (the periods, the agency's metrics, each one's last approved
    figure and next target: ``entry.selectors.EntryPlan``) is read from the cache by a draft saved, and moves with an
    approval of the agency's figures, a period locked and the plan changed."""
    khcn = agency_staff.agency
    prefix, code = _entry_form_row(staff_client)
    metric = Metric.objects.get(code=code)
    period = periods_ensure_containing(timezone.localdate())[metric.period_kind]
    snapshots.bump_after_commit()  # what the fixtures' writes asked (the test's transaction never commits)
    assert f'name="{prefix}-value"' in _entry_row(staff_client, code)

    builds.clear()
    with committing(execute=True):
        data = {"action": "draft", f"{prefix}-value": "55", f"{prefix}-note": ""}
        assert staff_client.post("/so-lieu/", data).status_code == 302
    assert not [key for key in builds if key.startswith("block:entry-plan")]  # the draft read its rows from the cache
    assert Observation.objects.get(metric=metric, agency=khcn, period=period).value == 55

    # the figure of the period before, approved: the form shows it as the last approved at once
    bounds = period_containing(metric.period_kind, period.starts_on - timedelta(days=1))
    with committing(execute=True):
        earlier = period_get_or_create(kind=metric.period_kind, year=bounds.year, number=bounds.number)
    assert earlier.label not in _entry_row(staff_client, code)
    with committing(execute=True):
        figure = figure_sent(metric, khcn, agency_staff, "77", period=earlier)
        observation_approve(observation=figure, user=reviewer, recompute=False)
    row = _entry_row(staff_client, code)
    assert earlier.label in row and ">77" in row

    # the period locked by the standing office: the row takes no figure, and a draft posted changes nothing
    with committing(execute=True):
        period_set_locked(period=period, user=reviewer, locked=True)
    assert f'name="{prefix}-value"' not in _entry_row(staff_client, code)
    with committing(execute=True):
        staff_client.post("/so-lieu/", {"action": "draft", f"{prefix}-value": "66", f"{prefix}-note": ""})
    assert Observation.objects.get(metric=metric, agency=khcn, period=period).value == 55
    with committing(execute=True):
        period_set_locked(period=period, user=reviewer, locked=False)
    assert f'name="{prefix}-value"' in _entry_row(staff_client, code)

    # another day, picked or made up, is read from the database: a crawl of days keeps nothing
    assert _html(staff_client, "/so-lieu/?ngay=2099-01-01") and _html(staff_client, "/so-lieu/?ngay=2001-02-03")
    assert [key for key in cache._cache if ":block:entry-plan:" in key] == [
        f":1:block:entry-plan:{khcn.pk}:{timezone.localdate().isoformat()}"
    ]

    # the plan changed: the metric's next target, then who reports it
    target = ParsedTarget.objects.filter(metric=metric, target__year__gte=timezone.localdate().year).order_by(
        "target__year", "position"
    )[0]
    with committing(execute=True):
        target.value = Decimal("987654")
        target.save()
    assert "987.654" in _entry_row(staff_client, code)
    with committing(execute=True):
        metric.reporters.remove(khcn)
    assert _entry_row(staff_client, code) == ""
