"""Dashboard pages cached on the snapshot generation: served from the cache until a write changes what they show,
never older than the last approval or recompute, and the same few queries whatever the data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from core.snapshots import snapshot_generation, snapshot_generation_bump, snapshots_changed
from core.workflow import SubmissionStatus
from indicators.models import Metric, Observation, Target, TargetStatus
from indicators.services import (
    observation_approve,
    periods_ensure_containing,
    target_statuses_recompute,
)
from tests.factories import figure_sent, khcn_stock_target, occurrences_make, snapshots_fill

AS_OF = date(2026, 9, 30)
DAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def cache_on(settings):
    """The cache on, in this process's memory: parallel test processes share Redis, and clear it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cache"}}
    settings.DASHBOARD_CACHE_SECONDS = 600
    cache.clear()


@pytest.fixture
def steering_client(client, steering):
    client.force_login(steering)
    return client


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # the CSRF token is masked anew on every page: not a difference in what the page shows
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode()), len(queries)


def _pages() -> list[str]:
    return [
        "/",
        "/?moc=2045&loai=locality",
        "/chi-tieu/",
        "/chi-tieu/I.1/",
        "/co-quan/",
        "/co-quan/so-khcn/",
        "/nhiem-vu/",
        "/nhiem-vu/8/",
        "/cong-khai/",
        "/cong-khai/chi-tieu/I.1/",
    ]


@pytest.mark.parametrize("url", _pages())
def test_a_cached_page_costs_the_same_few_queries_at_two_data_sizes(steering_client, plan, url, committing):
    snapshots_fill(plan, as_of=AS_OF, size=1)
    first, built = _get(steering_client, url)
    again, cached = _get(steering_client, url)
    assert again == first and cached < built
    # five times the occurrences, reporting periods and figures; the writes bump the generation
    with committing(execute=True):
        snapshots_fill(plan, as_of=AS_OF, size=5, seed=7, figures=True)
        occurrences_make(plan, as_of=AS_OF, size=5, seed=9)
        snapshots_changed()
    _html, rebuilt = _get(steering_client, url)
    _html, cached_large = _get(steering_client, url)
    assert rebuilt == built and cached_large == cached
    # the session, its user, and the indicator's comments (rendered for each reader): nothing else
    assert cached <= 3


def test_made_up_query_strings_fill_a_bounded_number_of_cache_entries(steering_client, plan, monkeypatch):
    monkeypatch.setattr("core.snapshots.MAX_QUERIES_KEPT", MAX_QUERIES_KEPT := 3)  # 40 in production
    _get(steering_client, "/nhiem-vu/")
    for n in range(MAX_QUERIES_KEPT + 10):  # what a crawler sends
        _get(steering_client, f"/nhiem-vu/?trang={n}&x=y")
    kept = [key for key in cache._cache if ":block:task-board:" in key]
    assert len(kept) == MAX_QUERIES_KEPT + 1  # the page itself, and the first queries
    plain, plain_queries = _get(steering_client, "/nhiem-vu/")
    first, first_queries = _get(steering_client, "/nhiem-vu/?trang=0&x=y")
    late, late_queries = _get(steering_client, f"/nhiem-vu/?trang={MAX_QUERIES_KEPT + 9}&x=y")
    assert plain_queries == first_queries < late_queries  # kept, kept, built again
    assert all('id="loc-nhiem-vu"' in html for html in (plain, first, late))


def test_an_approval_makes_the_cached_indicator_page_stale(steering_client, plan, agency_staff, reviewer, committing):
    khcn, parsed, url = khcn_stock_target()
    metric = parsed.metric
    before, _ = _get(steering_client, url)
    period = periods_ensure_containing(DAY)[metric.period_kind]
    observation = figure_sent(metric, khcn, agency_staff, period=period)
    # nothing committed yet (the test's transaction): the page is served from the cache, unchanged
    assert _get(steering_client, url)[0] == before
    generation = snapshot_generation()
    with committing(execute=True):
        observation_approve(observation=observation, user=reviewer)  # queues the metric's recompute on commit
    assert snapshot_generation() > generation
    status = TargetStatus.objects.filter(parsed_target=parsed).latest("as_of")
    assert status.latest_value == 4321
    after, _ = _get(steering_client, url)
    assert after != before and "4.321" in after and status.get_status_display() in after


