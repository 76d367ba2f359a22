"""Local development and `make run`: SQLite unless DATABASE_URL is set, mail to
files under tmp/mail, tasks in-process."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=True)
# Demo accounts of directie and RvC can finish the MFA step with this code, so
# the demo works without an authenticator app. Refused by allauth when DEBUG is off.
MFA_TOTP_INSECURE_BYPASS_CODE = env("MFA_DEMO_CODE", default="123456") if DEBUG else None

# Mail (invoices carry a PDF and a UBL file) goes to files under tmp/mail
# instead of flooding the console, unless EMAIL_URL says otherwise.
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "tmp" / "mail"
