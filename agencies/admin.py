from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import AdminInputMixin, SafeModelAdmin
from core.spreadsheets import SpreadsheetExportMixin

from .models import Agency, Collective, User
from .resources import AgencyResource, UserResource


@admin.register(Agency)
class AgencyAdmin(SpreadsheetExportMixin, SafeModelAdmin):
    resource_classes = [AgencyResource]
    list_display = ["name", "short_name", "kind", "official_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "official_code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Collective)
class CollectiveAdmin(SafeModelAdmin):
    list_display = ["name", "kinds", "description"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(User)
class UserAdmin(SpreadsheetExportMixin, AdminInputMixin, BaseUserAdmin):
    resource_classes = [UserResource]
    list_display = ["username", "get_full_name", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "is_active", "agency__kind"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Vai trò trong hệ thống"), {"fields": ["role", "agency"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Vai trò trong hệ thống"), {"fields": ["role", "agency"]}),
    ]
