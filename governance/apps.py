from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self):
        from .services import ensure_statutory_bodies

        post_migrate.connect(ensure_statutory_bodies, sender=self, dispatch_uid="governance.ensure_statutory_bodies")
