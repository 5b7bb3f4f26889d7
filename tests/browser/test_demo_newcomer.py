"""The demo as a newcomer meets it (issue 14): the admin and the browsable API styled
under uvicorn (static files served, as runserver would; before, neither had CSS).
GraphiQL's link to the demo's sign-in page is tested in test_graphiql_messages.py.

sample_site on the in-memory channel layer (no Redis needed), served by uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.servers import SampleSite

from .support import screenshot

pytest.importorskip("playwright", reason="NEEDS PLAYWRIGHT: pip install -e '.[dev]'")

TRANSPARENT = "rgba(0, 0, 0, 0)"


@pytest.fixture(scope="module")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    """sample_site on the in-memory layer (overrides the Redis one of conftest.py)."""
    with SampleSite(tmp_path_factory.mktemp("demo"), database_url=e2e_database_url) as site:
        yield site


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    yield context.new_page()
    context.close()


def test_admin_and_browsable_api_are_styled_under_uvicorn(page, base_url):
    css = httpx.get(base_url + "/static/admin/css/base.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    page.goto(base_url + "/admin/login/")
    header = page.locator("#header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") != TRANSPARENT
    screenshot(page, "demo-admin-login.png")
    page.goto(base_url + "/api/")
    navbar = page.locator(".navbar").first
    assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") != TRANSPARENT
