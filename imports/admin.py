from django.contrib import admin

from core.admin import ReadOnlyAdminMixin, SafeModelAdmin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """Imports are previewed, committed and undone on the import pages (/nhap-du-lieu/)."""

    list_display = ["pk", "kind", "status", "original_name", "agency", "approve", "created_by", "created_at"]
    list_filter = ["kind", "status", "approve"]
    search_fields = ["original_name", "agency__name", "created_by__username"]
    list_select_related = ["agency", "created_by"]
    exclude = ["file"]
