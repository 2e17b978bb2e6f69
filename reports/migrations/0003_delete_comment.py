"""Comment now belongs to the comments app (comments/0001 renamed its table): forget it here, state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_comment"),
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Comment")]),
    ]
