from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Kiểm tra, giám sát và báo cáo Trung ương")

    def ready(self):
        # Recommendations are reminded of and counted in the weekly digest by the one sending rule of tasks,
        # which sits below this app and so learns of them here (tasks.services.REMINDER_SOURCES).
        from tasks import services

        from .selectors import recommendation_digest_lines, recommendation_reminder_items

        services.reminder_source_add(recommendation_reminder_items)
        services.digest_section_add(recommendation_digest_lines)
