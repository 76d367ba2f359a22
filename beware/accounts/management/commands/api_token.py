from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from beware.accounts import services
from beware.accounts.models import User
from beware.common.audit import Actor


class Command(BaseCommand):
    help = "Maakt een API-sleutel voor een gebruiker en drukt die af (alleen nu te zien; intrekken in het portaal)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mailadres van de gebruiker")
        parser.add_argument("--naam", default="Gemaakt met manage.py api_token", help="Naam van de sleutel")

    def handle(self, *args, email, naam, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Er is geen gebruiker met e-mailadres {email}.")
        try:
            _, sleutel = services.api_token_create(by=Actor.system(), user=user, naam=naam)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        # Only the key on stdout, so a script can capture it: KEY=$(manage.py api_token ...).
        self.stdout.write(sleutel)
