"""Settings for Mijn HartingBank.

One file: every value that differs between deployments comes from an environment
variable (12-factor). Without any variables set, the portal runs in development mode
on an SQLite database under ``var/`` and writes every mail as a file under ``var/mail/``.
"""

import os
import sys
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a deployment that forgets the variable runs safely. `make run`
# sets DEBUG=1 for development.
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", "pytest" in sys.modules)
# Development and tests get fallbacks (a development key, mail as files, local hosts);
# production gets none of them, and the HTTPS-only settings.
DEVELOPMENT = DEBUG or TESTING

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portal.core",
    "portal.accounts",
    "portal.organizations",
    "portal.locations",
    "portal.ordering",
    "portal.service",
    "portal.support",  # only the migrations of the tables changes, contact and help took over
    "portal.changes",
    "portal.contact",
    "portal.help",
    "portal.reviews",  # access reviews of Accountbeheer (toegangscontrole)
    "portal.casework",
    "portal.backoffice",
    "portal.api",  # API keys, the REST API and SCIM (README, "API and SCIM")
    "portal.scim",
    "portal.site",
    "django.contrib.admin.apps.SimpleAdminConfig",  # the back office's master data (portal.backoffice.admin)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "portal.accounts.apps.UserSessionsConfig",  # allauth.usersessions, leaner at login
]

MIDDLEWARE = [
    # Counts every request, /health/ and /metrics too (README, "Telemetry").
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.core.metrics.MetricsEndpointMiddleware",
    "portal.core.health.HealthCheckMiddleware",
    "portal.core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads (and so stores) the whole body of a POST.
    "portal.core.uploads.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionEndedMiddleware",
    "portal.accounts.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.core.middleware.PrivateCacheMiddleware",
    # Last: requests and their latency per view.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.portal",
                "portal.site.context_processors.menu",
            ],
            # {% url %} in every template keeps the addresses it looked up (kept_url).
            "builtins": ["portal.core.templatetags.kept_url"],
            # {% load i18n %} is Django's, {% translate %} of a constant text kept (kept_i18n).
            "libraries": {"i18n": "portal.core.templatetags.kept_i18n"},
        },
    },
]

# --- Database ---------------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Set up for a web server: write-ahead log, writers take the lock when they start
    # (no upgrade deadlocks), and wait for a lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions --------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # The database cache is shared by every worker process, so rate limits hold
    # across processes without Redis (one statement per write, see portal.core.cache).
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
    SESSION_ENGINE = "portal.core.sessions"  # the database's, taking only keys the portal makes
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Each use of a prepared query (portal/core/prepared.py) is checked against the SQL the
# ORM makes for the same person: on while the tests run.
PREPARED_QUERIES_VERIFY = env_bool("PREPARED_QUERIES_VERIFY", TESTING)

# A session ends after SESSION_IDLE_TIMEOUT seconds without a request (HartingBank's staff:
# STAFF_SESSION_IDLE_TIMEOUT), and SESSION_MAX_AGE seconds after its login at the latest;
# the login page then says so (portal.accounts.middleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
STAFF_SESSION_IDLE_TIMEOUT = int(os.environ.get("STAFF_SESSION_IDLE_TIMEOUT", str(15 * 60)))
SESSION_MAX_AGE = int(os.environ.get("SESSION_MAX_AGE", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_MAX_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT

# --- Authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# The login address is unique among accounts that hold it (a database constraint); an
# invitation of an address that is in use elsewhere does not hold it (accounts.User), and
# the login backend reads only accounts that do.
# And {% load i18n %} names the portal's library on purpose (kept_i18n: Django's, with
# {% translate %} kept), which Django's check of library names taken twice warns of; a test
# (core/tests/test_kept_i18n.py) checks that no other name is.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "templates.W003"]
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.PortalBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

PASSWORD_HASHERS = [
    "portal.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# The customer's FAQ: "Zorg ervoor dat je wachtwoord altijd minimaal 7 tekens lang is."
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "7"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.backoffice.validators.StaffMinimumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link lives one day
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 2**20)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))

