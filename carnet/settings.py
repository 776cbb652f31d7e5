"""Carnet settings: everything comes from the environment, with safe defaults for the embedded mode."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CARNET_DATA_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("CARNET_DEBUG", False)
# The embedded mode uses a fixed key for local use; `carnet check --deploy` insists on a real one.
DEFAULT_SECRET_KEY = "carnet-insecure-local-key-change-me"
SECRET_KEY = os.environ.get("CARNET_SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("CARNET_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CARNET_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "carnet.accounts",
    "carnet.customers",
    "carnet.documents",
    "carnet.credit",
    "carnet.audit",
    "carnet.integrations",
    "carnet.transfer",
    "carnet.events",
    "carnet.customfields",
    "carnet.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "carnet.web.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carnet.web.csp.CarnetCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "carnet.web.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "carnet.audit.middleware.ActivityMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carnet.urls"
WSGI_APPLICATION = "carnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carnet.web.context_processors.carnet",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'carnet.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=0)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other instead of failing, and take the write lock at BEGIN so that two
    # concurrent writers behave as on PostgreSQL (one waits for the other's commit).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not the in-memory default: concurrency tests need a second connection that waits for the
    # first one's lock, as it does in production. One per process, so that test runs side by side do not
    # share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"carnet-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CARNET_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable server fails the request in seconds (a 503, see carnet/web/middleware.py) instead of
    # holding a worker for the system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# Background work (the daily credit review): Django's tasks interface (the django-tasks backport) with the
# database backend, so it runs on SQLite and PostgreSQL alike with no other server. `carnet worker` runs them.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Webhooks: seconds to connect to an endpoint, and again to read its answer (docs/webhooks.md).
CARNET_WEBHOOK_TIMEOUT = float(os.environ.get("CARNET_WEBHOOK_TIMEOUT", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "customer-list"
LOGOUT_REDIRECT_URL = "login"

# Argon2 for every new or changed password; the others only check older hashes, which Django rehashes with
# Argon2 when their user next signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes watches sign-ins (API tokens do not go through it): after CARNET_LOGIN_FAILURE_LIMIT failures
# for one user name from one address, that pair is refused for CARNET_LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("CARNET_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CARNET_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries made during the lockout are refused without counting: the lock ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "carnet.accounts.views.locked_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("CARNET_TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security of the web UI; docs/security.md explains each choice.
# A session ends SESSION_COOKIE_AGE after sign-in, after CARNET_SESSION_IDLE_MINUTES without a request
# (carnet.web.middleware.SessionTimeoutMiddleware), or when the browser closes.
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("CARNET_SESSION_IDLE_MINUTES", "60")))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts come only from Carnet's own static files (htmx included): no inline script, no eval. Inline styles
# stay allowed, for the width of a meter and the styles htmx adds for its indicators.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Behind HTTPS (CARNET_HTTPS=1): cookies only over HTTPS, HSTS for a year, plain HTTP redirected. A proxy
# that ends TLS must say so with X-Forwarded-Proto: https.
HTTPS = _env_bool("CARNET_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("CARNET_HSTS_INCLUDE_SUBDOMAINS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CARNET_LOG_LEVEL", "WARNING")},
}
