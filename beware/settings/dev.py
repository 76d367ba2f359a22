"""Local development and `make run`: SQLite unless DATABASE_URL is set, mail to
the console, tasks in-process."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Demo accounts of directie and RvC can finish the MFA step with this code, so
# the demo works without an authenticator app. Refused by allauth when DEBUG is off.
MFA_TOTP_INSECURE_BYPASS_CODE = env("MFA_DEMO_CODE", default="123456") if DEBUG else None
