"""The task's terms now live only in their versions (TaskTerms, filled by 0006): the task keeps its identity.

The text columns get an empty default first, so that the migration reverses onto a table with rows (0006 then
writes the terms back)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0006_task_terms_first_versions'),
    ]

    operations = [
        migrations.AlterField(model_name="task", name="title", field=models.TextField(default="")),
        migrations.AlterField(model_name="task", name="result", field=models.TextField(blank=True, default="")),
        migrations.AlterField(model_name="task", name="deadline_text", field=models.CharField(default="", max_length=200)),
        migrations.AlterField(model_name="task", name="schedule_kind", field=models.CharField(default="", max_length=20)),
        migrations.AlterField(model_name="task", name="rule", field=models.CharField(blank=True, default="", max_length=200)),
        migrations.RemoveField(
            model_name='task',
            name='cooperating_names',
        ),
        migrations.RemoveField(
            model_name='task',
            name='deadline_text',
        ),
        migrations.RemoveField(
            model_name='task',
            name='due_on',
        ),
        migrations.RemoveField(
            model_name='task',
            name='ends_on',
        ),
        migrations.RemoveField(
            model_name='task',
            name='lead_names',
        ),
        migrations.RemoveField(
            model_name='task',
            name='result',
        ),
        migrations.RemoveField(
            model_name='task',
            name='rule',
        ),
        migrations.RemoveField(
            model_name='task',
            name='schedule_kind',
        ),
        migrations.RemoveField(
            model_name='task',
            name='starts_on',
        ),
        migrations.RemoveField(
            model_name='task',
            name='title',
        ),
        migrations.AlterField(
            model_name='taskassignment',
            name='valid_from',
            field=models.DateField(verbose_name='có hiệu lực từ ngày'),
        ),
        migrations.AlterField(
            model_name='taskterms',
            name='valid_from',
            field=models.DateField(verbose_name='có hiệu lực từ ngày'),
        ),
        migrations.RemoveConstraint(
            model_name='taskassignment',
            name='uniq_task_assignment',
        ),
        migrations.AddConstraint(
            model_name='taskassignment',
            constraint=models.UniqueConstraint(fields=('task', 'agency', 'role', 'valid_from'), name='uniq_task_assignment_version'),
        ),
        migrations.AddConstraint(
            model_name='taskterms',
            constraint=models.UniqueConstraint(fields=('task', 'valid_from'), name='uniq_task_terms_version'),
        ),
    ]
