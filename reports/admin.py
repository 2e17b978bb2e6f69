from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, SafeModelAdmin

from .models import PeriodicReport


@admin.register(PeriodicReport)
class PeriodicReportAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """Reports are requested, edited, issued and downloaded on their pages (/bao-cao/dinh-ky/)."""

    list_display = ["__str__", "agency", "period", "as_of", "version", "status", "generation", "issued_on"]
    list_filter = ["status", "generation", "period__kind"]
    search_fields = ["number", "agency__name", "narrative"]
    list_select_related = ["agency", "period"]
    exclude = ["docx", "xlsx", "pdf", "content"]
    readonly_fields = ["files"]

    @admin.display(description=_("tệp"))
    def files(self, obj):
        formats = [
            (reverse("periodic_report_download", args=[obj.pk, f]), f)
            for f in ("docx", "xlsx", "pdf")
            if getattr(obj, f)
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', formats) or "—"
