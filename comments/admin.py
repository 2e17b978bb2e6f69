from django.contrib import admin

from core.admin import SafeModelAdmin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(SafeModelAdmin):
    """Comments are written on the indicator and task pages; administrators may only read or delete them."""

    list_display = ["created_at", "author", "indicator", "task", "text"]
    list_filter = ["created_at"]
    search_fields = ["text", "author__username", "indicator__code"]
    list_select_related = ["author", "indicator", "task"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
