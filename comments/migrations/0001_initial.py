"""Comment moves here from reports: the same table and rows, renamed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(old_app, new_app, model):
    """Keep the model's content type (and so its permissions and admin log) under its new app."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=new_app, model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0002_comment'),
        ('indicators', '0008_observation_agency_recent_index'),
        ('tasks', '0003_reminder'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Comment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.TextField(max_length=2000, verbose_name='nội dung')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='gửi lúc')),
                    ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='comments', to=settings.AUTH_USER_MODEL, verbose_name='người góp ý')),
                    ('indicator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='indicators.indicator', verbose_name='chỉ tiêu')),
                    ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='tasks.task', verbose_name='nhiệm vụ')),
                ],
                options={
                    'verbose_name': 'ý kiến',
                    'verbose_name_plural': 'ý kiến',
                    'ordering': ['-created_at', '-pk'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('indicator__isnull', False), ('task__isnull', True)), models.Q(('indicator__isnull', True), ('task__isnull', False)), _connector='OR'), name='comment_on_indicator_or_task')],
                },
            ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE reports_comment RENAME TO comments_comment",
                    reverse_sql="ALTER TABLE comments_comment RENAME TO reports_comment",
                ),
            ],
        ),
        migrations.RunPython(
            _move_content_type("reports", "comments", "comment"),
            _move_content_type("comments", "reports", "comment"),
        ),
    ]
