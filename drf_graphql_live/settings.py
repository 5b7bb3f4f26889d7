"""``live_settings``: the one object that reads ``settings.DRF_GRAPHQL_LIVE``.

Modelled on DRF's ``api_settings``: every option has a default and a docstring, an
unknown key fails loudly (a typo must not silently fall back to a default), and
``override_settings`` works because the cache is reset on ``setting_changed``::

    from drf_graphql_live.settings import live_settings
    live_settings.PATH            # "/graphql/"
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

__all__ = ["DEFAULTS", "LiveSettingsDict", "live_settings"]


class LiveSettingsDict(TypedDict, total=False):
    """The keys ``DRF_GRAPHQL_LIVE`` accepts."""

    #: Dotted path of the project's schema, for ``manage.py export_schema``.
    SCHEMA: str | None
    #: URL path ``live_application`` serves GraphQL on (HTTP and WebSocket).
    PATH: str
    #: Serve GraphiQL on GET ``PATH`` from a browser.
    GRAPHIQL: bool
    #: A ``node_modules`` directory holding GraphiQL's npm packages (``npm ci``);
    #: when absent, GraphiQL loads from the unpkg CDN.
    GRAPHIQL_ASSETS_DIR: str | None
    #: Accept queries over HTTP GET (mutations are always POST-only).
    ALLOW_QUERIES_VIA_GET: bool
    #: Channel layer alias used to carry change events between processes.
    CHANNEL_LAYER: str
    #: Hide the message of unexpected (non-DRF) exceptions from clients; None follows
    #: ``not settings.DEBUG``.
    MASK_INTERNAL_ERRORS: bool | None
    #: Operations one WebSocket may run at once; the next gets "Subscription limit
    #: reached" (bounds the memory a single client can pin).
    MAX_SUBSCRIPTIONS_PER_CONNECTION: int | None
    #: Seconds a socket may stay open without ``connection_init`` (closed with 4408).
    CONNECTION_INIT_TIMEOUT: float
    #: Seconds between keep-alive messages on the legacy protocol (``ka``), so proxies
    #: do not drop idle sockets; graphql-transport-ws clients ping on their own.
    KEEP_ALIVE_INTERVAL: float | None


DEFAULTS: LiveSettingsDict = {
    "SCHEMA": None,
    "PATH": "/graphql/",
    "GRAPHIQL": True,
    "GRAPHIQL_ASSETS_DIR": None,
    "ALLOW_QUERIES_VIA_GET": True,
    "CHANNEL_LAYER": "default",
    "MASK_INTERNAL_ERRORS": None,
    "MAX_SUBSCRIPTIONS_PER_CONNECTION": 100,
    "CONNECTION_INIT_TIMEOUT": 10.0,
    "KEEP_ALIVE_INTERVAL": 20.0,
}


class LiveSettings:
    """Attribute access to ``DRF_GRAPHQL_LIVE`` with defaults; see :class:`LiveSettingsDict`."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self._user: dict[str, Any] | None = None

    @property
    def user_settings(self) -> dict[str, Any]:
        if self._user is None:
            user = getattr(settings, "DRF_GRAPHQL_LIVE", None) or {}
            unknown = sorted(set(user) - set(DEFAULTS))
            if unknown:
                raise ImproperlyConfigured(
                    f"Unknown key(s) in settings.DRF_GRAPHQL_LIVE: {', '.join(unknown)}. "
                    f"Valid keys: {', '.join(sorted(DEFAULTS))}."
                )
            self._user = dict(user)
        return self._user

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid drf-graphql-live setting: {name!r}")
        if name not in self._cache:
            self._cache[name] = self.user_settings.get(name, DEFAULTS[name])  # type: ignore[literal-required]
        return self._cache[name]

    @property
    def path(self) -> str:
        """``PATH`` normalised to start and end with a slash."""
        return "/" + str(self.PATH).strip("/") + "/"

    @property
    def mask_internal_errors(self) -> bool:
        mask = self.MASK_INTERNAL_ERRORS
        return (not settings.DEBUG) if mask is None else bool(mask)

    def reload(self) -> None:
        self._cache.clear()
        self._user = None


live_settings = LiveSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting in ("DRF_GRAPHQL_LIVE", "DEBUG"):
        live_settings.reload()


setting_changed.connect(_reload)
