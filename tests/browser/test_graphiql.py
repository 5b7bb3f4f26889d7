"""GraphiQL at /graphql/ in headless Chromium: offline, a query, a live subscription.

The page must load everything from this server (the npm packages installed by
``npm ci``, served from ``/graphql/assets/``): every request it makes goes to
127.0.0.1. Queries are typed into the editor and run with the Run button, as a person
would; the signed-in session authenticates both HTTP and the WebSocket.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlparse

import pytest

from .support import orm, screenshot

pytest.importorskip("playwright", reason="NEEDS PLAYWRIGHT: pip install -e '.[dev]'")
from playwright.sync_api import expect

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"


def open_graphiql(new_page: Any) -> tuple[Any, list[str]]:
    """GraphiQL signed in as alice, and the list of every URL the page requests."""
    page = new_page("alice", "/graphql/")
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    page.reload()  # now with the recorders on, from the first request
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=15_000)
    return page, requested


def type_operation(page: Any, operation: str, *, settle: bool = True) -> None:
    """Replace the editor's text by typing ``operation`` (one line; brackets auto-close)."""
    page.locator(QUERY_EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(operation)
    page.keyboard.press("Escape")  # close an autocompletion hint, if any
    typed = page.evaluate(f"document.querySelector({QUERY_EDITOR!r}).CodeMirror.getValue()")
    assert typed == operation
    if not settle:
        return  # run at once, as a person pressing Ctrl-Enter right after typing
    page.locator('button[aria-label^="Prettify query"]').click()
    # GraphiQL parses the editor's text after a debounce, and its fetcher picks HTTP or
    # the WebSocket from that parse: give it the moment a person would take to click Run.
    page.wait_for_timeout(1000)


def wait_for_response(page: Any, *texts: str, timeout: float = 15_000) -> str:
    page.wait_for_function(
        """([selector, texts]) => {
             const editor = document.querySelector(selector);
             const value = editor ? editor.CodeMirror.getValue() : "";
             return texts.every((text) => value.includes(text));
           }""",
        arg=[RESPONSE, list(texts)],
        timeout=timeout,
    )
    return page.evaluate(f"document.querySelector({RESPONSE!r}).CodeMirror.getValue()")


def assert_only_local(requested: list[str], base_url: str) -> None:
    assert requested, "the page made no request at all"
    local = urlparse(base_url).hostname
    assert local == "127.0.0.1"
    elsewhere = [url for url in requested if urlparse(url).hostname != local]
    assert elsewhere == [], f"GraphiQL reached beyond {local}: {elsewhere}"


def test_graphiql_runs_a_query_offline(base_url, new_page):
    page, requested = open_graphiql(new_page)
    type_operation(page, '{ tasks(ordering: "id", limit: 2) { count results { id title } } }')
    page.locator(".graphiql-execute-button").click()
    result = wait_for_response(page, '"count": 10', '"title": "Design the landing page"')
    assert '"errors"' not in result
    screenshot(page, "graphiql-query.png")
    assert any(url.endswith("/graphql/assets/graphiql.js") for url in requested)
    assert_only_local(requested, base_url)
    assert page.errors == []


def test_graphiql_subscription_receives_a_live_event(live_site, base_url, new_page):
    page, requested = open_graphiql(new_page)
    project = orm(live_site, 'print(Project.objects.get(name="Alice\'s errands").pk)')
    task = orm(live_site, "print(Task.objects.get(title='Book dentist').pk)")
    type_operation(
        page,
        f'subscription {{ tasksChanged(project: "{project}", initial: true) {{ kind id node {{ title status }} }} }}',
    )
    page.locator(".graphiql-execute-button").click()
    # The initial snapshot arrives first: the subscription is registered on the server.
    wait_for_response(page, '"kind": "ADDED"')

    title = f"Renamed while GraphiQL listens {uuid.uuid4().hex[:6]}"
    orm(live_site, f"t = Task.objects.get(pk={task}); t.title = {title!r}; t.save()")
    result = wait_for_response(page, '"kind": "MODIFIED"', f'"title": "{title}"', timeout=5_000)
    assert f'"id": "{task}"' in result
    screenshot(page, "graphiql-subscription.png")

    assert any(url.startswith("ws://127.0.0.1") for url in requested)
    page.locator(".graphiql-execute-button").click()  # stop the subscription
    assert_only_local(requested, base_url)
    assert page.errors == []


def test_graphiql_runs_a_subscription_typed_and_run_at_once_over_the_websocket(
    live_site, base_url, new_page
):
    """Issue 24: GraphiQL's own parse lags behind typing, and its fetcher POSTed the
    subscription ("subscriptions are not allowed when using POST")."""
    page, requested = open_graphiql(new_page)
    project = orm(live_site, 'print(Project.objects.get(name="Alice\'s errands").pk)')
    type_operation(
        page,
        f'subscription {{ tasksChanged(project: "{project}", initial: true) {{ kind id }} }}',
        settle=False,
    )
    page.keyboard.press("Control+Enter")
    result = wait_for_response(page, '"kind": "ADDED"')
    assert "not allowed when using POST" not in result
    assert any(url.startswith("ws://127.0.0.1") for url in requested)
    page.locator(".graphiql-execute-button").click()  # stop the subscription
    assert page.errors == []
