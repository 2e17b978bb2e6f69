"""Extended statistics on the figures' (metric, period) pairs, for the progress engine's grouped query.

Without them PostgreSQL multiplies the two columns' distinct counts and expects one group per figure (2 million
at the benchmark's size, where there are 17 000), sizes its hash aggregate for that and spills it to disk.
PostgreSQL only; ANALYZE fills the statistics at once rather than at the next autovacuum.
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS obs_metric_period_stats (ndistinct) ON metric_id, period_id "
    "FROM indicators_observation"
)
DROP = "DROP STATISTICS IF EXISTS obs_metric_period_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE indicators_observation")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_delete_importbatch")]

    operations = [migrations.RunPython(create, drop)]
