# Dashboards read snapshots computed by the progress engine; periodic report models come with that work.
