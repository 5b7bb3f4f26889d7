"""Browser tests: Debian's Chromium, headless, driven by Python Playwright.

Playwright launches the system browser (``executable_path``); nothing is downloaded
(never run ``playwright install``). sample_site runs under uvicorn in a subprocess on the
Redis channel layer, so changes written by other processes (an ORM script) reach the
pages too. Without Chromium, Playwright, the npm packages or Redis the tests skip with a
loud reason — and fail instead under ``DGL_REQUIRE_SERVICES=1`` (CI).

Screenshots go to ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.servers import SampleSite

from .support import CHROMIUM_ARGS, ROOT, require


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        require(
            "CHROMIUM",
            f"no chromium executable ({os.environ.get('CHROMIUM') or 'chromium on PATH'})",
            "run `apt-get install -y chromium` (or set CHROMIUM=/path/to/chromium)",
        )
    return str(path)


@pytest.fixture(scope="session")
def board_bundle() -> Path:
    """The live board's script, built fresh from sample_site/board/frontend/board.ts."""
    npm = shutil.which("npm")
    if npm is None or not (ROOT / "node_modules" / ".bin" / "esbuild").exists():
        require("NPM PACKAGES", "npm or node_modules/ is missing", "run `npm ci` (or `make setup`)")
    result = subprocess.run(
        [str(npm), "run", "--silent", "build:board"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"npm run build:board failed:\n{result.stdout}{result.stderr}"
    bundle = ROOT / "sample_site" / "board" / "frontend" / "dist" / "board.js"
    assert bundle.is_file()
    return bundle


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("PLAYWRIGHT", "the playwright package is not installed", "pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def live_site(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,
    board_bundle: Path,
    e2e_database_url: str | None,
) -> Iterator[SampleSite]:
    """sample_site on Redis and on ``e2e_database_url`` (a fresh database of its own)."""
    with SampleSite(
        tmp_path_factory.mktemp("browser"), database_url=e2e_database_url, redis_url=redis_url
    ) as site:
        yield site


@pytest.fixture(scope="module")
def base_url(live_site: SampleSite) -> Iterator[str]:
    with live_site.server("uvicorn") as url:
        yield url


@pytest.fixture
def new_page(browser: Any, base_url: str) -> Iterator[Callable[..., Any]]:
    """``new_page(username, path)``: a fresh browser context signed in through the form."""
    contexts: list[Any] = []

    def make(username: str, path: str = "/board/") -> Any:
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught page errors, checked by the tests
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{base_url}/accounts/login/?next={path}")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(base_url + path)
        return page

    yield make
    for context in contexts:
        context.close()