# django-allauth: login by e-mail address, no public sign-up, no self-service e-mail change.
ACCOUNT_ADAPTER = "portal.accounts.adapter.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Mijn HartingBank – "
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
ACCOUNT_FORMS = {
    "login": "portal.accounts.forms.LoginForm",
    "change_password": "portal.accounts.forms.PasswordChangeForm",
    "reset_password_from_key": "portal.accounts.forms.PasswordResetKeyForm",
}
# Failed logins: five per account in five minutes, then a longer wait per hour and per
# day (a growing wait); per client address a higher bound so a shared office address
# is not locked out by one person.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_RATE_LIMIT", "5/5m/key,10/h/key,20/d/key,30/5m/ip,100/h/ip"),
    # Logins per client address are counted with the failures (LOGIN_RATE_LIMIT below).
    "login": None,
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    # Accountbeheer: whether an address is in use can be learned by inviting it; these
    # bound how many addresses one administrator can try.
    "accountbeheer_invite": os.environ.get("INVITE_RATE_LIMIT", "100/h/user"),
    "accountbeheer_import": os.environ.get("IMPORT_RATE_LIMIT", "10/h/user"),
    # The contact form: per account, and per client address for visitors.
    "contact": os.environ.get("CONTACT_RATE_LIMIT", "20/h/user"),
    "contact_anonymous": os.environ.get("CONTACT_ANONYMOUS_RATE_LIMIT", "5/h/ip,20/d/ip"),
}
# Logins, right or wrong, per client address: counted in the same rows and query as the
# failed ones (portal/accounts/ratelimits.py), not in the cache as allauth would.
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "60/m/ip")
# The contact form, against automated spam from visitors: sent sooner than this after
# it was shown, or later than this, it is refused (what was typed stays).
CONTACT_FORM_MIN_SECONDS = int(os.environ.get("CONTACT_FORM_MIN_SECONDS", "3"))
CONTACT_FORM_MAX_AGE = int(os.environ.get("CONTACT_FORM_MAX_AGE", str(24 * 3600)))
# Requests per API key (REST and SCIM), per window: "120/m,5000/h" (portal/api/ratelimit.py).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/m,5000/h")
USERSESSIONS_TRACK_ACTIVITY = False  # the last activity is kept by portal.accounts.middleware
# Sensitive actions (making someone an administrator, raising an order limit, inviting,
# changing an e-mail address, two-step login settings) ask for the password or a second
# factor again when the last one is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = int(os.environ.get("REAUTHENTICATION_TIMEOUT", str(5 * 60)))
# Vier ogen: a change waiting for a second administrator is reminded to the administrators
# who can approve it once after this many days, and expires (nothing changes, the one who
# asked is told) after this many.
FOUR_EYES_REMINDER_DAYS = int(os.environ.get("FOUR_EYES_REMINDER_DAYS", "3"))
FOUR_EYES_EXPIRY_DAYS = int(os.environ.get("FOUR_EYES_EXPIRY_DAYS", "14"))

# Two-step login (allauth's mfa): an authenticator app, passkeys and security keys, and
# recovery codes. A passkey logs in on its own; the other two ask for a code after the
# password. Required for HartingBank's staff and for an organization that requires it.
MFA_ADAPTER = "portal.accounts.mfa.PortalMFAAdapter"
# Encrypts the secrets of authenticator apps and recovery codes in the database (and so in
# backups); without it, a key derived from SECRET_KEY. Changing it makes every app's codes fail.
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Mijn HartingBank"
MFA_TOTP_TOLERANCE = 1  # the code before and after too: a phone's clock may be a little off
MFA_RECOVERY_CODE_COUNT = 10
MFA_FORMS = {
    "authenticate": "portal.accounts.mfa.AuthenticateForm",
    "reauthenticate": "portal.accounts.mfa.ReauthenticateForm",
    "add_webauthn": "portal.accounts.mfa.AddWebAuthnForm",
    "activate_totp": "portal.accounts.mfa.ActivateTOTPForm",
}
# WebAuthn needs https, but browsers count http://localhost as secure: allowed in development.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEVELOPMENT
# An organization that requires two-step login gives its people this many days to set it up.
MFA_GRACE_DAYS_CHOICES = (0, 7, 14, 30)
# Behind a load balancer, the number of proxies that append to X-Forwarded-For, so that
# the limits per client address count each client rather than the load balancer (with 0,
# the default, the header is ignored: without a proxy anyone could forge it).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Internationalization ---------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "portal.core.staticfiles.StaticFilesStorage"  # WhiteNoise's, the addresses kept
        )
    },
}

