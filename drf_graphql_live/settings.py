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
    #: Make a viewset (or root field) the generator cannot type an error in
    #: ``build_schema`` instead of a warning that leaves it out (for CI).
    STRICT: bool
    #: URL path ``live_application`` serves GraphQL on (HTTP and WebSocket).
    PATH: str
    #: Serve GraphiQL on GET ``PATH`` from a browser; None follows ``settings.DEBUG``
    #: (the page is of no use without ``INTROSPECTION``).
    GRAPHIQL: bool | None
    #: Answer introspection (``__schema``, ``__type``; ``__typename`` always works);
    #: None follows ``settings.DEBUG``. Off, a client needs the SDL from
    #: ``manage.py export_schema`` for codegen.
    INTROSPECTION: bool | None
    #: "Did you mean ...?" in error messages (they name fields, arguments, types and
    #: enum values, i.e. the schema introspection hides); None follows ``settings.DEBUG``.
    FIELD_SUGGESTIONS: bool | None
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
    #: Deepest nesting of fields an operation may select (``ofType`` excepted); deeper
    #: gets QUERY_TOO_COMPLEX. None: no limit. The introspection query GraphiQL sends
    #: needs 6.
    MAX_QUERY_DEPTH: int | None
    #: Aliased fields a document may hold, those in fragments counted at each use
    #: (aliases multiply the work of one field). None: no limit.
    MAX_ALIASES: int | None
    #: Tokens a document may hold; parsing stops there (on every path, the WebSocket
    #: fast path included). None: no limit.
    MAX_TOKENS: int | None
    #: Estimated values an operation may return: one per field, a list's items times
    #: its page size (``limit``/``pageSize`` if given, else the paginator's default,
    #: capped by its maximum; 10 for a list no paginator bounds). None: no limit.
    MAX_QUERY_COST: int | None
    #: Bytes of an HTTP request body, and of one WebSocket message; larger is refused
    #: before it is read further (HTTP 413; a socket closes with 4400, the legacy
    #: protocol answers ``connection_error``). A document and its variables together
    #: are held to it on every path. None: no limit.
    MAX_REQUEST_BODY_SIZE: int | None
    #: Bytes of a query's or subscription's variables (JSON-encoded), on every
    #: transport: they become the REST query string, which nginx and Apache refuse past
    #: 8 KiB (their default request-line limits). A mutation's variables become the
    #: REST body, bounded by ``MAX_REQUEST_BODY_SIZE``. None: no limit.
    MAX_VARIABLES_SIZE: int | None
    #: Characters of a ``search`` argument that feeds DRF's ``SearchFilter`` (a
    #: browser-safe URL is about 2,000 characters). None: no limit.
    MAX_SEARCH_LENGTH: int | None
    #: Terms in a ``search`` argument, as DRF splits them: each term is one ``Q`` per
    #: search field (100 terms cost about 2 ms of query building, 4,000 cost 110 ms).
    #: None: no limit.
    MAX_SEARCH_TERMS: int | None
    #: Seconds between re-checks of every live subscription's credentials (a session
    #: that expires announces nothing; logout, deleted tokens and deactivated users are
    #: announced at once).
    REAUTHENTICATE_INTERVAL: float
    #: Seconds a socket may stay open without ``connection_init`` (closed with 4408).
    CONNECTION_INIT_TIMEOUT: float
    #: Seconds between keep-alive messages on the legacy protocol (``ka``), so proxies
    #: do not drop idle sockets; graphql-transport-ws clients ping on their own.
    KEEP_ALIVE_INTERVAL: float | None
    #: Seconds a subscription can be resumed with ``after: <cursor>`` after its last
    #: event (or its subscriber's disconnect); older cursors get RESUME_EXPIRED. The
    #: resume log lives in Redis when the channel layer is channels-redis, else in
    #: this process's memory.
    RESUME_WINDOW: float
    #: Keep the garbage collector's full passes off the delivery path: when a quarter
    #: of the subscriptions (at least 100) came or went, and the hub has nothing to
    #: dispatch, collect and ``gc.freeze()`` what lives (mostly the sockets), so later
    #: full collections do not scan it (0.3-0.4 s per 1,000 sockets otherwise). It
    #: changes the whole process's collector, hence off unless asked for.
    GC_FREEZE: bool
    #: How committed writes are seen. ``"auto"``: on PostgreSQL by the database itself
    #: (triggers installed by ``migrate``, see :mod:`drf_graphql_live.capture`), so
    #: ``update()``, bulk writes, raw SQL and other programs are seen too; elsewhere,
    #: and for tables without the triggers, by model signals and the ORM's bulk writes.
    #: ``"signals"``: never install or use triggers.
    CAPTURE: str


DEFAULTS: LiveSettingsDict = {
    "SCHEMA": None,
    "STRICT": False,
    "PATH": "/graphql/",
    "GRAPHIQL": None,
    "INTROSPECTION": None,
    "FIELD_SUGGESTIONS": None,
    "GRAPHIQL_ASSETS_DIR": None,
    "ALLOW_QUERIES_VIA_GET": True,
    "CHANNEL_LAYER": "default",
    "MASK_INTERNAL_ERRORS": None,
    "MAX_SUBSCRIPTIONS_PER_CONNECTION": 100,
    "MAX_QUERY_DEPTH": 10,
    "MAX_ALIASES": 15,
    "MAX_TOKENS": 1_000,
    "MAX_QUERY_COST": 10_000,
    "MAX_REQUEST_BODY_SIZE": 512 * 1024,
    "MAX_VARIABLES_SIZE": 8 * 1024,
    "MAX_SEARCH_LENGTH": 2_048,
    "MAX_SEARCH_TERMS": 100,
    "REAUTHENTICATE_INTERVAL": 60.0,
    "CONNECTION_INIT_TIMEOUT": 10.0,
    "KEEP_ALIVE_INTERVAL": 20.0,
    "RESUME_WINDOW": 120.0,
    "GC_FREEZE": False,
    "CAPTURE": "auto",
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

    @property
    def graphiql(self) -> bool:
        """``GRAPHIQL``, None resolved: on in DEBUG, off in production."""
        return _follow_debug(self.GRAPHIQL)

    @property
    def introspection(self) -> bool:
        """``INTROSPECTION``, None resolved: on in DEBUG, off in production."""
        return _follow_debug(self.INTROSPECTION)

    @property
    def field_suggestions(self) -> bool:
        """``FIELD_SUGGESTIONS``, None resolved: on in DEBUG, off in production."""
        return _follow_debug(self.FIELD_SUGGESTIONS)

    def reload(self) -> None:
        self._cache.clear()
        self._user = None


def _follow_debug(value: bool | None) -> bool:
    """A developer aid left unset is on while developing and off in production."""
    return bool(settings.DEBUG) if value is None else bool(value)


live_settings = LiveSettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting in ("DRF_GRAPHQL_LIVE", "DEBUG"):
        live_settings.reload()


setting_changed.connect(_reload)
