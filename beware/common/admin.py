from django.contrib import admin
from django.db import transaction

from . import audit
from .audit import Actor
from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through services (and their audit events) are read-only here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Reference data edited in the admin: every save and delete is in the
    audit log, named `<audit_name>.gewijzigd/toegevoegd/verwijderd`."""

    audit_name = ""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                f"{self.audit_name}.{'gewijzigd' if change else 'toegevoegd'}",
                actor=Actor(user=request.user),
                obj=obj,
                data={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(f"{self.audit_name}.verwijderd", actor=Actor(user=request.user), obj=obj, data={})
            super().delete_model(request, obj)


class SuperuserAuditedAdmin(AuditedAdmin):
    """Only a superuser changes these (e.g. btw rules after tax advice)."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor_label", "member_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "member_label", "action", "object_id"]
    date_hierarchy = "timestamp"
