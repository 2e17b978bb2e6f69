from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "adjustments"
    verbose_name = _("Điều chỉnh kế hoạch")
