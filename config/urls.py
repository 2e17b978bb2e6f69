from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config.health import healthz, readyz
from reports.views import report_verify_page

admin.site.site_header = _("Quản trị – Kế hoạch 65-KH/TU")
admin.site.site_title = _("Kế hoạch 65-KH/TU")
admin.site.index_title = _("Quản trị hệ thống")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin's): the site's own icon."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("entry.urls")),
    path("nhap-du-lieu/", include("imports.urls")),
    path("ke-hoach/dieu-chinh/", include("adjustments.urls")),
    path("bao-cao/dinh-ky/", include("reports.urls")),
    path("xac-thuc-bao-cao/", report_verify_page, name="report_verify"),
    path("bao-cao/so-ket/", include("reports.review_urls")),
    path("api/", include("opendata.urls")),
    path("cong-khai/", include("opendata.public_urls")),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
