from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through services (and their audit events) are read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor_label", "member_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "member_label", "action", "object_id"]
    date_hierarchy = "timestamp"
