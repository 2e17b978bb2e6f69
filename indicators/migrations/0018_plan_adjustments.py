"""Plan adjustments (PlanAdjustment, its PlanChange rows) and the cells of Appendix I as versions in force from a
date: every cell loaded so far becomes the first version, in force from its plan's issue date, nothing lost."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def first_versions(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    Plan = apps.get_model("indicators", "Plan")
    for plan in Plan.objects.all():
        Target.objects.filter(indicator__plan=plan).update(valid_from=plan.issued_on)


def later_versions_drop(apps, schema_editor):
    """Reversed: only the cells as issued stay (one per indicator and year again)."""
    Target = apps.get_model("indicators", "Target")
    Target.objects.exclude(adjustment=None).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0017_who_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalPlanAdjustment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('decision_number', models.CharField(max_length=100, verbose_name='số, ký hiệu văn bản')),
                ('signed_on', models.DateField(verbose_name='ngày ký')),
                ('issuer', models.CharField(default='Ban Thường vụ Tỉnh ủy', max_length=200, verbose_name='cơ quan ban hành')),
                ('summary', models.TextField(blank=True, verbose_name='trích yếu')),
                ('signed_file', models.TextField(blank=True, max_length=100, verbose_name='văn bản đã ký')),
                ('effective_on', models.DateField(verbose_name='có hiệu lực từ ngày')),
                ('status', models.CharField(choices=[('draft', 'Dự thảo, chờ phê duyệt'), ('approved', 'Đã phê duyệt')], default='draft', max_length=10, verbose_name='trạng thái')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='tạo lúc')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='phê duyệt lúc')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField()),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical điều chỉnh kế hoạch',
                'verbose_name_plural': 'historical điều chỉnh kế hoạch',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PlanAdjustment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision_number', models.CharField(max_length=100, verbose_name='số, ký hiệu văn bản')),
                ('signed_on', models.DateField(verbose_name='ngày ký')),
                ('issuer', models.CharField(default='Ban Thường vụ Tỉnh ủy', max_length=200, verbose_name='cơ quan ban hành')),
                ('summary', models.TextField(blank=True, verbose_name='trích yếu')),
                ('signed_file', models.FileField(blank=True, upload_to='plan-adjustments/%Y/', verbose_name='văn bản đã ký')),
                ('effective_on', models.DateField(verbose_name='có hiệu lực từ ngày')),
                ('status', models.CharField(choices=[('draft', 'Dự thảo, chờ phê duyệt'), ('approved', 'Đã phê duyệt')], default='draft', max_length=10, verbose_name='trạng thái')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tạo lúc')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='phê duyệt lúc')),
            ],
            options={
                'verbose_name': 'điều chỉnh kế hoạch',
                'verbose_name_plural': 'điều chỉnh kế hoạch',
                'ordering': ['effective_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PlanChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(verbose_name='thứ tự')),
                ('subject', models.CharField(choices=[('target', 'Ô mục tiêu'), ('parsed_target', 'Mục tiêu định lượng'), ('indicator', 'Chỉ tiêu'), ('task', 'Nhiệm vụ'), ('assignment', 'Cơ quan thực hiện nhiệm vụ'), ('metric', 'Chỉ số đo lường')], max_length=14, verbose_name='đối tượng')),
                ('code', models.CharField(max_length=60, verbose_name='mã')),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='mốc năm')),
                ('field', models.CharField(max_length=20, verbose_name='nội dung')),
                ('old', models.JSONField(blank=True, null=True, verbose_name='trước')),
                ('new', models.JSONField(blank=True, null=True, verbose_name='sau')),
                ('source', models.CharField(blank=True, help_text='Trang, dòng của bảng tính.', max_length=300, verbose_name='đọc từ')),
            ],
            options={
                'verbose_name': 'nội dung điều chỉnh',
                'verbose_name_plural': 'nội dung điều chỉnh',
                'ordering': ['adjustment', 'order'],
            },
        ),
        migrations.AlterModelOptions(
            name='target',
            options={'ordering': ['indicator', 'year', 'valid_from'], 'verbose_name': 'mục tiêu', 'verbose_name_plural': 'mục tiêu'},
        ),
        migrations.RemoveConstraint(
            model_name='target',
            name='uniq_target_cell',
        ),
        migrations.AddField(
            model_name='target',
            name='valid_from',
            field=models.DateField(null=True, verbose_name='có hiệu lực từ ngày'),
        ),
        migrations.AddField(
            model_name='target',
            name='valid_to',
            field=models.DateField(blank=True, null=True, verbose_name='có hiệu lực đến hết ngày'),
        ),
        migrations.AddField(
            model_name='historicalplanadjustment',
            name='approved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalplanadjustment',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalplanadjustment',
            name='history_user',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalplanadjustment',
            name='plan',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.plan'),
        ),
        migrations.AddField(
            model_name='planadjustment',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='planadjustment',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='planadjustment',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='adjustments', to='indicators.plan'),
        ),
        migrations.AddField(
            model_name='planadjustment',
            name='revokes',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='revocations', to='indicators.planadjustment', verbose_name='bãi bỏ điều chỉnh'),
        ),
        migrations.AddField(
            model_name='historicalplanadjustment',
            name='revokes',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.planadjustment', verbose_name='bãi bỏ điều chỉnh'),
        ),
        migrations.AddField(
            model_name='metric',
            name='adjustment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.planadjustment', verbose_name='bổ sung theo điều chỉnh'),
        ),
        migrations.AddField(
            model_name='target',
            name='adjustment',
            field=models.ForeignKey(blank=True, help_text='Trống: kế hoạch như ban hành.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='targets', to='indicators.planadjustment', verbose_name='theo điều chỉnh'),
        ),
        migrations.RunPython(first_versions, later_versions_drop),
        migrations.AlterField(
            model_name='target',
            name='valid_from',
            field=models.DateField(verbose_name='có hiệu lực từ ngày'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.UniqueConstraint(fields=('indicator', 'year', 'valid_from'), name='uniq_target_cell_version'),
        ),
        migrations.AddField(
            model_name='planchange',
            name='adjustment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='indicators.planadjustment'),
        ),
        migrations.AddConstraint(
            model_name='planchange',
            constraint=models.UniqueConstraint(fields=('adjustment', 'order'), name='uniq_plan_change_order'),
        ),
    ]
