"""Admin building blocks every app uses, and the admin of the kernel's one table (``PendingJob``)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connection, models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import PendingJob


class EmptyAsDefaultJSONField(forms.JSONField):
    """A JSON box that, left empty, saves its field's default (``[]``, ``{}``) rather than NULL into a column that
    takes none (the agency form with its aliases box emptied answered 500)."""

    def __init__(self, *, empty, **kwargs):
        self.empty = empty
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.empty() if value is None else value


class AdminInputMixin:
    """What every admin (and inline) of the project has: bad input answered as a form answers it, never with a 500.

    - a prefill of the add form (``?agency=abc``) that is not a value of its field is left out;
    - an optional JSON list or object left empty saves as empty.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not _prefill_valid(field, value):
                del initial[name]
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField) and db_field.blank and not db_field.null and db_field.has_default():
            kwargs.setdefault("form_class", EmptyAsDefaultJSONField)
            kwargs.setdefault("empty", db_field.get_default)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def _prefill_valid(field, value) -> bool:
    try:
        target = field.target_field if field.is_relation else field
        for item in value if isinstance(value, list) else [value]:
            python = target.to_python(item)
            if isinstance(python, int) and not isinstance(python, bool):
                # a number the database cannot hold (SQLite refuses it before the query, PostgreSQL in it)
                low, high = connection.ops.integer_field_range(target.get_internal_type())
                if (low is not None and python < low) or (high is not None and python > high):
                    return False
    except (ValidationError, ValueError, TypeError, AttributeError):
        return False
    return True


class SafeModelAdmin(AdminInputMixin, admin.ModelAdmin):
    """The project's ModelAdmin (``AdminInputMixin``)."""


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


@admin.register(PendingJob)
class PendingJobAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """Jobs that writes asked for while the broker was down: shown for checking, sent and cleared by the
    catch-up job (``core.send_pending_jobs``) once it answers."""

    list_display = ["name", "args", "created_at", "attempts", "error"]
    list_filter = ["name"]
