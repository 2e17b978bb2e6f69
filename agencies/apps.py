from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Cơ quan, đơn vị và người dùng")

    def ready(self):
        from .backends import user_cache_forget
        from .models import User

        post_save.connect(user_cache_forget, sender=User, dispatch_uid="user-cache-save")
        post_delete.connect(user_cache_forget, sender=User, dispatch_uid="user-cache-delete")
