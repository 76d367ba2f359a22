"""Settings shared by every environment. Every value comes from the environment
with a safe default; dev/test/production only change what differs."""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="onveilig-alleen-voor-ontwikkeling")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "beware.common",
    "beware.accounts",
    "membership",
    "communities",
    "businesscases",
    "invoicing",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "beware.common.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "beware.accounts.middleware.ActingMemberMiddleware",
    "beware.accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "beware.urls"
FORM_RENDERER = "beware.common.forms.PortalFormRenderer"
WSGI_APPLICATION = "beware.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "beware.accounts.context_processors.portal",
            ],
        },
    },
]

# SQLite is the embedded default for the quick start; CI and production set
# DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked"
    # when a transaction that read first wants to write (concurrent requests).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: e-mail login, members are invited (no open sign-up), rate limits.
ACCOUNT_ADAPTER = "beware.accounts.adapters.InviteOnlyAccountAdapter"
ACCOUNT_FORMS = {"login": "beware.accounts.forms.PortalLoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="5/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Beware] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Beware ledenportaal")
# Roles whose users must have MFA before they can use the portal: the
# directie and RvC (DOMAIN), and the staff roles that see all members' private data.
MFA_REQUIRED_GROUPS = ["directie", "rvc", "operationeel-manager", "secretaris"]

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/utrecht", NODE_MODULES / "@utrecht/component-library-css/dist"),
    ("vendor/utrecht-tokens", NODE_MODULES / "@utrecht/design-tokens/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that hangs must not hold a worker or a request for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Beware ledenportaal <noreply@beware.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker when configured; otherwise tasks run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task running when the broker goes away is stopped and handed out again:
# every task is safe to repeat (tests/resilience/test_broker_outage.py). Celery 6's default, set now.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A broker that is down must fail fast, so the directie hears it at once.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE = {
    "betalingsherinneringen": {"task": "invoicing.tasks.send_reminders", "schedule": 24 * 3600},
    "facturen-inhalen": {"task": "invoicing.tasks.catch_up", "schedule": 3600},
    "governance-herinneringen": {"task": "governance.tasks.send_obligation_reminders", "schedule": 24 * 3600},
    "governance-wezen-opruimen": {"task": "governance.tasks.sweep_orphan_files", "schedule": 24 * 3600},
    "schriftelijke-besluiten-sluiten": {"task": "governance.tasks.close_expired_written_polls", "schedule": 3600},
}

# The document register accepts PDF, ODT and DOCX up to this size.
GOVERNANCE_MAX_UPLOAD_BYTES = env.int("GOVERNANCE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# The ALV's notice period in days (DOMAIN.md §5: at least 14 unless the statuten say otherwise).
ALV_OPROEPTERMIJN_DAGEN = env.int("ALV_OPROEPTERMIJN_DAGEN", default=14)

# The e-invoice profile: SI-UBL 2.0 (NLCIUS) or Peppol BIS Billing 3.0 (docs/decisions/0014).
EINVOICE_PROFILE = env("EINVOICE_PROFILE", default="si-ubl-2.0")

# Content-Security-Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# The coöperatie itself, as it appears on agreements and (later) invoices.
COOPERATIE = {
    "naam": env("COOP_NAAM", default="Coöperatie Beware U.A."),
    "adres": env("COOP_ADRES", default="Stadhuisplein 10"),
    "postcode": env("COOP_POSTCODE", default="5611 EM"),
    "plaats": env("COOP_PLAATS", default="Eindhoven"),
    "kvk": env("COOP_KVK", default="68750110"),
    "btw_id": env("COOP_BTW_ID", default="NL857587973B01"),
    "iban": env("COOP_IBAN", default="NL91ABNA0417164300"),
    "email": env("COOP_EMAIL", default="info@beware.example"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# REST API v1 (api/, docs/api.md, docs/decisions/0017): JSON only, token or
# session, errors as application/problem+json.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call gets 401 with WWW-Authenticate: Token.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API van het Beware-ledenportaal",
    "DESCRIPTION": (
        "REST API v1 van het ledenportaal van de coöperatie. Authenticatie met "
        "`Authorization: Token <sleutel>` (een API-sleutel uit het portaal); fouten als "
        '`application/problem+json`; bedragen als tekst met twee decimalen ("18181.82"). '
        "Per sleutel geldt een limiet op het aantal verzoeken; daarboven volgt 429 met Retry-After."
    ),
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "VERSION": "1.0.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.problems.document_shared_problems",
    ],
    # The docs page (/api/v1/docs/) is served from the sidecar's static files: no internet needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# Requests per API key (or per user, for session calls): "aantal/periode",
# periode s, m, h or d (DRF's format). Over it: 429 with Retry-After.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="120/minute")
if not re.fullmatch(r"[0-9]+/[smhd][a-z]*", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT moet de vorm aantal/periode hebben, bijv. 120/minute: {API_RATE_LIMIT!r}."
    )
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
