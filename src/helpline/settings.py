"""Deployment settings. Everything comes from the environment with embedded defaults.

Embedded profile (default): SQLite, in-memory channel layer, database task queue worked inside
the server process. Production profile: set DATABASE_URL (postgres://...) and REDIS_URL.
Workspace policy (business hours, SLAs, mailboxes, ...) lives in the database, not here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HELPLINE_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "helpline.core",
    "helpline.accounts",
    "helpline.customers",
    "helpline.tickets",
    "helpline.search",
    "helpline.webhooks",
    "helpline.portal",
    "helpline.web",
    "helpline.knowledge",
    "helpline.assist",
    "helpline.chat",
    "helpline.messaging",
    "helpline.surveys",
    "helpline.reports",
    "helpline.mail",
    "helpline.workflow",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpline.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpline.accounts.middleware.TwoFactorMiddleware",
    "helpline.accounts.audit_context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helpline.urls"
ASGI_APPLICATION = "helpline.asgi.application"
WSGI_APPLICATION = None

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
                "helpline.web.context_processors.helpline",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'helpline.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = (
        {"NAME": str(DATA_DIR / "test.sqlite3")} if _env_bool("HELPLINE_TEST_SQLITE_FILE", False) else {}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads of the server process for WebSocket consumers' database work, each with its own database
# connection (keep it under the database's connection limit, with the workers' and the HTTP side's).
SYNC_THREADS = int(os.environ.get("SYNC_THREADS", "16"))
# How long (ms) the server's event loop may wait for the GIL while those threads run Python (the
# interpreter's default is 5 ms; 0 keeps it).
SERVER_SWITCH_INTERVAL_MS = float(os.environ.get("SERVER_SWITCH_INTERVAL_MS", "5"))
# Keep the server's garbage-collection pauses short: freeze long-lived objects, collect them fully
# once every 15 minutes (core.gc_policy). Off: CPython's default collector.
SERVER_GC_POLICY = _env_bool("SERVER_GC_POLICY", True)
# Workers (and their mail parse processes) freeze what they loaded at start-up and collect young
# objects less often (core.gc_policy.settle_worker). Off: CPython's default collector.
WORKER_GC_POLICY = _env_bool("WORKER_GC_POLICY", True)
# Each worker readies incoming mail (parse, fold quotes, clean HTML, detect the language) in a
# process of its own beside it, off its interpreter lock (mail.parse_process); off: in a thread.
MAIL_PARSE_PROCESS = _env_bool("HELPLINE_MAIL_PARSE_PROCESS", True)
# Seconds the parse process may spend on a chunk, then on each of its messages alone; a message
# that takes longer (a parser stuck on it) is quarantined with the reason.
MAIL_PARSE_SECONDS = float(os.environ.get("HELPLINE_MAIL_PARSE_SECONDS", "60"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # redis-py 8 reads with a 5 s socket timeout by default, which kills the channel layer's blocking
    # receive (BZPOPMIN) of every idle WebSocket (redis/redis-py#4091, django/channels_redis#422): no
    # read timeout there. Its pool refuses (MaxConnectionsError) beyond max_connections instead of
    # waiting, so a burst of WebSocket connects (each joining groups) needs more than the default 100.
    _redis_host = {
        "address": REDIS_URL,
        "socket_timeout": None,
        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "2000")),
    }
    # Pub/sub by default: a group send is one PUBLISH and messages reach each server process over its
    # subscription, where the list-based layer (REDIS_CHANNEL_LAYER=lists) spends four round trips
    # per group send and one blocking pop per message received, in series on the event loop. Both
    # are best-effort (a socket that is away misses pushes; the widget and pages catch up on reconnect).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "lists": "channels_redis.core.RedisChannelLayer",
            }[os.environ.get("REDIS_CHANNEL_LAYER", "pubsub")],
            "CONFIG": {"hosts": [_redis_host]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_BACKEND = os.environ.get("HELPLINE_TASKS", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default", "outbound", "webhooks", "search"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"
# Failed logins allowed per (username, address) in the window before further attempts are refused.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))

LANG_INFO.setdefault("am", {"bidi": False, "code": "am", "name": "Amharic", "name_local": "አማርኛ"})
LANG_INFO["mn"]["name_local"] = "Монгол"
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("ka", _("Georgian")),
    ("am", _("Amharic")),
    ("mn", _("Mongolian")),
    ("te", _("Telugu")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "helpline.core.staticfiles.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Attachments: the largest single file accepted, and what the bytes may be.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# With no SMTP server configured (the embedded default) outgoing mail is written to files in
# DATA_DIR/outbox, so nothing is lost and a demo needs no mail server.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "support@helpline.localhost")

# An email service provider through django-anymail (`pip install "helpline[anymail]"`), e.g.
# HELPLINE_EMAIL_BACKEND=anymail.backends.postmark.EmailBackend, ANYMAIL_POSTMARK_SERVER_TOKEN=…
# (every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"]) and ANYMAIL_WEBHOOK_SECRET=user:password
# for the delivery-status webhook at /anymail/<esp>/tracking/ and the inbound webhook at
# /anymail/<esp>/inbound/ (mail.provider_inbound; Mailgun also needs ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).
# Agents' replies from mailboxes without SMTP settings then go out through it too, threaded as by SMTP.
MAIL_REPLIES_VIA_EMAIL_BACKEND = bool(os.environ.get("HELPLINE_EMAIL_BACKEND"))
if MAIL_REPLIES_VIA_EMAIL_BACKEND:
    EMAIL_BACKEND = os.environ["HELPLINE_EMAIL_BACKEND"]
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # Every task's start and end at INFO drowns everything else; failures are still logged.
        "django_tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
    },
}
