from allauth.account.forms import LoginForm
from django import forms
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(LoginForm):
    """allauth's login form without the reset link inside the password's help
    text: the page shows that link after the form, so keyboard users reach the
    password field straight after the e-mail field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


class ApiTokenForm(forms.Form):
    naam = forms.CharField(
        label=_("Naam"),
        max_length=100,
        help_text=_("Waarvoor gebruikt u deze sleutel? Bijvoorbeeld: koppeling met de boekhouding."),
    )
