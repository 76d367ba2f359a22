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
        parser.add_argument("--scale", choices=["founding"], default="founding", help="Omvang van de demodata.")

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
        self.stdout.write(f"\nDemo-logins (wachtwoord voor allemaal: {demo.DEMO_PASSWORD}):")
        for email, role in demo.demo_logins():
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write(
            "\nDirectie, manager, RvC en secretaris gebruiken tweestapsverificatie: in de ontwikkelomgeving"
            f"\nwerkt code 123456, of stel een authenticator-app in met sleutel {demo.DEMO_TOTP_SECRET}."
        )
