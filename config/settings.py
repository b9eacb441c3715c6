"""The one settings module. Every value comes from the environment; the defaults run the demo
on one laptop (SQLite, file-system Celery broker, console email). Setting DATABASE_URL and
REDIS_URL switches to PostgreSQL and Redis with no code change."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TWINNING_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A development key for DEBUG=1 only: it is public, so with DEBUG=0 (production, the default)
# a missing key or this one stops the process instead of signing sessions anyone can forge.
DEMO_SECRET_KEY = "insecure-demo-key-" + "x" * 40
SECRET_KEY = env_str("SECRET_KEY")
if not DEBUG and SECRET_KEY in ("", DEMO_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) must be set to a private random value when DEBUG=0; "
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
SECRET_KEY = SECRET_KEY or DEMO_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by us (WhiteNoise), not from a CDN
    "simple_history",  # the audit trail (common/audit.py)
    "rules",  # object permissions: city teams (common/roles.py)
    "django_countries",  # country names in English and Russian (its catalogue)
    "events",
    "events.feeds",
    "events.web",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Audit trail: who (the request, read when a history row is written, so DRF's token user
    # counts too) and through which interface (from the path).
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'twinning.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Several test runs (developers, CI) may share one PostgreSQL server.
if env_str("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, throttling and Celery broker ----------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Fail-safe: while Redis is down, reads are misses and throttling is off (common/cache.py);
    # short socket timeouts bound what an unreachable host costs a request.
    CACHES = {
        "default": {
            "BACKEND": "common.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis is only a wake-up channel; the database holds the truth (see notifications/).
CELERY_BROKER_URL = REDIS_URL or env_str("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    # The embedded broker is two folders; web and worker processes both need them to exist.
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    # Far-future work is stored as rows with a due time, never as ETAs, so one hour is ample.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 100, minimum=1)
# Import jobs (events/feeds/jobs.py): a running job silent this long is abandoned; a queued
# one unclaimed this long after its publish is published again by the beat's sweeper.
FEEDS_IMPORT_STALE_SECONDS = env_int("FEEDS_IMPORT_STALE_SECONDS", 120, minimum=1)
FEEDS_IMPORT_REPUBLISH_SECONDS = env_int("FEEDS_IMPORT_REPUBLISH_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Twinning calendar <calendar@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
# Programme administrators manage everything; a city team's members act for their cities only
# (common/roles.py). The older "coordinators" group still grants a user on no team the
# administrator's rights, so deployments from before city teams keep working.
COORDINATORS_GROUP = "coordinators"
PROGRAMME_ADMINS_GROUP = "programme administrators"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",  # the object rules of common/roles.py
    "django.contrib.auth.backends.ModelBackend",
]

# --- I18n and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# The short name the programme uses ("США" in Russian), not "United States of America".
COUNTRIES_OVERRIDE = {"US": _("United States")}

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST framework ---------------------------------------------------------------------------
# The admin's History pages are read-only: a revert would write past the services (SEQUENCE,
# the occurrence index, change notices).
SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["common.api.permissions.CoordinatorWriteOrPublicRead"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("ANON_THROTTLE_RATE", "600/minute"),
        # Password guesses on /api/auth/token/, per address.
        "token": env_str("TOKEN_THROTTLE_RATE", "10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Twinning calendar API",
    "DESCRIPTION": "Sister-city events, partnerships, occurrences and anniversaries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ works without internet: the pinned Swagger UI assets ship with the app.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -----------------------------------------------------------------------------------
# Production (DEBUG=0) is HTTPS-only by default: redirect, HSTS and Secure cookies. PLAIN_HTTP=1
# says the site is deliberately served over plain HTTP (an intranet, the demo) and turns all of
# them off; each variable below still overrides its own setting.
_HTTPS_ONLY = not DEBUG and not env_bool("PLAIN_HTTP", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS_ONLY)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _HTTPS_ONLY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _HTTPS_ONLY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS_ONLY else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS_ONLY)
# Preloading is a request to browser vendors that is hard to undo; the operator opts in
# (SECURE_HSTS_PRELOAD=1), so Django's reminder about it is not a deploy failure.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# The load balancer probes /healthz over plain HTTP on the backend port: a redirect to HTTPS
# would read as "down" to most probes (README, "Running at scale").
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Product limits ----------------------------------------------------------------------------
# Upper bound on instances one recurring event may produce in a single expansion.
MAX_OCCURRENCES_PER_EVENT = env_int("MAX_OCCURRENCES_PER_EVENT", 2000, minimum=1)
# Most occurrences one API request may expand (a 400 asks for a narrower window beyond it).
MAX_OCCURRENCES_PER_REQUEST = env_int("MAX_OCCURRENCES_PER_REQUEST", 20000, minimum=1)
# Widest date window (days) the occurrences endpoint accepts.
MAX_OCCURRENCE_WINDOW_DAYS = env_int("MAX_OCCURRENCE_WINDOW_DAYS", 3660, minimum=1)
# The occurrence index (events/occurrence_index/) covers this many days before its build and
# is kept this many days ahead of now by the beat; reads outside it expand recurrences instead.
OCCURRENCE_INDEX_PAST_DAYS = env_int("OCCURRENCE_INDEX_PAST_DAYS", 3700, minimum=1)
OCCURRENCE_INDEX_FUTURE_DAYS = env_int("OCCURRENCE_INDEX_FUTURE_DAYS", 1100, minimum=1)
