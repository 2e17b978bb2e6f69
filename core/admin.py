"""Admin building blocks every app uses, and the admin of the kernel's one table (``PendingJob``)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import PendingJob


class ReadOnlyAdminMixin:
    """Rows written only through their services (workflow, jobs, imports): the admin shows and exports them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(PendingJob)
class PendingJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Jobs that writes asked for while the broker was down: shown for checking, sent and cleared by the
    catch-up job (``core.send_pending_jobs``) once it answers."""

    list_display = ["name", "args", "created_at", "attempts", "error"]
    list_filter = ["name"]
