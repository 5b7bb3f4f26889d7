"""Where the URLconf routes a registration, namespaces included.

``reverse("post-list")`` finds a router's route only where the router is included
without a namespace. Projects include routers under one (``include((router.urls,
"api"))``, an ``app_name`` in the app's ``api/urls.py``), so the route's URL name is
looked up among the URLconf's patterns: the one whose view the router made for that
viewset and basename::

    route_url("post", PostViewSet)               # "/api/posts/"
    route_url("post", PostViewSet, "detail", pk="{pk}")   # "/api/posts/%7Bpk%7D/"
    route_url("gone", OtherViewSet)              # None: not routed

The index of the URLconf's patterns is made once per resolver; a URLconf still being
imported (a schema built in urls.py) answers None and is looked at again next time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf, reverse

__all__ = ["route_url"]


def route_url(basename: str, viewset: type, suffix: str = "list", **kwargs: Any) -> str | None:
    """The path of the route ``<basename>-<suffix>`` of ``viewset``, or None."""
    name = f"{basename}-{suffix}"
    try:
        return reverse(_qualified(name, viewset, basename), kwargs=kwargs or None)
    except Exception:  # NoReverseMatch, or the URLconf is being imported
        return None


def _qualified(name: str, viewset: type, basename: str) -> str:
    """``name`` with the namespace it is routed under (``api:post-list``), else as is."""
    resolver = get_resolver(get_urlconf() or settings.ROOT_URLCONF)
    try:
        index = _index(resolver)
    except Exception:  # still being imported: no index yet, and none cached
        return name
    return index.get((viewset, basename, name), name)


@functools.lru_cache(maxsize=8)
def _index(resolver: URLResolver) -> dict[tuple[type, str, str], str]:
    """(viewset, basename, URL name) -> the namespaced URL name, first route first.

    Keyed by the resolver: Django makes a new one when its URL caches are cleared.
    """
    found: dict[tuple[type, str, str], str] = {}
    for pattern, namespace in _patterns(resolver, ()):
        callback = pattern.callback
        viewset = getattr(callback, "cls", None)
        basename = (getattr(callback, "initkwargs", None) or {}).get("basename")
        if viewset is None or basename is None or not pattern.name:
            continue
        qualified = ":".join([*namespace, pattern.name])
        found.setdefault((viewset, basename, pattern.name), qualified)
    return found


def _patterns(
    resolver: URLResolver, namespace: tuple[str, ...]
) -> Iterator[tuple[URLPattern, tuple[str, ...]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield entry, namespace
