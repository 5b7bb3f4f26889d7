"""GraphiQL as a person meets it (issue 14): refusals said at once, a stream of events,
a sign-in link, and an install hint for the user's own project.

sample_site runs on the in-memory channel layer here: the changes the page must hear are
made through the server's own REST API, so no Redis is needed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.servers import SampleSite

from .support import orm, screenshot
from .test_graphiql import QUERY_EDITOR, RESPONSE, type_operation, wait_for_response

pytest.importorskip("playwright", reason="NEEDS PLAYWRIGHT: pip install -e '.[dev]'")
from playwright.sync_api import expect

HEADERS_EDITOR = ".graphiql-editor-tool .CodeMirror"


@pytest.fixture(scope="module")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    """sample_site on the in-memory layer (overrides the Redis one of conftest.py)."""
    with SampleSite(tmp_path_factory.mktemp("graphiql"), database_url=e2e_database_url) as site:
        yield site


def anonymous_page(browser: Any, base_url: str) -> Any:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def set_headers(page: Any, headers: str) -> None:
    page.get_by_role("button", name="Headers").click()
    editor = page.locator(HEADERS_EDITOR).last
    expect(editor).to_be_visible()
    page.evaluate(
        "([selector, text]) => { const all = document.querySelectorAll(selector);"
        " all[all.length - 1].CodeMirror.setValue(text); }",
        [HEADERS_EDITOR, headers],
    )


def test_graphiql_refused_token_is_said_at_once_without_retrying(browser, base_url):
    page = anonymous_page(browser, base_url)
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(base_url + "/graphql/")
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=15_000)
    set_headers(page, '{"Authorization": "Token not-a-real-token"}')
    type_operation(page, "subscription { tasksChanged { kind id } }")
    page.locator(".graphiql-execute-button").click()
    result = wait_for_response(page, "refused these credentials", "4403", timeout=10_000)
    assert '"closeCode": 4403' in result
    screenshot(page, "graphiql-refused-token.png")
    assert len(sockets) == 1  # said at once, not after six blind reconnections
    expect(page.locator(".graphiql-execute-button")).to_be_enabled()  # the run is over
    assert page.errors == []
    page.context.close()


def test_graphiql_subscription_pane_lists_every_event_newest_first(live_site, base_url, new_page):
    page = new_page("alice", "/graphql/")
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=15_000)
    project = orm(live_site, 'print(Project.objects.get(name="Alice\'s errands").pk)')
    task = orm(live_site, "print(Task.objects.get(title='Book dentist').pk)")
    type_operation(
        page,
        f'subscription {{ tasksChanged(project: "{project}", initial: true) '
        "{ kind id node { title } } }",
    )
    page.locator(".graphiql-execute-button").click()
    wait_for_response(page, '"kind": "ADDED"')  # the snapshot: the subscription is live
    tag = uuid.uuid4().hex[:6]
    rest = httpx.Client(
        base_url=base_url, headers={"Authorization": f"Token {live_site.tokens['alice']}"}
    )
    titles = [f"First {tag}", f"Second {tag}", f"Third {tag}"]
    for title in titles:
        response = rest.patch(f"/api/tasks/{task}/", json={"title": title})
        assert response.status_code == 200, response.text
        wait_for_response(page, f'"title": "{title}"', timeout=10_000)
    result = page.evaluate(f"document.querySelector({RESPONSE!r}).CodeMirror.getValue()")
    positions = [result.index(f'"title": "{title}"') for title in titles]
    assert positions == sorted(positions, reverse=True)  # newest first, none dropped
    assert result.count('"kind": "MODIFIED"') == 3
    screenshot(page, "graphiql-event-stream.png")
    page.locator(".graphiql-execute-button").click()  # stop the subscription
    assert page.errors == []


def test_graphiql_sign_in_link_leads_back_signed_in(browser, base_url):
    page = anonymous_page(browser, base_url)
    page.goto(base_url + "/graphql/")
    link = page.locator("#graphiql-login")
    expect(link).to_have_text("sign in", timeout=15_000)
    link.click()
    page.wait_for_url(base_url + "/accounts/login/?next=/graphql/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/graphql/")
    expect(page.locator(".graphiql-logo")).to_contain_text("signed in as bob", timeout=15_000)
    screenshot(page, "graphiql-signed-in.png")
    page.context.close()


def test_graphiql_without_its_scripts_says_what_to_install_in_your_project(browser, base_url):
    page = anonymous_page(browser, base_url)
    page.route("**/graphql/assets/*.js", lambda route: route.abort())
    page.route("https://unpkg.com/**", lambda route: route.abort())
    page.goto(base_url + "/graphql/")
    message = page.locator("#graphiql-assets-missing")
    expect(message).to_be_visible(timeout=15_000)
    expect(message).to_contain_text("Install them in your project")
    expect(message.locator("pre")).to_have_text(
        "npm install --save-exact graphiql@3.8.3 graphql-ws@6.4.2 js-cookie@3.0.5 "
        "react-dom@18.2.0 react@18.2.0"
    )
    expect(message).not_to_contain_text("repository root")
    screenshot(page, "graphiql-assets-missing.png")
    page.context.close()
