"""Django settings. Every value that an installation may change comes from an environment variable
with a documented default (README, "Configuration")."""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LANTU_VAR_DIR", BASE_DIR.parent / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """LANTU_SECRET_KEY, or generated on first run and kept in var/secret_key (never committed)."""
    if key := os.environ.get("LANTU_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("LANTU_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("LANTU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "ninja",  # its Swagger UI is served from its own static files (no CDN)
    "lantu.core",
    "lantu.regions",
    "lantu.accounts",
    "lantu.ledger",
    "lantu.registry",
    "lantu.standards",
    "lantu.engine",
    "lantu.simulator",
    "lantu.procedures",
    "lantu.matching",
    "lantu.precision",
    "lantu.assistance",
    "lantu.monitoring",
    "lantu.projects",
    "django_tasks",
    "django_tasks_db",
    "lantu.jobs",
    "lantu.stats",
    "lantu.exits",
    "lantu.supervision",
    "axes",  # login lockout after repeated failures
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (CSS, the API docs' Swagger UI) served by the app itself: no web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lantu.core.security.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "lantu.urls"
WSGI_APPLICATION = "lantu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def _database() -> dict[str, Any]:
    """LANTU_DATABASE_URL, default a SQLite file under var/ (WAL mode, see lantu.core.apps)."""
    url = os.environ.get("LANTU_DATABASE_URL", f"sqlite:///{VAR_DIR / 'lantu.sqlite3'}")
    # One persistent connection per worker, checked before reuse (docs/deploy.md: PostgreSQL).
    max_age = int(os.environ.get("LANTU_DB_CONN_MAX_AGE", "600"))
    db: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=True)
    )
    if db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("OPTIONS", {})["connect_timeout"] = 10
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;",
        }
        db["CONN_MAX_AGE"] = 0
        db["TEST"] = {"NAME": os.environ.get("LANTU_TEST_SQLITE", "")}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("LANTU_TIME_ZONE", "Asia/Shanghai")
# A training install: an administrator may run the procedures' clock ahead (lantu.procedures.clock).
LANTU_TRAINING = os.environ.get("LANTU_TRAINING", "0") == "1"
# Household searches per user per window (lantu.registry.throttle); configurable defaults.
LANTU_SEARCH_LIMIT = int(os.environ.get("LANTU_SEARCH_LIMIT", "30"))
LANTU_SEARCH_WINDOW = int(os.environ.get("LANTU_SEARCH_WINDOW", "60"))
# The address villagers reach the public notice pages at (printed with a QR code on notices).
LANTU_PUBLIC_URL = os.environ.get("LANTU_PUBLIC_URL", "")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing one
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic step
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Background jobs (lantu.jobs): Django's task framework with a database queue, run by
# ``lantu worker``. A run whose heartbeat is older than LANTU_JOBS_STALE seconds is failed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LANTU_JOBS_HEARTBEAT = float(os.environ.get("LANTU_JOBS_HEARTBEAT", "2"))
LANTU_JOBS_STALE = float(os.environ.get("LANTU_JOBS_STALE", "60"))

# Behind HTTPS (docs/deploy.md): Secure cookies, HSTS, and the proxy's X-Forwarded-Proto trusted.
HTTPS = os.environ.get("LANTU_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("LANTU_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_SSL_REDIRECT = os.environ.get("LANTU_SSL_REDIRECT", "0") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("LANTU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = int(os.environ.get("LANTU_SESSION_SECONDS", str(8 * 3600)))
# Content-Security-Policy of every response (lantu.core.security); LANTU_CSP="" turns it off.
LANTU_CSP = os.environ.get(
    "LANTU_CSP",
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
)

# Login lockout (django-axes): after LANTU_LOGIN_FAILURES failed logins for one username from one
# address, that pair is locked for LANTU_LOCKOUT_MINUTES; pages and the token API alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the user's region and cadre loaded with the user (one query, not three).
    "lantu.accounts.backends.ModelBackend",
    # Django's own: sessions made before it (and clients naming it) still resolve.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LANTU_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LANTU_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lantu.core.lockout.locked_out"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LANTU_LOG_LEVEL", "WARNING")},
}


def _cache(url: str) -> dict[str, Any]:
    """LANTU_CACHE_URL: the cache every server process shares (the look-up limits, the search
    limit, SMS codes). ``file:///dir`` (default ``var/cache``: shared by the workers of one
    machine), ``db://table`` (shared by several machines; run ``lantu createcachetable`` once),
    ``redis://host:port/n`` (needs the redis package), ``locmem://`` (one process only)."""
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest}


CACHES = {"default": _cache(os.environ.get("LANTU_CACHE_URL", f"file://{VAR_DIR / 'cache'}"))}
# The SMS sender of the monitoring room's phone check (lantu.monitoring.sms): a class with
# send(phone, text); the default writes the message to the log (development, demo).
LANTU_SMS_SENDER = os.environ.get("LANTU_SMS_SENDER", "lantu.monitoring.sms.LogSender")
