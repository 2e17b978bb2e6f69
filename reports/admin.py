from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin, SafeModelAdmin

from .models import PeriodicReport, Review, SigningKey


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


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """Keys are given with ``manage.py signing_key_set`` on the server (docs/report-signatures.md): the private
    key and its password never pass through a browser. Here: which body signs with whose certificate, until when."""

    list_display = ["body", "holder", "organisation", "kind", "not_after", "in_use_flag", "created_at"]
    list_filter = ["kind", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["holder", "organisation", "agency__name", "fingerprint"]
    list_select_related = ["agency"]
    exclude = ["p12", "secret", "signature_image", "seal_image"]
    readonly_fields = ["images"]

    @admin.display(description=_("cơ quan ban hành"), ordering="agency__name")
    def body(self, obj):
        return obj.body_name

    @admin.display(description=_("đang dùng"), boolean=True)
    def in_use_flag(self, obj):
        return obj.in_use

    @admin.display(description=_("hình chữ ký, con dấu"))
    def images(self, obj):
        shown = [
            str(label) for label, field in ((_("chữ ký"), obj.signature_image), (_("con dấu"), obj.seal_image)) if field
        ]
        return ", ".join(shown) or "—"


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, SafeModelAdmin):
    """Reviews over a span are requested, edited, issued and downloaded on their pages (/bao-cao/so-ket/)."""

    list_display = ["title", "starts_on", "ends_on", "as_of", "version", "status", "generation", "issued_on"]
    list_filter = ["status", "kind", "generation"]
    search_fields = ["title", "number"]
    exclude = ["docx", "xlsx", "pdf", "content"]
    readonly_fields = ["files"]

    @admin.display(description=_("tệp"))
    def files(self, obj):
        names = [f for f in ("docx", "xlsx", "pdf") if getattr(obj, f)]
        formats = [(reverse("review_download", args=[obj.pk, f]), f) for f in names]
        return format_html_join(" · ", '<a href="{}">{}</a>', formats) or "—"
