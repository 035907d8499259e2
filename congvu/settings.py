"""Settings for Công Vụ, read from the environment with strict parsing.

Every value comes from an environment variable with a documented default that is
safe for a developer's machine. A malformed value raises ``ImproperlyConfigured``
at start-up instead of silently falling back to a default.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from congvu.core.envconfig import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# "development" (the default: DEBUG, runserver) or "production" (hardened; needs SECRET_KEY).
MODE = env_choice("CONGVU_MODE", ("development", "production"), "development")
PRODUCTION = MODE == "production"
DEBUG = env_bool("CONGVU_DEBUG", not PRODUCTION)
DATA_DIR = env_path("CONGVU_DATA_DIR", PROJECT_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the job queue and uploads live here whatever the database

SECRET_KEY = env_secret("CONGVU_SECRET_KEY", required=PRODUCTION, dev_default="dev-only-" + "x" * 50)
ALLOWED_HOSTS = env_list("CONGVU_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CONGVU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "huey.contrib.djhuey",
    "congvu.core",
    "congvu.audit",
    "congvu.accounts",
    "congvu.org",
    "congvu.dossiers",
    "congvu.tasks",
    "congvu.notifications",
    "congvu.evaluation",
    "congvu.feedback",
    "congvu.reports",
    "congvu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the application itself (``congvu serve`` collects them first): no web server to set up.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "congvu.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "congvu.accounts.middleware.ApiTokenMiddleware",
    "congvu.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "congvu.accounts.middleware.PolicyMiddleware",
]

ROOT_URLCONF = "congvu.urls"
WSGI_APPLICATION = "congvu.wsgi.application"

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
                "congvu.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", DATA_DIR / "congvu.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("CONGVU_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: idle timeout (refreshed on every request) and an absolute limit.
SESSION_COOKIE_AGE = env_int("CONGVU_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CONGVU_SESSION_ABSOLUTE_SECONDS = env_int("CONGVU_SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)

# Login throttling (django-axes): 5 failures per account within 30 minutes lock that
# account for 30 minutes; the lock is checked before the password hash is computed.
AXES_FAILURE_LIMIT = env_int("CONGVU_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CONGVU_LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_IPWARE_PROXY_COUNT = env_int("CONGVU_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "static/"
STATIC_ROOT = env_path("CONGVU_STATIC_ROOT", DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"  # hashed names, gzip; needs collectstatic
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env_path("CONGVU_MEDIA_ROOT", DATA_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CONGVU_IMPORT_MAX_BYTES = env_int("CONGVU_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# Background jobs: huey on SQLite (no extra server) by default, Redis in production.
_QUEUE_URL = env_str("CONGVU_QUEUE_URL", "")
HUEY = {
    "name": "congvu",
    "immediate": env_bool("CONGVU_QUEUE_IMMEDIATE", False),
    "results": True,
    "utc": True,
    "consumer": {"workers": env_int("CONGVU_QUEUE_WORKERS", 2, minimum=1), "worker_type": "thread"},
}
if _QUEUE_URL.startswith(("redis://", "rediss://")):
    HUEY |= {"huey_class": "huey.RedisHuey", "url": _QUEUE_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")}

# E-mail of notifications: SMTP when CONGVU_SMTP_HOST is set, else written as files under
# DATA_DIR/outbox (so nothing is lost and an administrator can read what would have gone out).
_SMTP_HOST = env_str("CONGVU_SMTP_HOST", "")
DEFAULT_FROM_EMAIL = env_str("CONGVU_EMAIL_FROM", "congvu@localhost")
if _SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _SMTP_HOST
    EMAIL_PORT = env_int("CONGVU_SMTP_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("CONGVU_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_str("CONGVU_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("CONGVU_SMTP_TLS", True)
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
# The address of this installation, for links in e-mail.
CONGVU_BASE_URL = env_str("CONGVU_BASE_URL", "http://127.0.0.1:8000")
# Evidence files attached to tasks.
CONGVU_EVIDENCE_MAX_BYTES = env_int("CONGVU_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# Security headers; production adds HTTPS-only cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CONGVU_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("CONGVU_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("CONGVU_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("CONGVU_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "WARNING"),
    },
}

CONGVU_DEMO_PASSWORD = env_str("CONGVU_DEMO_PASSWORD", "")

# Provincial overlays of the evaluation rules (folders of YAML rule sets), comma-separated.
CONGVU_RULES_DIRS = [Path(p) for p in env_list("CONGVU_RULES_DIRS", [])]
# The provincial overlay in force for this installation (its id); empty: the national rule set alone.
CONGVU_RULESET = env_str("CONGVU_RULESET", "")
# The feedback deadlines file (a province's corrected copy of congvu/feedback/rules/deadlines.yaml); empty: the shipped one.
CONGVU_FEEDBACK_RULES = env_str("CONGVU_FEEDBACK_RULES", "")
# The service index of Decision 766 (groups, measures, formulas, dated): a province's file, else the shipped one.
CONGVU_SERVICE_INDEX_RULES = env_str("CONGVU_SERVICE_INDEX_RULES", "")
# Reverse proxies in front of the server (their X-Forwarded-For is trusted), and the public portal's limit.
CONGVU_TRUSTED_PROXIES = env_list("CONGVU_TRUSTED_PROXIES", [])
CONGVU_FEEDBACK_RATE_PER_HOUR = env_int("CONGVU_FEEDBACK_RATE_PER_HOUR", 20, minimum=1)
# A cache shared by every worker process, in the database (no extra server); the rate limits count in core_ratecounter.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "congvu_cache",
    }
}
CONGVU_FEEDBACK_MAX_BYTES = env_int("CONGVU_FEEDBACK_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
