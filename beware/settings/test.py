"""The test suite: PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL
are set (CI), SQLite and eager tasks otherwise."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECRET_KEY = "test-geheim-niet-voor-productie"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks in-process, through Celery's real task machinery.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "test-artifacts" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One cache serves the whole run, and user ids come back after each test's
# rollback, so session calls of unrelated tests would share a budget. The
# throttling tests set their own low rate (tests/api/test_tokens.py).
API_RATE_LIMIT = "100000/minute"
