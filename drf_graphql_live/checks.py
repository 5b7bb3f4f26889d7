"""System checks, so a misconfiguration is reported by ``manage.py check`` with an id.

drf_graphql_live.E001  DRF_GRAPHQL_LIVE has unknown keys
drf_graphql_live.E002  the schema cannot be built, with ``STRICT`` on (for CI)
drf_graphql_live.W006  the project's GraphQL schema cannot be built (or imported)
drf_graphql_live.W001  the in-memory channel layer: changes from other processes are lost
                       (``check --deploy`` only: one development process needs nothing else)
drf_graphql_live.W002  no channel layer: nothing is published
drf_graphql_live.W003  a registered viewset (or a root field of it) is left out of the schema
drf_graphql_live.W004  the URLconf does not serve PATH: ``runserver`` and WSGI answer 404
drf_graphql_live.W005  ASGI_APPLICATION does not route PATH (no WebSocket subscriptions)
drf_graphql_live.W007  PostgreSQL, but watched tables without capture triggers (database checks)
drf_graphql_live.W008  ``manage.py export_schema`` is another app's (strawberry-graphql-django's)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .registry import load_project_schema
from .settings import live_settings

__all__ = [
    "asgi_serves_graphql",
    "check_channel_layer",
    "check_graphql_served",
    "check_in_memory_layer",
    "check_schema",
    "check_settings",
    "urlconf_serves_graphql",
]


@checks.register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001: every key of ``DRF_GRAPHQL_LIVE`` must be a known option."""
    live_settings.reload()
    try:
        live_settings.user_settings  # noqa: B018  (validates)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="drf_graphql_live.E001")]
    return []


@checks.register()
def check_channel_layer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W002: without a channel layer nothing is published."""
    backend = _layer_backend()
    if backend != "":
        return []
    return [
        checks.Warning(
            f"No channel layer {live_settings.CHANNEL_LAYER!r} in CHANNEL_LAYERS: model "
            "changes are not published and subscriptions receive nothing.",
            hint=(
                'One server process: CHANNEL_LAYERS = {"default": {"BACKEND": '
                '"channels.layers.InMemoryChannelLayer"}}; several: '
                'channels_redis.pubsub.RedisPubSubChannelLayer (README "Deploying").'
            ),
            id="drf_graphql_live.W002",
        )
    ]


@checks.register(deploy=True)
def check_in_memory_layer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W001 (``check --deploy``): live updates across processes need a shared layer.

    A deployment check, as Django's own SECURE_* ones: the in-memory layer is right for
    one development process, so ``migrate`` and ``runserver`` do not print it (issue 24).
    """
    backend = _layer_backend()
    if not backend or not backend.endswith("InMemoryChannelLayer"):
        return []
    return [
        checks.Warning(
            "The in-memory channel layer only carries changes made inside the server "
            "process: changes from management commands, workers or other server "
            "processes never reach subscribers.",
            hint=(
                "Use channels_redis.pubsub.RedisPubSubChannelLayer when more than one "
                'process writes (README "Deploying").'
            ),
            id="drf_graphql_live.W001",
        )
    ]


