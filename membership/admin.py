from django.contrib import admin

from beware.common.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Gemeente, Inwonertal, Member, MemberRole, Representation, StatusChange


@admin.register(Gemeente)
class GemeenteAdmin(AuditedAdmin):
    """Gemeenten are reference data from CBS: added here, figures via the import."""

    audit_name = "gemeente"
    list_display = ["code", "naam", "opgeheven_per", "opgegaan_in"]
    search_fields = ["code", "naam"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inwonertal)
class InwonertalAdmin(ReadOnlyAdmin):
    list_display = ["gemeente", "jaar", "aantal", "status", "bron", "is_demo"]
    list_filter = ["jaar", "status", "is_demo"]
    search_fields = ["gemeente__naam", "gemeente__code"]


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["naam", "soort", "status", "ingangsdatum", "einddatum"]
    list_filter = ["status", "soort"]
    search_fields = ["naam", "code", "kvk", "oin"]
    inlines = [RepresentationInline]


admin.site.register(MemberRole, ReadOnlyAdmin)
admin.site.register(StatusChange, ReadOnlyAdmin)
