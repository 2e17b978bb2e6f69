"""A task's terms (title, result, agencies as written, deadline and its schedule) move into version rows
(TaskTerms) in force from a date; assignments gain the interval they are in force in. The plan as loaded becomes
the first version of each, in force from the plan's issue date: nothing is lost."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0001_initial'),
        ('indicators', '0018_plan_adjustments'),
        ('tasks', '0004_who_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(null=True, verbose_name='có hiệu lực từ ngày')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='có hiệu lực đến hết ngày')),
                ('title', models.TextField(verbose_name='tên nhiệm vụ')),
                ('result', models.TextField(blank=True, verbose_name='kết quả, sản phẩm')),
                ('lead_names', models.JSONField(blank=True, default=list, verbose_name='cơ quan chủ trì (như văn bản ghi)')),
                ('cooperating_names', models.JSONField(blank=True, default=list, verbose_name='cơ quan phối hợp (như văn bản ghi)')),
                ('deadline_text', models.CharField(max_length=200, verbose_name='thời gian hoàn thành (nguyên văn)')),
                ('schedule_kind', models.CharField(choices=[('one_off', 'Một lần, có hạn'), ('recurring', 'Định kỳ'), ('continuous', 'Thường xuyên, liên tục'), ('conditional', 'Khi có yêu cầu')], max_length=20, verbose_name='loại thời hạn')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='hạn hoàn thành')),
                ('rule', models.CharField(blank=True, max_length=200, verbose_name='quy tắc lặp (RRULE)')),
                ('starts_on', models.DateField(blank=True, null=True, verbose_name='bắt đầu từ')),
                ('ends_on', models.DateField(blank=True, null=True, verbose_name='kết thúc')),
            ],
            options={
                'verbose_name': 'nội dung nhiệm vụ',
                'verbose_name_plural': 'nội dung nhiệm vụ',
                'ordering': ['task', 'valid_from'],
            },
        ),
        migrations.AddField(
            model_name='taskterms',
            name='adjustment',
            field=models.ForeignKey(blank=True, help_text='Trống: kế hoạch như ban hành.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='task_terms', to='indicators.planadjustment', verbose_name='theo điều chỉnh'),
        ),
        migrations.AddField(
            model_name='taskterms',
            name='task',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='terms_versions', to='tasks.task'),
        ),
        migrations.AddField(
            model_name='taskassignment',
            name='adjustment',
            field=models.ForeignKey(blank=True, help_text='Trống: kế hoạch như ban hành.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='indicators.planadjustment', verbose_name='theo điều chỉnh'),
        ),
        migrations.AddField(
            model_name='taskassignment',
            name='valid_from',
            field=models.DateField(null=True, verbose_name='có hiệu lực từ ngày'),
        ),
        migrations.AddField(
            model_name='taskassignment',
            name='valid_to',
            field=models.DateField(blank=True, null=True, verbose_name='có hiệu lực đến hết ngày'),
        ),
    ]
