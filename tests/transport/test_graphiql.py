"""Tests for the GraphiQL page and its local-or-CDN assets (drf_graphql_live.transport.graphiql)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drf_graphql_live.transport import graphiql
from drf_graphql_live.transport.graphiql import (
    ASSETS,
    asset_url,
    assets_dir,
    read_asset,
    render_graphiql,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
PACKAGE_JSON = REPO_ROOT / "package.json"
_CDN_URL = re.compile(r"https://unpkg\.com/((?:@[^/]+/)?[^/@]+)@([^/]+)/(.+)")


def _install_fake_assets(base: Path, names: list[str] | None = None) -> dict[str, bytes]:
    """Create fake files mirroring the node_modules layout; return their contents by name."""
    contents = {}
    for name in ASSETS if names is None else names:
        path = base / ASSETS[name].path
        path.parent.mkdir(parents=True, exist_ok=True)
        contents[name] = f"/* fake {name} */".encode()
        path.write_bytes(contents[name])
    return contents


@pytest.fixture
def node_modules(settings, tmp_path: Path) -> Path:
    """An empty fake node_modules directory configured as GRAPHIQL_ASSETS_DIR."""
    base = tmp_path / "node_modules"
    base.mkdir()
    settings.DRF_GRAPHQL_LIVE = {"GRAPHIQL_ASSETS_DIR": str(base)}
    return base


def test_assets_table_is_well_formed() -> None:
    for name, asset in ASSETS.items():
        assert "/" not in name
        assert not asset.path.startswith("/")
        assert ".." not in asset.path.split("/")
        assert asset.cdn_url.startswith("https://unpkg.com/")
        assert asset.cdn_url.endswith("/" + asset.path.split("/", 1)[1])
        expected = "text/css" if name.endswith(".css") else "text/javascript"
        assert asset.content_type.startswith(expected)


def test_local_urls_when_files_exist(node_modules: Path) -> None:
    _install_fake_assets(node_modules)

    assert assets_dir() == node_modules
    for name in ASSETS:
        assert asset_url(name, "/graphql/") == f"/graphql/assets/{name}"
        assert asset_url(name, "/api/gql/") == f"/api/gql/assets/{name}"


def test_cdn_fallback_when_files_absent(node_modules: Path) -> None:
    assert assets_dir() == node_modules
    for name, asset in ASSETS.items():
        assert asset_url(name, "/graphql/") == asset.cdn_url


def test_cdn_fallback_per_missing_file(node_modules: Path) -> None:
    _install_fake_assets(node_modules, ["react.js", "graphiql.css"])

    assert asset_url("react.js", "/graphql/") == "/graphql/assets/react.js"
    assert asset_url("graphiql.css", "/graphql/") == "/graphql/assets/graphiql.css"
    assert asset_url("graphiql.js", "/graphql/") == ASSETS["graphiql.js"].cdn_url


def test_cdn_fallback_when_dir_does_not_exist(settings, tmp_path: Path) -> None:
    settings.DRF_GRAPHQL_LIVE = {"GRAPHIQL_ASSETS_DIR": str(tmp_path / "missing")}

    assert assets_dir() is None
    assert asset_url("graphiql.js", "/graphql/") == ASSETS["graphiql.js"].cdn_url
    assert read_asset("graphiql.js") is None


@pytest.mark.parametrize("config", [None, {}, {"GRAPHIQL_ASSETS_DIR": None}])
def test_cdn_fallback_when_not_configured(settings, config: dict | None) -> None:
    if config is None:
        if hasattr(settings, "DRF_GRAPHQL_LIVE"):
            del settings.DRF_GRAPHQL_LIVE
    else:
        settings.DRF_GRAPHQL_LIVE = config

    assert assets_dir() is None
    assert asset_url("react.js", "/graphql/") == ASSETS["react.js"].cdn_url


def test_asset_url_unknown_name_raises(node_modules: Path) -> None:
    with pytest.raises(KeyError):
        asset_url("nope.js", "/graphql/")


def test_read_asset_returns_bytes_and_content_type(node_modules: Path) -> None:
    contents = _install_fake_assets(node_modules)

    for name, asset in ASSETS.items():
        assert read_asset(name) == (contents[name], asset.content_type)


def test_read_asset_missing_file(node_modules: Path) -> None:
    _install_fake_assets(node_modules, ["react.js"])

    assert read_asset("react.js") is not None
    assert read_asset("react-dom.js") is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "package.json",
        "secret.txt",
        "../secret.txt",
        "react/umd/react.production.min.js",
        "graphiql/graphiql.min.js",
        "react.js/../../secret.txt",
        "/etc/passwd",
        "REACT.JS",
    ],
)
def test_read_asset_refuses_unknown_names(node_modules: Path, name: str) -> None:
    # Files that a path-joining implementation would happily serve.
    _install_fake_assets(node_modules)
    (node_modules / "package.json").write_text("{}")
    (node_modules / "secret.txt").write_text("secret")
    (node_modules.parent / "secret.txt").write_text("secret")

    assert read_asset(name) is None


def test_render_page_with_local_assets(node_modules: Path) -> None:
    _install_fake_assets(node_modules)

    page = render_graphiql("/graphql/")

    assert "<title>drf-graphql-live GraphiQL</title>" in page
    assert '<div id="graphiql">' in page
    assert 'document.getElementById("graphiql")' in page
    for name in ASSETS:
        assert f'"/graphql/assets/{name}"' in page
    assert "https://unpkg.com" not in page
    assert "{{" not in page  # every marker substituted


def test_render_page_falls_back_to_cdn(settings) -> None:
    settings.DRF_GRAPHQL_LIVE = {}

    page = render_graphiql()

    for asset in ASSETS.values():
        assert f'"{asset.cdn_url}"' in page
    assert "/assets/" not in page


def test_render_page_fetcher_and_subscription_setup(node_modules: Path) -> None:
    page = render_graphiql()

    # HTTP fetcher and subscriptions both target the page's own URL, without query string.
    assert "GraphiQL.createFetcher(" in page
    assert "url: httpUrl" in page
    assert "wsClient: liveClient" in page  # our graphql-ws client: no blind retries
    assert "url: wsUrl" in page
    assert "retryAttempts: 0" in page
    assert "var httpUrl = loc.origin + loc.pathname;" in page
    assert '(loc.protocol === "https:" ? "wss://" : "ws://") + loc.host + loc.pathname' in page
    # CSRF token from the cookie, via js-cookie, on every HTTP request.
    assert 'var csrfCookieName = "csrftoken";' in page
    assert "window.Cookies.get(csrfCookieName)" in page
    assert 'headers["x-csrftoken"] = token' in page
    assert "fetch: fetchWithCsrf" in page
    # Headers editor on (Authorization: Token ...), schema explained in the default query.
    assert "isHeadersEditorEnabled: true" in page
    assert "defaultQuery: defaultQuery" in page
    assert "Authorization" in page
    assert "createRoot(root).render(" in page


def test_render_page_uses_csrf_cookie_name_setting(settings) -> None:
    settings.CSRF_COOKIE_NAME = 'my</script>"csrf'

    page = render_graphiql()

    assert 'var csrfCookieName = "my\\u003c/script\\u003e\\"csrf";' in page
    assert "my</script>" not in page


def test_render_page_escapes_graphql_path(node_modules: Path) -> None:
    _install_fake_assets(node_modules)

    page = render_graphiql('/g"><script>x</script>/')

    assert "<script>x</script>" not in page
    assert "/g&quot;&gt;&lt;script&gt;x&lt;/script&gt;/assets/react.js" in page


def test_template_is_packaged_next_to_module() -> None:
    template = (
        Path(graphiql.__file__).parents[1] / "templates" / "drf_graphql_live" / "graphiql.html"
    )
    assert template.is_file()


def test_cdn_versions_match_package_json() -> None:
    if not PACKAGE_JSON.is_file():
        pytest.skip(f"{PACKAGE_JSON} not found (not running from a source checkout)")
    pins = json.loads(PACKAGE_JSON.read_text())["dependencies"]

    for name, asset in ASSETS.items():
        match = _CDN_URL.fullmatch(asset.cdn_url)
        assert match, asset.cdn_url
        package, version, rest = match.groups()
        assert asset.path == f"{package}/{rest}", name
        assert pins.get(package) == version, f"{name}: CDN {package}@{version} vs package.json"


def test_installed_node_modules_have_every_asset() -> None:
    if not NODE_MODULES.is_dir():
        pytest.skip(f"{NODE_MODULES} not installed; run `npm ci` at the repository root")

    missing = [a.path for a in ASSETS.values() if not (NODE_MODULES / a.path).is_file()]
    assert not missing, f"assets missing from node_modules (package layout changed?): {missing}"
    # The installed versions are the ones the CDN fallback names (else re-run `npm ci`).
    for asset in ASSETS.values():
        package, version = _CDN_URL.fullmatch(asset.cdn_url).group(1, 2)
        installed = json.loads((NODE_MODULES / package / "package.json").read_text())["version"]
        assert installed == version, f"{package}: installed {installed}, expected {version}"


def test_missing_assets_message_says_what_to_install_in_the_users_project(settings) -> None:
    settings.DRF_GRAPHQL_LIVE = {}

    page = render_graphiql()

    command = graphiql.npm_install_command()
    assert command == (
        "npm install --save-exact graphiql@3.8.3 graphql-ws@6.4.2 js-cookie@3.0.5 "
        "react-dom@18.2.0 react@18.2.0"
    )
    assert json.dumps(command) in page
    assert "Install them in your project" in page
    assert "repository root" not in page


def test_npm_install_command_matches_package_json_pins() -> None:
    pins = json.loads(PACKAGE_JSON.read_text())["dependencies"]
    for package in graphiql.npm_install_command().split()[3:]:
        name, version = package.rsplit("@", 1)
        assert pins[name] == version


def test_login_link_only_when_the_urlconf_serves_login_url(settings) -> None:
    settings.LOGIN_URL = "login"
    assert graphiql.login_url("/graphql/") == "/accounts/login/?next=/graphql/"
    settings.LOGIN_URL = "/nowhere/login/"
    assert graphiql.login_url("/graphql/") is None


def test_session_values_are_escaped_in_the_page(settings) -> None:
    page = render_graphiql(login_url="/login/?next=/graphql/", username="</script><b>")

    assert "</script><b>" not in page
    assert '"username": "\\u003c/script\\u003e\\u003cb\\u003e"' in page
