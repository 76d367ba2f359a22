from allauth.account.forms import LoginForm


class PortalLoginForm(LoginForm):
    """allauth's login form without the reset link inside the password's help
    text: the page shows that link after the form, so keyboard users reach the
    password field straight after the e-mail field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
