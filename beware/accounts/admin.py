from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from beware.common import audit
from beware.common.audit import Actor

from .models import User


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