def test_a_recompute_makes_the_cached_overview_stale(steering_client, plan, committing):
    snapshots_fill(plan, as_of=AS_OF, size=1)
    before, _ = _get(steering_client, "/")
    # a snapshot row changed behind the cache's back (update() sends no signal): still the cached page
    TargetStatus.objects.update(status=TargetStatus.Status.REGRESSING)
    assert _get(steering_client, "/")[0] == before
    # the progress engine's services announce what they write
    with committing(execute=True):
        target_statuses_recompute(as_of=AS_OF)
    assert _get(steering_client, "/")[0] != before


def test_a_plan_edit_through_save_makes_the_plan_page_stale(steering_client, plan, committing):
    before, _ = _get(steering_client, "/chi-tieu/")
    cell = Target.objects.filter(indicator__plan=plan, indicator__code="I.1").order_by("year").first()
    cell.text = "Mục tiêu đã sửa để kiểm tra bộ nhớ đệm"
    with committing(execute=True):
        cell.save()
    after, _ = _get(steering_client, "/chi-tieu/")
    assert "Mục tiêu đã sửa để kiểm tra bộ nhớ đệm" not in before and "Mục tiêu đã sửa để kiểm tra bộ nhớ đệm" in after


def test_a_page_in_another_language_is_cached_apart(steering_client, plan):
    vietnamese, _ = _get(steering_client, "/chi-tieu/")
    steering_client.cookies["django_language"] = "en"
    english, _ = _get(steering_client, "/chi-tieu/")
    assert english != vietnamese


def test_the_top_bar_and_the_comment_form_are_the_readers_own(client, steering, reviewer, plan):
    """The indicator's body is shared between readers; the top bar and the comment form are not."""
    client.force_login(steering)
    assert client.get("/chi-tieu/I.1/").status_code == 200
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/chi-tieu/I.1/").content.decode()
    # served from the cache: session, user, its agency (top bar), comments, the review queue's menu badge
    assert len(queries) <= 5
    assert reviewer.get_role_display() in page and steering.get_role_display() not in page
    assert 'name="csrfmiddlewaretoken"' in page and 'id="id_comment_text"' in page


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the generation's bump, the queued recompute) as a commit would."""
    return django_capture_on_commit_callbacks


def test_a_page_is_built_when_the_cache_is_unreachable(steering_client, plan, monkeypatch):
    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise RedisConnectionError("Connection refused")

            return fail

    monkeypatch.setattr("core.snapshots.cache", Unreachable())
    html, queries = _get(steering_client, "/")
    assert "Tổng quan thực hiện Kế hoạch 65-KH/TU" in html and queries > 3  # built, not read from the cache


