"""Client interop: the JS clients users run (graphql-ws, urql, Apollo) against a real
sample_site under uvicorn on the Redis channel layer, writers in other processes.

Node and the npm packages (``npm ci``) are needed; without them, or without Redis, the
tests skip with a loud reason, or fail under ``DGL_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import ROOT, require
from tests.e2e.servers import SampleSite


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        require("NODE", "no node on PATH", "install Node.js 20+")
    return str(path)


@pytest.fixture(scope="session")
def node_modules(node: str) -> Path:
    modules = ROOT / "node_modules"
    for package in ("graphql-ws", "ws", "@urql/core", "@apollo/client", "@graphql-codegen/cli"):
        if not (modules / package / "package.json").is_file():
            require("NPM PACKAGES", f"node_modules/{package} is missing", "run `npm ci`")
    return modules


@pytest.fixture(scope="module")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    """sample_site on Redis and on ``e2e_database_url`` (a fresh database of its own)."""
    with SampleSite(
        tmp_path_factory.mktemp("clients"), database_url=e2e_database_url, redis_url=redis_url
    ) as site:
        yield site


@pytest.fixture(scope="module")
def ws_url(live_site: SampleSite) -> Iterator[str]:
    with live_site.server("uvicorn") as url:
        yield url.replace("http://", "ws://") + "/graphql/"
