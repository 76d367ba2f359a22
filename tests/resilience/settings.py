"""Settings for the app servers and workers the resilience tests start as
separate processes: the test settings, plus what those processes need to be
observed from outside. Mail goes to files (one per message) so the test can
count what was sent; tasks go through the broker on a queue of the test's
own, so no other worker on the same Redis picks them up."""

import os

from beware.settings.test import *  # noqa: F403
from beware.settings.test import CELERY_BROKER_URL

if os.environ.get("RESILIENCE_MAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["RESILIENCE_MAIL_DIR"]
# As in production: tasks go through the broker when one is configured.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RESILIENCE_QUEUE", "celery")
# Redis hands an unacknowledged task out again after this many seconds (one
# hour by default); a test cannot wait that long for the redelivery.
if os.environ.get("RESILIENCE_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["RESILIENCE_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
    }
