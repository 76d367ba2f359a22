from django.core.management.base import BaseCommand

from membership import demo


class Command(BaseCommand):
    help = "Vult het portaal met demodata (de oprichtingssituatie) via de echte services."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["founding"], default="founding", help="Omvang van de demodata.")

    def handle(self, *args, **options):
        created = demo.seed_founding_situation()
        self.stdout.write("Demodata aangemaakt." if created else "Demodata was er al; niets gewijzigd.")
        self.stdout.write(f"\nDemo-logins (wachtwoord voor allemaal: {demo.DEMO_PASSWORD}):")
        for email, role in demo.demo_logins():
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write(
            "\nDirectie en RvC gebruiken tweestapsverificatie: in de ontwikkelomgeving werkt code 123456,"
            f"\nof stel een authenticator-app in met sleutel {demo.DEMO_TOTP_SECRET}."
        )
