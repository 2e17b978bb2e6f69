from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reports import public_views as report_public_views

admin.site.site_header = _("Quản trị – Kế hoạch 65-KH/TU")
admin.site.site_title = _("Kế hoạch 65-KH/TU")
admin.site.index_title = _("Quản trị hệ thống")


def healthz(request):
    """Liveness for the container orchestrator: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("reports.urls")),
    path("nhap-du-lieu/", include("indicators.imports.urls")),
    path("", include("indicators.urls")),
    path("", include("tasks.urls")),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("bao-cao/dinh-ky/", include("reports.report_urls")),
    path("api/", include("reports.api_urls")),
    path("cong-khai/", report_public_views.public_indicators, name="public_indicators"),
]
