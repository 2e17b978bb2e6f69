"""Models that moved between apps keep their rows: ImportBatch (indicators → imports) and Comment (reports →
comments) are migrated from the schema before the move with data in it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("indicators", "0008_observation_agency_recent_index"),
    ("reports", "0002_comment"),
    ("imports", None),
    ("comments", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_moved_models_keep_their_rows(loaded_plan):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _moved_rows_survive(latest)
    finally:
        _migrate(latest)  # whatever happened, leave the schema as the other tests expect it


def _moved_rows_survive(latest):
    old = _migrate(BEFORE)
    User = old.get_model("agencies", "User")
    author = User.objects.create(username="migration.author", role="steering")
    indicator = old.get_model("indicators", "Indicator").objects.get(code="V.1")
    old.get_model("reports", "Comment").objects.create(author=author, indicator=indicator, text="Giữ nguyên")
    old.get_model("indicators", "ImportBatch").objects.create(
        kind="figures", file="imports/2026/11/a.xlsx", original_name="so-lieu.xlsx", summary={"rows": 3}
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="indicators", model="importbatch")

    new = _migrate(latest)

    comment = new.get_model("comments", "Comment").objects.get(text="Giữ nguyên")
    assert (comment.author.username, comment.indicator.code) == ("migration.author", "V.1")
    batch = new.get_model("imports", "ImportBatch").objects.get(original_name="so-lieu.xlsx")
    assert batch.summary == {"rows": 3}
    assert (
        new.get_model("contenttypes", "ContentType").objects.filter(app_label="imports", model="importbatch").exists()
    )
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert {"imports_importbatch", "comments_comment"} <= set(tables)
    assert not {"indicators_importbatch", "reports_comment"} & set(tables)


VERSIONS_BEFORE = [("indicators", "0017_who_keys"), ("tasks", "0004_who_keys")]


@pytest.mark.django_db(transaction=True)
def test_the_plan_as_loaded_becomes_the_first_versions_with_nothing_lost(loaded_plan):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _first_versions(latest, loaded_plan.issued_on)
    finally:
        _migrate(latest)


def _first_versions(latest, issued_on):
    old = _migrate(VERSIONS_BEFORE)
    Task = old.get_model("tasks", "Task")
    Task.objects.filter(number=8).update(title="Nhiệm vụ 8 trước khi có phiên bản", deadline_text="Thường xuyên")
    tasks = {
        t.number: (t.title, t.result, t.lead_names, t.cooperating_names, t.deadline_text, t.schedule_kind, t.due_on)
        for t in Task.objects.all()
    }
    Target = old.get_model("indicators", "Target")
    cells = {(t.indicator.code, t.year): (t.text, t.qualitative) for t in Target.objects.select_related("indicator")}
    assignments = set(old.get_model("tasks", "TaskAssignment").objects.values_list("task__number", "agency_id", "role"))

    new = _migrate(latest)

    Terms = new.get_model("tasks", "TaskTerms")
    migrated = {
        t.task.number: (
            t.title,
            t.result,
            t.lead_names,
            t.cooperating_names,
            t.deadline_text,
            t.schedule_kind,
            t.due_on,
        )
        for t in Terms.objects.select_related("task")
    }
    assert migrated == tasks and len(tasks) == 35
    assert set(Terms.objects.values_list("valid_from", "valid_to")) == {(issued_on, None)}
    NewTarget = new.get_model("indicators", "Target")
    assert {
        (t.indicator.code, t.year): (t.text, t.qualitative) for t in NewTarget.objects.select_related("indicator")
    } == cells
    assert set(NewTarget.objects.values_list("valid_from", "valid_to", "adjustment")) == {(issued_on, None, None)}
    assert NewTarget.objects.get(indicator__code="V.1", year=2030).parsed_targets.get().value == 0.75
    Assignment = new.get_model("tasks", "TaskAssignment")
    assert set(Assignment.objects.values_list("task__number", "agency_id", "role")) == assignments
    assert set(Assignment.objects.values_list("valid_from", "valid_to")) == {(issued_on, None)}
