from django.core.management.base import BaseCommand, CommandError

from beware.common.audit import Actor
from membership import services


class Command(BaseCommand):
    help = "Leest inwonertallen in uit een CSV-bestand (CBS StatLine-export): alle regels of geen."

    def add_arguments(self, parser):
        parser.add_argument("bestand", help="Pad naar het CSV-bestand")
        parser.add_argument("--bron", default="CBS StatLine 03759ned", help="Bron die bij de cijfers wordt vastgelegd")

    def handle(self, *args, bestand, bron, **options):
        try:
            with open(bestand, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"Kan {bestand} niet lezen: {error.strerror}.") from error
        try:
            report = services.inwonertallen_import(data, by=Actor.system(), bron=bron)
        except services.InwonerImportError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(str(error)) from error
        self.stdout.write(f"Ingelezen: {report.created} nieuwe en {report.updated} bijgewerkte inwonertallen.")
