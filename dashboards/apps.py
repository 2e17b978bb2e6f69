from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Bảng điều khiển")

    def ready(self):
        from . import dependencies

        # what each saved row changes on the cached pages (core/snapshots.py's receivers read it)
        dependencies.connect()