# --- Uploaded files -------------------------------------------------------------------

# Attachments of service requests and contact messages. Never served from here directly:
# a view checks who may see the request and sends the file.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(5 * 2**20)))
ATTACHMENT_MAX_FILES = int(os.environ.get("ATTACHMENT_MAX_FILES", "5"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 2**20

# --- Mail -------------------------------------------------------------------------------

EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    vars().update(dj_email_url.parse(EMAIL_URL))
elif DEVELOPMENT:
    # Each mail as a file, so that someone trying the portal can open its links.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    raise ImproperlyConfigured("EMAIL_URL must be set when DEBUG is off.")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mijn HartingBank <noreply@harting-bank.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CUSTOMER_SERVICE_EMAIL = os.environ.get("CUSTOMER_SERVICE_EMAIL", "onlineklantenservice@harting-bank.nl")
# The number to call when something is urgent (a payment terminal down), shown wherever
# the portal tells people to call and at the foot of every page.
CUSTOMER_SERVICE_PHONE = os.environ.get("CUSTOMER_SERVICE_PHONE", "030 123 45 67")
# Mail goes out through the task queue after the transaction commits; a failed delivery
# is retried with a growing pause, this many times in all.
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
# Seconds the SMTP connection waits for the mail server at each step: a server that
# accepts the connection and never answers must not hold the worker (an EMAIL_URL's
# ?timeout= counts when EMAIL_TIMEOUT is not set).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or vars().get("EMAIL_TIMEOUT") or 20)
# /health/ready/ answers 503 when a message has waited longer than this (or was given up).
MAIL_STUCK_AFTER_MINUTES = int(os.environ.get("MAIL_STUCK_AFTER_MINUTES", "30"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}

# --- Security headers -------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): the portal's pages load only its own scripts,
# styles, images and fonts, with no inline script at all. The one inline style is the
# 500 page's, which stands alone (it must show when nothing else works): allowed by its
# hash (a test checks the hash and that no template has another inline script or style).
CSP_500_STYLE_HASH = "'sha256-gv+9cWqzArRp1Anhe4b6YBRYp2uz1KxXXDCREW6yflU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, CSP_500_STYLE_HASH],
        "img-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEVELOPMENT:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging: nothing personal, only what happened -------------------------------------

# LOG_FORMAT=json: one JSON object per line, and one line per request (portal.access);
# plain text otherwise. Every line carries the request's id (portal.core.logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.core.logs.RequestIdFilter"},
        "route_not_path": {"()": "portal.core.logs.RoutePathFilter"},
    },
    "formatters": {
        "text": {"()": "portal.core.logs.TextFormatter"},
        "json": {"()": "portal.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "route_not_path"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In development the server prints each request itself.
        "portal.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# --- Telemetry: metrics and error reports ------------------------------------------------

# /metrics answers only a request with "Authorization: Bearer <METRICS_TOKEN>"; without
# the variable it is not there (404). PROMETHEUS_MULTIPROC_DIR (prometheus_client's own
# variable) shares the metrics of every process on the machine (README, "Telemetry").
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
# Error reports to Sentry, only with a DSN; nothing personal is sent (portal.core.sentry).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from portal.core.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", ""))

PORT = int(os.environ.get("PORT", "8000"))
# The portal's address, for links in mail that is not sent in answer to a request
# (invitations, notifications). Never taken from the request's Host header.
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{PORT}")
# Only for `make bench`: a bare view behind the same middleware, as the baseline.
BENCH_BARE_VIEW = env_bool("BENCH_BARE_VIEW", False)

FORM_RENDERER = "portal.core.forms.PortalFormRenderer"
