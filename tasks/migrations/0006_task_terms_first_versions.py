"""Every task's terms as loaded become its first version, in force from the plan's issue date; every assignment
is in force from that date too (its own migration: PostgreSQL does not alter a table with pending updates)."""

from django.db import migrations

TERMS = (
    "title",
    "result",
    "lead_names",
    "cooperating_names",
    "deadline_text",
    "schedule_kind",
    "due_on",
    "rule",
    "starts_on",
    "ends_on",
)


def first_versions(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    TaskTerms = apps.get_model("tasks", "TaskTerms")
    TaskAssignment = apps.get_model("tasks", "TaskAssignment")
    TaskTerms.objects.bulk_create(
        [
            TaskTerms(task_id=task.pk, valid_from=task.plan.issued_on, **{name: getattr(task, name) for name in TERMS})
            for task in Task.objects.select_related("plan").order_by("pk")
        ],
        batch_size=500,
    )
    for plan_id, issued_on in Task.objects.values_list("plan_id", "plan__issued_on").distinct():
        TaskAssignment.objects.filter(task__plan_id=plan_id).update(valid_from=issued_on)


def terms_back(apps, schema_editor):
    """Reversed: the terms in force on the plan's issue date go back onto the task."""
    Task = apps.get_model("tasks", "Task")
    TaskTerms = apps.get_model("tasks", "TaskTerms")
    TaskAssignment = apps.get_model("tasks", "TaskAssignment")
    for task in Task.objects.select_related("plan"):
        terms = TaskTerms.objects.filter(task=task).order_by("valid_from").first()
        if terms:
            for name in TERMS:
                setattr(task, name, getattr(terms, name))
            task.save(update_fields=list(TERMS))
    TaskAssignment.objects.exclude(valid_to=None).delete()
    TaskAssignment.objects.exclude(adjustment=None).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0005_task_terms_versions"),
    ]

    operations = [
        migrations.RunPython(first_versions, terms_back),
    ]
