import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from communities import demo as communities_demo
from governance import demo as governance_demo
from invoicing import demo as invoicing_demo
from membership import demo


class Command(BaseCommand):
    help = (
        "Vult het portaal met demodata (de oprichtingssituatie, communities, businesscases, facturen en "
        "governance) via de echte services."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["founding", "national"],
            default="founding",
            help=(
                "Omvang van de demodata: de oprichtingssituatie (standaard), of daarbovenop de landelijke schaal "
                "(ca. 342 gemeenten, 300 leden, 100 communities, 3 jaar facturen; voor benchmarks)."
            ),
        )
        parser.add_argument(
            "--documents",
            action="store_true",
            help="Bij --scale national: ook alle factuur-PDF's en e-facturen meteen maken (duurt enkele minuten).",
        )

    def handle(self, *args, **options):
        # The demo accounts have a published password and TOTP secret.
        if not settings.DEBUG and os.environ.get("BEWARE_ALLOW_DEMO") != "1":
            raise CommandError("Demodata alleen in een ontwikkelomgeving (DEBUG) of met BEWARE_ALLOW_DEMO=1.")
        created = demo.seed_founding_situation()
        self.stdout.write("Ledenregister aangemaakt." if created else "Ledenregister was er al; niets gewijzigd.")
        # Rates and factuurkenmerken first: a go-decision invoices at once.
        if invoicing_demo.seed_rates_and_references():
            self.stdout.write("Contributietarieven en factuurkenmerken aangemaakt.")
        # Also on an older demo database that has the register but no communities yet.
        created = communities_demo.seed_communities()
        self.stdout.write(
            "Communities en businesscases aangemaakt."
            if created
            else "Communities en businesscases waren er al; niets gewijzigd."
        )
        if invoicing_demo.seed_last_years_run():
            self.stdout.write("Contributie van vorig jaar gefactureerd en grotendeels betaald.")
        if governance_demo.seed_governance():
            self.stdout.write(
                "Governance aangemaakt: RvC, directie, besluiten, documenten, vergaderingen en registers."
            )
        else:
            self.stdout.write("Governance was er al; niets gewijzigd.")
        if options["scale"] == "national":
            self._national(documents=options["documents"])
        self.stdout.write(f"\nDemo-logins (wachtwoord voor allemaal: {demo.DEMO_PASSWORD}):")
        for email, role in demo.demo_logins():
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write(
            "\nDirectie, manager, RvC en secretaris gebruiken tweestapsverificatie: in de ontwikkelomgeving"
            f"\nwerkt code 123456, of stel een authenticator-app in met sleutel {demo.DEMO_TOTP_SECRET}."
        )

    def _national(self, *, documents: bool) -> None:
        import time

        from beware.common import demo_national

        started = time.monotonic()
        self.stdout.write("Landelijke schaal:")
        summary = demo_national.seed_national(log=self.stdout.write)
        if summary is None:
            self.stdout.write("  was er al; niets gewijzigd.")
        else:
            self.stdout.write(f"  klaar in {time.monotonic() - started:.0f} s.")
        if documents:
            self.stdout.write(f"  PDF's en e-facturen gemaakt: {demo_national.render_documents()}.")
        elif summary is not None:
            self.stdout.write(
                "  De PDF's en e-facturen van deze facturen maakt de inhaaltaak (Celery beat, elk uur 500),"
                "\n  of meteen: python manage.py seed_demo --scale national --documents"
            )
