from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from beware.common import audit
from beware.common.audit import Actor

from . import services
from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Technical user management (first directie account, role groups). Roles
    within a member are given through the portal's invitation page."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Persoon", {"fields": ["first_name", "last_name"]}),
        ("Rechten", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Data", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def save_related(self, request, form, formsets, change):
        """Role groups decide what staff may do: every change is audited."""
        super().save_related(request, form, formsets, change)
        audit.record(
            "gebruiker.gewijzigd" if change else "gebruiker.aangemaakt",
            actor=Actor(user=request.user),
            obj=form.instance,
            data={
                "gewijzigd": form.changed_data,
                "groepen": sorted(form.instance.groups.values_list("name", flat=True)),
                "superuser": form.instance.is_superuser,
            },
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Which API keys exist and whether they are used; the keys themselves
    are not stored. Users make their own keys in the portal; here a
    superuser can only revoke one (through the service, so it is audited)."""

    list_display = ["naam", "user", "aangemaakt", "laatst_gebruikt", "ingetrokken"]
    list_filter = [("ingetrokken", admin.EmptyFieldListFilter)]
    search_fields = ["naam", "user__email"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Geselecteerde API-sleutels intrekken", permissions=["revoke"])
    def revoke(self, request, queryset):
        for token in queryset.filter(ingetrokken__isnull=True):
            services.api_token_revoke(by=Actor(user=request.user), token=token)
        self.message_user(request, "De geselecteerde API-sleutels zijn ingetrokken.")

    def has_revoke_permission(self, request):
        return request.user.is_superuser
