from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "beware.accounts"
    label = "accounts"
    verbose_name = "Gebruikers en rollen"

    def ready(self):
        from .roles import ensure_role_groups

        # Role groups need the permissions Django creates after migrating.
        post_migrate.connect(ensure_role_groups, dispatch_uid="beware.ensure_role_groups")
