"""Settings for the demo project.

Everything has a development default so ``python sample_site/manage.py runserver`` works
out of the box (SQLite + in-memory channel layer). Two environment variables switch
it to the multi-process setup described in docs/DESIGN.md ("Scale-out"):

- ``DATABASE_URL``: any database dj-database-url understands (PostgreSQL in practice);
- ``REDIS_URL``: use channels-redis so changes made in one process (a management
  command, another web worker) reach subscribers connected to every other process.
"""

import os
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
REPO_ROOT = BASE_DIR.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", True)

SECRET_KEY = os.environ.get(
    "SECRET_KEY",
    "django-insecure-sample-site-dev-key-do-not-use-in-production",
)

_PROD_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1")
ALLOWED_HOSTS: list[str] = (
    ["*"] if DEBUG else [h.strip() for h in _PROD_HOSTS.split(",") if h.strip()]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # We serve with uvicorn, so "daphne" is deliberately not installed first (it would
    # take over runserver).
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_graphql_live",
    "sample_site.board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sample_site.urls"

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
            ],
        },
    },
]

ASGI_APPLICATION = "sample_site.asgi.application"


def _databases() -> dict[str, dict[str, Any]]:
    """SQLite next to this file (or at SQLITE_PATH), unless DATABASE_URL points elsewhere."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Imported lazily: dj-database-url is only needed for the multi-process setup.
        import dj_database_url

        return {"default": dict(dj_database_url.parse(url, conn_max_age=600))}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH") or BASE_DIR / "db.sqlite3",
            # Several processes (server, management commands) share the file in the demo.
            "OPTIONS": {"timeout": 20},
            # Kept between requests and live evaluations, as for PostgreSQL below: a
            # reconnect per operation is most of a small query's cost.
            "CONN_MAX_AGE": 600,
        }
    }


DATABASES = _databases()

REDIS_URL = os.environ.get("REDIS_URL")

CHANNEL_LAYERS: dict[str, dict[str, Any]] = (
    {
        "default": {
            # Pub/sub, chosen by measurement (benchmarks/channel_layers.py, README
            # "Deploying"): one PUBLISH per change, no per-channel capacity to overflow.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # REDIS_PREFIX keeps separate deployments (or test runs) sharing one Redis
            # from hearing each other's changes.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("REDIS_PREFIX", "asgi")},
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []  # demo passwords are "demo"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The demo's own sign-in page: alice and bob are not staff, so the admin's login refuses them.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header from the first class, so API
    # clients get a proper 401 (not a 403) for missing or bad credentials. The browser
    # (browsable API, GraphiQL) still authenticates with the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Generous on purpose: the throttle is there so the GraphQL layer has one to honour,
    # not to get in the way of demos or benchmarks.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("USER_THROTTLE_RATE", "10000/minute")},
}

DRF_GRAPHQL_LIVE = {
    "SCHEMA": "sample_site.schema.schema",
    "GRAPHIQL_ASSETS_DIR": REPO_ROOT / "node_modules",
    # What we recommend to a process that holds many sockets (README "Performance"):
    # full collections stop rescanning the sockets' objects. DGL_GC_FREEZE=0 turns it
    # off (benchmarks/run.py --gc cpython measures the difference).
    "GC_FREEZE": os.environ.get("DGL_GC_FREEZE", "1") == "1",
}
