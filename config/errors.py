"""Error responses: the site's own pages (templates/400.html … 500.html), and JSON under /api/ so that the
open-data API answers in its own format even for a URL no route matches."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("Yêu cầu không hợp lệ.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("Không có quyền truy cập.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _api(request):
        return JsonResponse({"detail": _("Không tìm thấy.")}, status=404)
    return defaults.page_not_found(request, exception)