@checks.register(checks.Tags.database)
def check_capture(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """W007 (with the database checks: ``migrate``, ``check --database default``): on
    PostgreSQL every watched table has its capture triggers, or its ``update()``, bulk
    writes and raw SQL go unseen: say so rather than stay silent."""
    from .capture import install
    from .capture.state import supported

    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        try:
            if not supported(alias):
                continue
            missing = install.missing(alias)
        except Exception:  # no schema, no database yet: W006 or migrate says so
            continue
        if missing:
            listed = ", ".join(f"{t} ({why})" for t, why in sorted(missing.items()))
            messages.append(
                checks.Warning(
                    f"Database {alias!r}: {len(missing)} watched table(s) are captured by "
                    f"model signals only: {listed}.",
                    hint="Run `manage.py migrate` (or `manage.py live_capture`) as a role that "
                    "may create triggers; without them QuerySet.update(), raw SQL and other "
                    "programs' writes reach no subscriber.",
                    id="drf_graphql_live.W007",
                )
            )
    return messages


def _layer_backend() -> str | None:
    """The configured layer's BACKEND ("" when there is none), None on bad settings."""
    try:
        alias = live_settings.CHANNEL_LAYER
    except ImproperlyConfigured:
        return None  # E001 reports it
    layers = getattr(settings, "CHANNEL_LAYERS", {}) or {}
    return str(layers.get(alias, {}).get("BACKEND", ""))


@checks.register()
def check_schema(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W006 (E002 with ``STRICT``)/W003: the project's schema builds, and what it left out.

    The schema is the one ``export_schema`` prints (``DRF_GRAPHQL_LIVE["SCHEMA"]``, else
    the one the ROOT_URLCONF builds); a project that builds none is not checked. A schema
    that cannot be built is a warning, not an error: an error would stop ``migrate`` and
    ``runserver`` with a SystemCheckError, and a broken schema never breaks ``migrate``.
    """
    try:
        live_settings.user_settings  # noqa: B018
    except ImproperlyConfigured:
        return []  # E001 reports it
    try:
        schema = load_project_schema()
    except Exception as exc:
        level, code = (checks.ERROR, "E002") if live_settings.STRICT else (checks.WARNING, "W006")
        return [
            checks.CheckMessage(
                level,
                f"The GraphQL schema cannot be built: {type(exc).__name__}: {exc}",
                hint="Run `manage.py export_schema` for the traceback; "
                "DRF_GRAPHQL_LIVE['STRICT'] = True makes this an error (for CI).",
                id=f"drf_graphql_live.{code}",
            )
        ]
    return [
        checks.Warning(
            str(entry),
            hint="Fix it, or set DRF_GRAPHQL_LIVE['STRICT'] = True to make this an error.",
            id="drf_graphql_live.W003",
        )
        for entry in getattr(schema, "skipped", ())
    ]


# Issue 14A: what a project setting the package up can forget (README "Using it in
# your project"). Both look at PATH (DRF_GRAPHQL_LIVE["PATH"], default /graphql/).


@checks.register()
def check_graphql_served(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W004/W005: something serves GraphQL at ``PATH`` under runserver, WSGI and ASGI."""
    try:
        path = live_settings.path
    except ImproperlyConfigured:
        return []  # E001 reports it
    messages: list[checks.CheckMessage] = []
    asgi_ok = True
    dotted = getattr(settings, "ASGI_APPLICATION", None)
    if dotted:
        problem = asgi_problem(dotted, path)
        asgi_ok = problem is None
        if problem is not None:
            messages.append(
                checks.Warning(
                    problem,
                    hint="application = live_application(schema, get_asgi_application()) "
                    'in your asgi.py (README "Using it in your project").',
                    id="drf_graphql_live.W005",
                )
            )
    runserver_is_asgi = asgi_ok and "daphne" in settings.INSTALLED_APPS
    if not runserver_is_asgi and not urlconf_serves_graphql(path):
        messages.append(
            checks.Warning(
                f"No URL pattern serves GraphQL at {path}: runserver and WSGI servers "
                "answer 404 there.",
                hint=f'Add path("{path.strip("/")}/", include("drf_graphql_live.urls")) to '
                "your ROOT_URLCONF's urlpatterns.",
                id="drf_graphql_live.W004",
            )
        )
    return messages


def urlconf_serves_graphql(path: str) -> bool:
    """Whether the ROOT_URLCONF routes ``path`` to :class:`LiveGraphQLView`."""
    from django.urls import Resolver404, resolve

    from .transport.django_view import LiveGraphQLView

    try:
        view = resolve(path).func
    except Resolver404:
        return False
    except Exception:  # a broken URLconf: Django's own checks report it
        return True
    view_class = getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, LiveGraphQLView)


def asgi_problem(dotted: str, path: str) -> str | None:
    """Why the ASGI application ``dotted`` does not route ``path``, or None when it does."""
    from django.utils.module_loading import import_string

    try:
        application = import_string(dotted)
    except Exception as exc:
        return f"ASGI_APPLICATION {dotted!r} cannot be imported: {type(exc).__name__}: {exc}"
    if asgi_serves_graphql(application, path):
        return None
    return (
        f"ASGI_APPLICATION {dotted!r} does not route {path} to live_application(): "
        "WebSocket subscriptions there are refused."
    )


def asgi_serves_graphql(application: Any, path: str, depth: int = 0) -> bool:
    """Whether ``application`` is ``live_application(..., path)``, or wraps one.

    Middlewares keep the app they wrap as ``application``/``app``/``inner`` (Django's
    static-files handler, Starlette's, Channels'); ``ProtocolTypeRouter`` keeps a mapping.
    """
    if getattr(application, "live_graphql_path", None) == path:
        return True
    if depth >= MAX_WRAPPER_DEPTH:
        return False
    inner = [getattr(application, name, None) for name in ("application", "app", "inner")]
    mapping = getattr(application, "application_mapping", None)
    if isinstance(mapping, dict):
        inner.extend(mapping.values())
    return any(asgi_serves_graphql(app, path, depth + 1) for app in inner if app is not None)


#: How many middlewares deep :func:`asgi_serves_graphql` looks for ``live_application``.
MAX_WRAPPER_DEPTH = 8


@checks.register()
def check_export_schema(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W008: ``export_schema`` runs the command of the app listed first in
    ``INSTALLED_APPS``; strawberry-graphql-django has one of that name."""
    from django.core.management import get_commands

    owner = get_commands().get("export_schema")
    if owner in (None, "drf_graphql_live"):
        return []
    return [
        checks.Warning(
            f"manage.py export_schema runs {owner}'s command, not drf_graphql_live's: "
            f"{owner!r} comes before 'drf_graphql_live' in INSTALLED_APPS.",
            hint="Run `manage.py export_live_schema` (the same command), or list "
            f"'drf_graphql_live' before {owner!r} in INSTALLED_APPS.",
            id="drf_graphql_live.W008",
        )
    ]
