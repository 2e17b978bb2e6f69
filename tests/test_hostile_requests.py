"""Every URL pattern, as anonymous and as each role, with hostile query strings: no 500, no row written.

The crawler walks the URL resolver, so a new page is crawled as soon as it is routed; each pattern's path
arguments come from real objects (a figure, a task update, a batch, a report...). The query parameters tried
are the ones the code reads (found in the source: ``request.GET.get("…")`` and friends) plus the open-data
API's filters from its schema, each set to the same hostile value: a word where a number is expected, a NUL
byte, a huge number, dates out of range, a 10 000-character value. Path arguments are tried hostile too.

A GET must never write: on PostgreSQL the transaction's own row counters (``pg_stat_xact_user_tables``)
are read around every request, on SQLite the connection's change counter.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import _user

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)

HOSTILE_VALUES = {
    "word": "abc",
    "nul": "\x00",
    "huge": "9" * 30,
    "ancient": "0001-01-15",
    "far": "9999-12-20",
    "bad-date": "2026-02-30",
    "long": "x" * 10_000,
}

# Always tried, whatever the source says: the usual names of filters, pages and formats.
BASE_PARAMS = {"ngay", "format", "bang", "page", "q", "o", "p", "next", "year", "sort", "sap_xep"}

# Pages whose only behaviour on GET is a redirect or a 405 are still requested: a redirect must not write.
ROLES = ("anonymous", "steering", "reviewer", "agency_staff", "other_agency_staff", "administrator")


def _model(name: str):
    return next(model for model in apps.get_models() if model.__name__ == name)


def url_patterns(patterns=None, prefix: str = ""):
    """(route, name, converters) of every URL pattern, the admin's included."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name, entry.pattern


def query_parameters() -> set[str]:
    """The query parameters the project's code reads, found in its source."""
    found = set(BASE_PARAMS)
    pattern = re.compile(r"(?:GET|query_params)(?:\.get|\.getlist)?[(\[]\s*[\"']([A-Za-z_][\w-]*)[\"']")
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "tests", "migrations", "node_modules", "var"} for part in path.parts):
            continue
        found.update(pattern.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return found


def api_parameters(client: Client) -> set[str]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        return set()
    import json

    try:
        schema = json.loads(response.content)
    except ValueError:
        import yaml

        schema = yaml.safe_load(response.content)
    names = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query":
                    names.add(parameter["name"])
    return names


class Writes:
    """Rows inserted, updated or deleted so far by this connection's transaction.

    The session table is left out: Django itself keeps a password-reset token in the session on GET.
    """

    def __call__(self) -> int:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                    " WHERE relname <> 'django_session'"
                )
                return int(cursor.fetchone()[0])
        connection.ensure_connection()
        return connection.connection.total_changes


@pytest.fixture
def world(plan):
    """Real objects for every path argument: figures of two agencies in every state, a task update, a batch,
    a periodic report, a reporting period and a password-reset link."""
    Agency = _model("Agency")
    Metric = _model("Metric")
    Observation = _model("Observation")
    Period = _model("Period")
    TaskUpdate = _model("TaskUpdate")
    TaskAssignment = _model("TaskAssignment")
    ImportBatch = _model("ImportBatch")
    PeriodicReport = _model("PeriodicReport")

    users = {
        "steering": _user("crawl.bcd", "steering"),
        "reviewer": _user("crawl.vptu", "reviewer", "vp-tu"),
        "agency_staff": _user("crawl.khcn", "agency_staff", "so-khcn"),
        "other_agency_staff": _user("crawl.congan", "agency_staff", "cong-an"),
        "administrator": _user("crawl.admin", "admin", None, is_staff=True, is_superuser=True),
    }
    khcn = Agency.objects.get(code="so-khcn")
    congan = Agency.objects.get(code="cong-an")
    metric = Metric.objects.filter(kind="stock").order_by("pk").first() or Metric.objects.order_by("pk").first()
    period = Period.objects.create(
        kind="quarter",
        year=2026,
        number=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
        due_on=date(2026, 4, 10),
    )
    figures = {}
    for agency in (khcn, congan):
        for status in ("draft", "submitted", "approved"):
            other = Period.objects.create(
                kind="month",
                year=2025 if agency == khcn else 2024,
                number={"draft": 1, "submitted": 2, "approved": 3}[status],
                starts_on=date(2025, 1, 1),
                ends_on=date(2025, 1, 31),
                due_on=date(2025, 2, 5),
            )
            figures[(agency.code, status)] = Observation.objects.create(
                metric=metric, agency=agency, period=other, value=Decimal(123), status=status
            )
    assignment = TaskAssignment.objects.filter(agency=khcn).select_related("task").first()
    update = TaskUpdate.objects.create(task=assignment.task, agency=khcn, period=period, status="draft")
    batch = ImportBatch.objects.create(kind="figures", original_name="so-lieu.xlsx", file="imports/none.xlsx")
    report_fields = {f.name for f in PeriodicReport._meta.get_fields()}
    report_values = {"as_of": date(2026, 3, 31), "plan": plan}
    if "period" in report_fields:
        report_values["period"] = period
    report = PeriodicReport.objects.create(**report_values)
    uid = urlsafe_base64_encode(force_bytes(users["agency_staff"].pk))
    token = default_token_generator.make_token(users["agency_staff"])
    indicator = _model("Indicator").objects.order_by("pk").first()
    task = assignment.task
    ids = {
        "pk": figures[("so-khcn", "draft")].pk,
        "code": indicator.code,
        "number": task.number,
        "uidb64": uid,
        "token": token,
        "fmt": "docx",
    }
    # URL names whose pk is not a figure's
    pk_by_name = {
        "task_update_detail": update.pk,
        "task_update_history": update.pk,
        "task_update_evidence": update.pk,
        "preview": batch.pk,
        "confirm": batch.pk,
        "undo": batch.pk,
        "period_lock": period.pk,
        "period_open": period.pk,
        "period_completeness": period.pk,
    }
    code_by_name = {"agency": khcn.code}
    return {
        "admin_params": {},
        "users": users,
        "ids": ids,
        "pk_by_name": pk_by_name,
        "code_by_name": code_by_name,
        "report": report,
        "figures": figures,
        "other_draft": figures[("so-khcn", "draft")],
    }


ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete(route: str, name: str | None, world: dict, hostile: str | None = None) -> str | None:
    """The pattern with real (or hostile) arguments; None for patterns this crawler cannot fill."""
    route = route.lstrip("^").replace("$", "").replace("\\", "")
    if "(?" in route and not re.search(r"\(\?P<", route):
        return None

    def fill(match: re.Match) -> str:
        converter, key = match.group(1), match.group(2) or match.group(3)
        if hostile is not None:
            if converter == "int":
                return "9" * 25
            if converter == "slug":
                return "x" * 300
            return quote(hostile, safe="")
        if key == "pk" and name in world["pk_by_name"]:
            return str(world["pk_by_name"][name])
        if key == "pk" and name and name.startswith("periodic_report"):
            return str(world["report"].pk)
        if key == "code" and name in world["code_by_name"]:
            return world["code_by_name"][name]
        if key in world["ids"]:
            return str(world["ids"][key])
        raise KeyError(key)

    try:
        return "/" + ARGUMENT.sub(fill, route)
    except KeyError:
        return None


