from django.apps import AppConfig, apps
from django.core.signals import request_finished, request_started
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Nền tảng chung")

    def ready(self):
        from .snapshots import is_watched_on_delete, request_began, request_ended, watched_model_changed

        request_started.connect(request_began, dispatch_uid="snapshots-request-started")
        request_finished.connect(request_ended, dispatch_uid="snapshots-request-finished")
        # any row the pages show, saved or deleted one by one, makes the cached blocks that show it stale
        post_save.connect(watched_model_changed, dispatch_uid="snapshots-save")
        m2m_changed.connect(watched_model_changed, dispatch_uid="snapshots-m2m")
        # per model, so that QuerySet.delete() of the bulk snapshot tables keeps its fast path
        for model in apps.get_models():
            if is_watched_on_delete(model):
                post_delete.connect(watched_model_changed, sender=model, dispatch_uid=f"snapshots-{model._meta.label}")
