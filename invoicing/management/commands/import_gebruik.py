from django.core.management.base import BaseCommand, CommandError

from beware.common.audit import Actor
from invoicing import services


class Command(BaseCommand):
    help = "Leest gebruiksaantallen in uit een CSV-bestand (community;lid;jaar;kwartaal;aantal): alle regels of geen."

    def add_arguments(self, parser):
        parser.add_argument("bestand", help="Pad naar het CSV-bestand")

    def handle(self, *args, bestand, **options):
        try:
            with open(bestand, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"Kan {bestand} niet lezen: {error.strerror}.") from error
        try:
            count = services.usage_import(data, by=Actor.system())
        except services.UsageImportError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} regel ingelezen." if count == 1 else f"{count} regels ingelezen.")
