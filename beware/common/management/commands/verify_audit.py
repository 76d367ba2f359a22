from django.core.management.base import BaseCommand, CommandError

from beware.common.audit import verify_chain
from beware.common.models import AuditEvent


class Command(BaseCommand):
    help = "Controleert de hash-keten van het auditlog; faalt bij de eerste gewijzigde of verwijderde regel."

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Het auditlog is niet intact vanaf regel {broken}.")
        self.stdout.write(f"Het auditlog is intact ({AuditEvent.objects.count()} regels).")
