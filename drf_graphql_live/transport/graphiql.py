"""The GraphiQL page, with its browser assets served from local npm files when present.

Why this module exists: GraphiQL is a React app shipped through npm. Loading it from a CDN
breaks on air-gapped machines, intranets and in CI (which has no internet), and committing
third-party bundles to this repository is not wanted. So a set-up step in the user's project
(:func:`npm_install_command`; ``npm ci`` in this repository) installs the exact pinned
packages into ``node_modules/``, the ``GRAPHIQL_ASSETS_DIR`` setting points at that
directory, and the page loads every script and stylesheet from ``<graphql path>assets/<name>``.
When a local file is missing the page falls back to the same pinned version on the unpkg
CDN, so a plain ``pip install`` still gets a working page wherever the CDN is reachable;
where neither loads, the page shows that install command.

Everything here is a pure function of the Django settings and the file system: no request,
view or template-engine machinery. The view layer calls :func:`render_graphiql` for
``GET <graphql path>`` and :func:`read_asset` for ``GET <graphql path>assets/<name>``.
Asset names are looked up in the :data:`ASSETS` whitelist, never joined to a path taken from
the client, so no path traversal is possible.
"""

from __future__ import annotations

import functools
import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

__all__ = [
    "ASSETS",
    "Asset",
    "asset_url",
    "assets_dir",
    "login_url",
    "npm_install_command",
    "read_asset",
    "render_graphiql",
]

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
_CDN = "https://unpkg.com"


class Asset(NamedTuple):
    """One browser asset: where it lives in ``node_modules`` and on the CDN."""

    path: str
    """Path relative to the ``node_modules`` directory, with forward slashes."""
    cdn_url: str
    """The same file, same pinned version, on the CDN (used when the local file is absent)."""
    content_type: str
    """The ``Content-Type`` to serve the local file with."""


# Versions here must match the exact pins in package.json (a test checks it).
# The graphiql UMD bundle includes graphql-ws, so `subscriptionUrl` works without loading it.
ASSETS: dict[str, Asset] = {
    "react.js": Asset(
        "react/umd/react.production.min.js",
        f"{_CDN}/react@18.2.0/umd/react.production.min.js",
        _JS,
    ),
    "react-dom.js": Asset(
        "react-dom/umd/react-dom.production.min.js",
        f"{_CDN}/react-dom@18.2.0/umd/react-dom.production.min.js",
        _JS,
    ),
    "js-cookie.js": Asset(
        "js-cookie/dist/js.cookie.min.js",
        f"{_CDN}/js-cookie@3.0.5/dist/js.cookie.min.js",
        _JS,
    ),
    "graphiql.js": Asset(
        "graphiql/graphiql.min.js",
        f"{_CDN}/graphiql@3.8.3/graphiql.min.js",
        _JS,
    ),
    "graphiql.css": Asset(
        "graphiql/graphiql.min.css",
        f"{_CDN}/graphiql@3.8.3/graphiql.min.css",
        _CSS,
    ),
    # The page's own graphql-transport-ws client: GraphiQL's bundled one retries a
    # refused connection (4403) blind and cannot be reached from the page.
    "graphql-ws.js": Asset(
        "graphql-ws/umd/graphql-ws.min.js",
        f"{_CDN}/graphql-ws@6.4.2/umd/graphql-ws.min.js",
        _JS,
    ),
}

_TEMPLATE = ("templates", "drf_graphql_live", "graphiql.html")


def _configured_dir() -> str | os.PathLike[str] | None:
    from ..settings import live_settings

    return live_settings.GRAPHIQL_ASSETS_DIR


def assets_dir() -> Path | None:
    """The configured ``node_modules`` directory, or None when unset or not an existing dir."""
    configured = _configured_dir()
    if not configured:
        return None
    path = Path(configured).expanduser()
    return path if path.is_dir() else None


def _local_file(name: str) -> Path | None:
    """The local file of the whitelisted asset ``name``, or None when it is not installed."""
    asset = ASSETS.get(name)
    base = assets_dir()
    if asset is None or base is None:
        return None
    path = base.joinpath(*asset.path.split("/"))
    return path if path.is_file() else None


def asset_url(name: str, graphql_path: str) -> str:
    """URL the page loads asset ``name`` from: served locally if installed, else the CDN.

    ``graphql_path`` is the GraphQL endpoint's path with its trailing slash (``/graphql/``).
    Raises KeyError for a name not in :data:`ASSETS`.
    """
    asset = ASSETS[name]
    if _local_file(name) is not None:
        return f"{graphql_path}assets/{name}"
    return asset.cdn_url


def read_asset(name: str) -> tuple[bytes, str] | None:
    """Bytes and content type of the whitelisted asset ``name``; None if unknown or missing."""
    path = _local_file(name)
    if path is None:
        return None
    return path.read_bytes(), ASSETS[name].content_type


@functools.cache
def _template() -> str:
    template = resources.files("drf_graphql_live")  # the app's templates/ directory
    for part in _TEMPLATE:  # one part at a time: Python 3.11's MultiplexedPath takes one
        template = template / part
    return template.read_text(encoding="utf-8")


def _csrf_cookie_name() -> str:
    return str(getattr(settings, "CSRF_COOKIE_NAME", None) or "csrftoken")


def _js_string(value: object) -> str:
    """``value`` as a JavaScript literal that is safe inside an inline ``<script>``."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def npm_install_command() -> str:
    """The ``npm install`` that puts every asset, at its pinned version, in a project."""
    packages = sorted({_package_at_version(asset.cdn_url) for asset in ASSETS.values()})
    return "npm install --save-exact " + " ".join(packages)


def _package_at_version(cdn_url: str) -> str:
    return cdn_url[len(_CDN) + 1 :].split("/", 1)[0]  # "graphiql@3.8.3"


def login_url(next_path: str) -> str | None:
    """``LOGIN_URL?next=<next_path>`` when the project's URLconf serves that page, else None.

    GraphiQL uses the browser's session: the page links to the project's own sign-in
    page (the admin's login refuses users who are not staff).
    """
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import resolve_url
    from django.urls import Resolver404, resolve

    target = resolve_url(settings.LOGIN_URL)
    try:
        resolve(target.split("?", 1)[0])
    except Resolver404:
        return None
    return str(redirect_to_login(next_path, target)["Location"])


def render_graphiql(
    graphql_path: str = "/graphql/", *, login_url: str | None = None, username: str | None = None
) -> str:
    """The GraphiQL HTML page for the endpoint at ``graphql_path`` (with trailing slash).

    The page posts queries and mutations to its own URL and runs subscriptions over
    graphql-transport-ws on the same URL (``ws://`` or ``wss://``); see the template.
    ``login_url`` adds a sign-in link (``username``: who is signed in now).
    """
    page = _template()
    for name in ASSETS:
        url = html.escape(asset_url(name, graphql_path), quote=True)
        page = page.replace("{{ asset:" + name + " }}", url)
    page = page.replace("{{ session_js }}", _js_string(_session(login_url, username)))
    page = page.replace("{{ npm_install_js }}", _js_string(npm_install_command()))
    return page.replace("{{ csrf_cookie_name_js }}", _js_string(_csrf_cookie_name()))


def _session(login_url: str | None, username: str | None) -> dict[str, str | None]:
    return {"loginUrl": login_url, "username": username}