def admin_url(route: str, name: str | None, world: dict) -> tuple[str, type | None] | None:
    """Admin pages and the model each is about: the index, each model's list, add and export pages, and the change,
    history and delete pages of one real row."""
    if name is None or not route.startswith("quan-tri/"):
        return None
    app_label, _sep, rest = name.partition("_")
    model = None
    for candidate in apps.get_app_config(app_label).get_models() if app_label in _app_labels() else []:
        if rest.startswith(candidate._meta.model_name + "_"):
            model = candidate
    if "<path:object_id>" in route:
        if model is None:
            return None
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            return None
        return "/" + route.replace("<path:object_id>", quote(str(obj.pk))), model
    if "<" in route or "(?" in route:
        return None
    return "/" + route, model


def _app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs()}


#: the hostile values tried on the admin's pages (its dates are text until they are cleaned)
ADMIN_VALUES = ("word", "nul", "huge", "bad-date", "long")
#: what every admin page reads from its query string: search, ordering, page, error flag, export format, popup
ADMIN_PARAMS = {"q", "o", "p", "e", "format", "_popup", "_to_field", "_changelist_filters"}


def crawl_targets(world: dict) -> list[tuple[str, str]]:
    """(url, kind) for every pattern: the real page, and the page with hostile path arguments."""
    targets = []
    for route, name, _pattern in url_patterns():
        if route.startswith("quan-tri/"):
            found = admin_url(route, name, world)
            if found:
                url, model = found
                world["admin_params"][url] = ADMIN_PARAMS | _field_names(model)
                targets.append((url, "admin"))
            continue
        url = concrete(route, name, world)
        if url is None:
            continue
        targets.append((url, "page"))
        if "<" in route or "(?P" in route:
            for label in ("nul", "long"):
                targets.append((concrete(route, name, world, HOSTILE_VALUES[label]), "hostile-path"))
    return targets


def _field_names(model) -> set[str]:
    """The model's fields, which an admin add page takes as prefills (``?agency=3``) and a list as filters."""
    if model is None:
        return set()
    return {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many}


def query_string(params: set[str], value: str) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name in sorted(params))


@pytest.mark.parametrize("role", ROLES)  # one test per role: the suite's workers share them out
def test_every_url_as_every_role_with_hostile_queries_gives_no_500_and_writes_nothing(world, capsys, role):
    anonymous = Client(raise_request_exception=False)
    params = query_parameters() | api_parameters(anonymous)
    targets = crawl_targets(world)
    writes = Writes()
    failures: list[str] = []
    tried = Counter()
    statuses = Counter()
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world["users"][role])
    for url, kind in targets:
        if kind == "admin" and role not in ("anonymous", "administrator"):
            continue
        variants = [""]
        if kind == "page":
            variants += [query_string(params, value) for value in HOSTILE_VALUES.values()]
            variants.append("format=csv&bang=" + quote("\x00"))
        elif kind == "admin" and role == "administrator":
            admin_params = world["admin_params"][url]
            variants += [query_string(admin_params, HOSTILE_VALUES[label]) for label in ADMIN_VALUES]
        for variant in variants:
            full = f"{url}?{variant}" if variant else url
            before = writes()
            response = client.get(full)
            written = writes() - before
            tried[role] += 1
            statuses[response.status_code // 100] += 1
            if response.status_code >= 500:
                failures.append(f"{role} GET {full[:160]} -> {response.status_code}")
            # SQLite's change counter cannot leave the session table out; Django's own reset view keeps
            # its token in the session on GET
            if written and not (connection.vendor == "sqlite" and url.startswith("/tai-khoan/reset/")):
                failures.append(f"{role} GET {full[:160]} wrote {written} rows")
    with capsys.disabled():
        print(
            f"\ncrawler: {len(targets)} URLs, {len(params)} query parameters, {sum(tried.values())} requests "
            f"({dict(tried)}), status classes {dict(statuses)}, failures {len(failures)}"
        )
    assert not failures, "\n".join(failures[:20] + sorted({f.split("?")[0].split(" -> ")[0] for f in failures}))
