"""Third-party apps as the project names them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes (failed log-ins and lockouts) under a Vietnamese name in the admin; the names of its models come
    from the project's Vietnamese catalogue (locale/vi), django-axes shipping none."""

    verbose_name = _("Đăng nhập sai và khóa tạm thời")
