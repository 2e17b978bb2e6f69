"""ImportBatch now belongs to the imports app (imports/0001 renamed its table): forget it here, state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_observation_agency_recent_index"),
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ImportBatch")]),
    ]
