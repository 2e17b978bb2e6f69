"""ImportBatch moves here from indicators: the same table and rows, renamed."""

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
        ('agencies', '0001_initial'),
        ('indicators', '0008_observation_agency_recent_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ImportBatch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('figures', 'Số liệu'), ('task_updates', 'Báo cáo tiến độ nhiệm vụ'), ('agencies', 'Cơ quan, đơn vị, xã, phường'), ('users', 'Người dùng'), ('plan', 'Kế hoạch (Phụ lục I, II)')], max_length=20, verbose_name='loại dữ liệu')),
                    ('status', models.CharField(choices=[('previewed', 'Đã xem trước, chờ xác nhận'), ('invalid', 'Có lỗi, không ghi'), ('committed', 'Đã ghi'), ('undone', 'Đã hoàn tác')], default='previewed', max_length=10, verbose_name='trạng thái')),
                    ('file', models.FileField(upload_to='imports/%Y/%m/', verbose_name='tệp')),
                    ('original_name', models.CharField(max_length=255, verbose_name='tên tệp')),
                    ('approve', models.BooleanField(default=False, verbose_name='ghi là đã duyệt')),
                    ('summary', models.JSONField(blank=True, default=dict, verbose_name='kết quả xem trước')),
                    ('changes', models.JSONField(blank=True, default=dict, verbose_name='các bản ghi đã tạo, cập nhật')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tải lên lúc')),
                    ('committed_at', models.DateTimeField(blank=True, null=True, verbose_name='ghi lúc')),
                    ('undone_at', models.DateTimeField(blank=True, null=True, verbose_name='hoàn tác lúc')),
                    ('agency', models.ForeignKey(blank=True, help_text='Khi có: mọi dòng phải thuộc cơ quan này (mẫu nhập của một cơ quan).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency', verbose_name='chỉ cho cơ quan')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'lần nhập dữ liệu',
                    'verbose_name_plural': 'các lần nhập dữ liệu',
                    'ordering': ['-created_at'],
                },
            ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE indicators_importbatch RENAME TO imports_importbatch",
                    reverse_sql="ALTER TABLE imports_importbatch RENAME TO indicators_importbatch",
                ),
            ],
        ),
        migrations.RunPython(
            _move_content_type("indicators", "imports", "importbatch"),
            _move_content_type("imports", "indicators", "importbatch"),
        ),
    ]