def _badge(html: str) -> int:
    found = re.search(r'class="badge"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_the_menu_badge_is_kept_and_follows_a_write(client, agency_staff, reviewer):
    """The staff menu's count is built once per generation, not on every page, and a write moves it."""
    client.force_login(agency_staff)
    first, _queries = _get(client, "/chi-tieu/")
    _again, cached_queries = _get(client, "/chi-tieu/")
    assert cached_queries <= 3  # session, user, its agency: the work list behind the badge is not built again
    metric = Metric.objects.filter(reporters=agency_staff.agency, frequency="monthly").order_by("code").first()
    today = timezone.localdate()
    month = periods_ensure_containing(today.replace(day=1) - timedelta(days=40))["month"]
    Observation.objects.create(
        metric=metric,
        agency=agency_staff.agency,
        period=month,
        value=Decimal(12),
        status=SubmissionStatus.RETURNED,
        review_note="Xin bổ sung minh chứng.",
        reviewed_by=reviewer,
    )
    snapshot_generation_bump()  # what the commit does (the test's transaction never commits)
    after, rebuilt_queries = _get(client, "/chi-tieu/")
    assert rebuilt_queries > cached_queries  # built again under the new generation
    assert _badge(after) > _badge(first)  # the returned figure is more to do


# --- the session and the user of each request, from the cache (core/sessions.py, agencies/backends.py) ---------


@pytest.fixture
def users_cached(settings):
    settings.SESSION_ENGINE = "core.sessions"
    settings.USER_CACHE_SECONDS = 300


def test_a_cached_page_costs_one_query_once_the_session_and_the_user_are_cached(client, steering, plan, users_cached):
    client.force_login(steering)
    _get(client, "/chi-tieu/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/chi-tieu/").content.decode()
    # the snapshot generation, read from PostgreSQL where no outage of Redis can lose its moves: nothing else
    assert len(queries) == 1 and "core_snapshotgeneration" in queries[0]["sql"]
    assert steering.username in html


def test_a_changed_or_deactivated_user_counts_from_the_next_request(
    client, agency_staff, plan, users_cached, committing
):
    client.force_login(agency_staff)
    _get(client, "/chi-tieu/")
    assert _get(client, "/chi-tieu/")[1] == 1  # the generation
    agency_staff.role = agency_staff.Role.STEERING
    with committing(execute=True):
        agency_staff.save()
    html, _ = _get(client, "/chi-tieu/")
    assert agency_staff.get_role_display() in html and 'href="/viec-can-lam/"' not in html
    agency_staff.is_active = False
    with committing(execute=True):
        agency_staff.save()
    assert client.get("/chi-tieu/").status_code == 302  # to the log-in page


def test_a_bulk_change_of_users_counts_once_announced(client, agency_staff, plan, users_cached, committing):
    """The directory import writes users with bulk_update and announces it (snapshots_changed): every cached
    user is read again."""
    client.force_login(agency_staff)
    _get(client, "/chi-tieu/")
    type(agency_staff).objects.filter(pk=agency_staff.pk).update(is_active=False)
    assert client.get("/chi-tieu/").status_code == 200  # not announced: the cached row
    with committing(execute=True):
        snapshots_changed()
    assert client.get("/chi-tieu/").status_code == 302


def test_a_logged_out_session_is_gone_from_the_cache_too(client, steering, plan, users_cached):
    from django.test import Client

    client.force_login(steering)
    _get(client, "/chi-tieu/")
    stolen = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get("/chi-tieu/").status_code == 302


def test_a_log_out_that_cannot_reach_redis_fails_rather_than_keep_the_session(db, users_cached):
    from core.sessions import SessionStore

    forgotten = []

    class Unreachable:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None  # the tolerant cache: reads miss, writes are dropped

        def delete_strict(self, key):
            forgotten.append(key)
            raise RedisConnectionError("Connection refused")

    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.save()
    key = store.session_key
    store._cache = Unreachable()
    with pytest.raises(RedisConnectionError):
        store.flush()
    assert forgotten == [store.cache_key_prefix + key]


# --- the top bar, kept rendered per reader and kind of page (core/templatetags/topbar.py) ------------------------


def test_the_kept_top_bar_is_each_readers_own_and_its_forms_post(steering, plan, settings):
    from django.test import Client

    from agencies.models import User

    settings.DEBUG = False
    other = User.objects.create_user(username="lan.bcd", password="x", role=User.Role.STEERING, last_name="Trần Thị")
    pages = {}
    for user in (steering, other, steering):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        page = browser.get("/nhiem-vu/?nhom=I&trang_thai=overdue").content.decode()
        pages.setdefault(user.username, []).append(page)
        # the path the language forms come back to, escaped as the template would
        assert 'name="next" type="hidden" value="/nhiem-vu/?nhom=I&amp;trang_thai=overdue"' in page
        # every form carries this response's token, which the server accepts
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', page))
        assert len(tokens) == 1
        assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": tokens.pop()}).status_code == 302
    assert "Trần Thị" in pages["lan.bcd"][0] and "Trần Thị" not in pages["an.bcd"][0]
    assert 'aria-current="page">Nhiệm vụ' in pages["an.bcd"][1]


def _another_process_commits(key: str) -> None:
    """A move made by another process: the clock and the dependency's version moved on, as its commit would."""
    from core.models import SnapshotGeneration, SnapshotVersion

    version = snapshot_generation() + 1
    SnapshotGeneration.objects.filter(pk=1).update(value=version)
    SnapshotVersion.objects.update_or_create(key=key, defaults={"value": version})


def _counted_block(built: list[str]):
    """``block(name)``: a cached block depending on ``test:<name>``, whose builds are added to ``built``."""
    from core.snapshots import cached_block

    def block(name: str) -> str:
        return cached_block(name, depends=[f"test:{name}"], build=lambda: built.append(name) or name)

    return block


def test_a_request_reads_the_versions_once_and_its_own_writes_move_them(db, settings):
    """Every block of a request is checked against the versions read once, those a request of the same path asked
    last included (a commit of another process during the request is not seen: the request stands for the moment
    it began); its own writes make it read again; jobs and commands, outside requests, read every time."""
    from core.snapshots import request_began, request_ended, snapshot_versions_bump

    settings.DASHBOARD_CACHE_SECONDS = 60
    built = []

    block = _counted_block(built)

    for _ in range(2):  # the first request of the path builds both and learns what they depend on
        request_began(environ={"PATH_INFO": "/somewhere/"})
        try:
            with CaptureQueriesContext(connection) as queries:
                block("a"), block("b")
        finally:
            request_ended()
    assert len(queries) == 1 and built == ["a", "b"]  # both served, after one read of their versions
    request_began(environ={"PATH_INFO": "/somewhere/"})
    try:
        block("a")
        _another_process_commits("test:b")
        block("b")
        assert built == ["a", "b"]  # as of the moment the request began
        snapshot_versions_bump(["test:a"])  # this request's own write: read again
        block("a"), block("b")
        assert built == ["a", "b", "a", "b"]
    finally:
        request_ended()
    _another_process_commits("test:a")  # outside any request: seen at once
    block("a")
    assert built == ["a", "b", "a", "b", "a"]


def test_a_block_built_after_a_move_during_its_request_is_kept_for_the_next_one(db, settings):
    """A build stamps its block with the clock read again, not the one its request read first (a slow page): a
    block stamped before a move made meanwhile would be stale at once, built again by every reader after it."""
    from core.snapshots import cached_block, request_began, request_ended

    settings.DASHBOARD_CACHE_SECONDS = 60
    built = []

    block = _counted_block(built)

    request_began(environ={"PATH_INFO": "/busy/"})
    try:
        block("other")  # the request reads the clock here
        _another_process_commits("test:late")  # a move while the request runs, before it builds "late"
        block("late")
    finally:
        request_ended()
    request_began(environ={"PATH_INFO": "/busy/"})
    try:
        block("late")
    finally:
        request_ended()
    assert built == ["other", "late"]  # the second request was served what the first one built

    # a build stamped anew sees the versions anew: a block it includes that moved meanwhile is not served stale
    def page() -> str:
        return cached_block("page", build=lambda: built.append("page") or block("other") + "+")

    request_began(environ={"PATH_INFO": "/busy/"})
    try:
        block("late")  # the versions read here, "other" among those asked last on this path
        _another_process_commits("test:other")
        assert page() == "other+"
    finally:
        request_ended()
    assert built[2:] == ["page", "other"]
    request_began(environ={"PATH_INFO": "/busy/"})
    try:
        assert page() == "other+"
    finally:
        request_ended()
    assert built[2:] == ["page", "other"]  # the page, stamped after the move, is as new as it claims


def test_a_reader_waits_for_the_build_another_process_has_begun_rather_than_build_it_too(db, settings):
    """While another process holds a block's "being built" mark, a reader waits for what it stores and serves it;
    once the mark is gone without an entry (that build failed), the reader builds it itself."""
    import threading

    from core.snapshots import block_key, cached_block

    settings.DASHBOARD_CACHE_SECONDS = 60
    key = block_key("slow")
    built = []

    def another_process_builds(value: str) -> None:
        stamp = snapshot_generation()
        threading.Timer(0.3, lambda: (cache.set(key, (stamp, ("test:slow",), value), 60), cache.delete(mark))).start()

    mark = f"building:{key}"
    cache.add(mark, 1, 10)
    another_process_builds("theirs")
    assert cached_block("slow", depends=["test:slow"], build=lambda: built.append(1) or "mine") == "theirs"
    assert built == []
    cache.delete(key)
    cache.add(mark, 1, 10)
    threading.Timer(0.3, lambda: cache.delete(mark)).start()  # gave up without storing anything
    assert cached_block("slow", depends=["test:slow"], build=lambda: built.append(1) or "mine") == "mine"
    assert built == [1]


def test_a_block_is_stored_before_its_being_built_mark_goes(db, settings):
    """Readers waiting for a build give up when its mark goes: the block must be stored by then, or each of them
    builds it again. Watched from another thread, with the store slowed down."""
    import threading
    import time

    from core.snapshots import block_key, cached_block

    settings.DASHBOARD_CACHE_SECONDS = 60
    key = block_key("watched")
    mark = f"building:{key}"
    here = caches["default"]  # this thread's connection
    store = here.set
    here.set = lambda *args, **kwargs: time.sleep(0.2) or store(*args, **kwargs)
    seen, stop = [], threading.Event()

    def watch() -> None:  # its own cache connection: the store is slowed down in this thread only
        while not stop.is_set():
            found = cache.get_many([key, mark])
            seen.append((mark in found, key in found))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert cached_block("watched", build=lambda: time.sleep(0.1) or "value") == "value"
    finally:
        del here.set
        stop.set()
        watcher.join()
    marked = [i for i, (has_mark, _stored) in enumerate(seen) if has_mark]
    assert marked  # the watcher saw the build going on
    assert all(has_mark or stored for has_mark, stored in seen[marked[0] :])  # never neither


def test_the_generation_moves_once_per_commit_and_never_back_to_a_number_used_before(db, committing):
    from core.models import SnapshotGeneration

    first = snapshot_generation()
    with CaptureQueriesContext(connection) as queries, committing(execute=True):
        for _ in range(5):
            snapshots_changed()
    moves = [q for q in queries if q["sql"].startswith("UPDATE") and "core_snapshotgeneration" in q["sql"]]
    assert len(moves) == 1 and snapshot_generation() > first
    # a database restored from an old backup: the next move goes past every number used since, from the clock
    SnapshotGeneration.objects.filter(pk=1).update(value=first - 1000)
    snapshot_generation_bump()
    assert snapshot_generation() > first


def test_a_user_change_that_cannot_reach_redis_fails_rather_than_keep_the_cached_user(
    agency_staff, users_cached, monkeypatch
):
    from agencies.backends import CacheUnreachable

    class Unreachable:
        def delete_strict(self, key):
            raise RedisConnectionError("Connection refused")

        delete = delete_strict

    monkeypatch.setattr("agencies.backends.cache", Unreachable())
    agency_staff.is_active = False
    with pytest.raises(CacheUnreachable):
        agency_staff.save()
