"""The task's terms now live only in their versions (TaskTerms, filled by 0005): the task keeps its identity."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0006_task_terms_first_versions'),
    ]

    operations = [
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
