"""Admin building blocks every app uses (nothing is registered here)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    """Rows written only through their services (workflow, jobs, imports): the admin shows and exports them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdminMixin(ReadOnlyAdminMixin):
    """A read-only row with its audit history (django-simple-history's admin): the versions are shown, never
    reverted. A revert saves an old version as it was (an approved figure back to a returned value, say),
    around the workflow and its review: the row's own services are the only way to change it."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def file_link(url_name: str, field: str, label: str):
    """An admin column linking a private file to the view that checks who may download it.

    The files have no public URL (uploads are outside the web root), so the admin must not render them itself.
    """

    @admin.display(description=label)
    def link(_admin, obj):
        if not getattr(obj, field):
            return "—"
        return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), _("Tải về"))

    return link
