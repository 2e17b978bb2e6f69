"""django-import-export resources for agencies and users, in the columns of the import files (export only).

Imports go through the import pages (preview, all-or-nothing, undo); these resources let administrators
export any list from the admin. Users are exported without passwords or any other secret.
"""

from __future__ import annotations

from import_export.fields import Field

from core.spreadsheets import SafeExportResource

from .models import Agency, User


class AgencyResource(SafeExportResource):
    code = Field(attribute="code", column_name="Mã cơ quan")
    name = Field(attribute="name", column_name="Tên cơ quan")
    short_name = Field(attribute="short_name", column_name="Tên viết tắt")
    kind = Field(column_name="Loại", dehydrate_method="dehydrate_kind")
    official_code = Field(attribute="official_code", column_name="Mã đơn vị hành chính")
    aliases = Field(column_name="Tên gọi khác (cách nhau bởi ;)", dehydrate_method="dehydrate_aliases")
    is_active = Field(column_name="Đang hoạt động", dehydrate_method="dehydrate_is_active")

    class Meta:
        model = Agency
        fields = export_order = ("code", "name", "short_name", "kind", "official_code", "aliases", "is_active")

    def dehydrate_kind(self, obj):
        return str(obj.get_kind_display())

    def dehydrate_aliases(self, obj):
        return "; ".join(obj.aliases)

    def dehydrate_is_active(self, obj):
        return "Có" if obj.is_active else "Không"


class UserResource(SafeExportResource):
    """Users with their agency and role; never the password hash."""

    username = Field(attribute="username", column_name="Tên đăng nhập")
    last_name = Field(attribute="last_name", column_name="Họ")
    first_name = Field(attribute="first_name", column_name="Tên")
    email = Field(attribute="email", column_name="Thư điện tử")
    role = Field(column_name="Vai trò", dehydrate_method="dehydrate_role")
    agency = Field(column_name="Mã cơ quan", dehydrate_method="dehydrate_agency")
    agency_name = Field(column_name="Tên cơ quan", dehydrate_method="dehydrate_agency_name")
    is_active = Field(column_name="Đang hoạt động", dehydrate_method="dehydrate_is_active")

    class Meta:
        model = User
        fields = export_order = (
            "username",
            "last_name",
            "first_name",
            "email",
            "role",
            "agency",
            "agency_name",
            "is_active",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("agency").order_by("username")

    def dehydrate_role(self, obj):
        return str(obj.get_role_display())

    def dehydrate_agency(self, obj):
        return obj.agency.code if obj.agency else ""

    def dehydrate_agency_name(self, obj):
        return obj.agency.name if obj.agency else ""

    def dehydrate_is_active(self, obj):
        return "Có" if obj.is_active else "Không"
