"""A subscription over graphql-sse from a page in Chromium: ``fetch`` streaming, no
EventSource, no WebSocket, the Django session cookie as the only credential.

sample_site runs here on SQLite and the in-memory layer (this module's ``live_site``
replaces the Redis one of conftest.py): the change is made through the same server.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.servers import SampleSite

from .support import visible_task_ids

QUERY = "subscription { tasksChanged(initial: true) { kind id node { title projectName } } }"

#: Reads the event stream with fetch; every event lands in ``window.sse.events``.
SUBSCRIBE = """
(query) => {
  window.sse = { events: [], error: null, contentType: null };
  (async () => {
    const response = await fetch("/graphql/", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ query }),
    });
    window.sse.contentType = response.headers.get("content-type");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\\r\\n\\r\\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const event = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (event) {
          window.sse.events.push({ event: event[1], data: data && data[1] ? JSON.parse(data[1]) : null });
        }
      }
    }
  })().catch((error) => (window.sse.error = String(error)));
}
"""


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    with SampleSite(tmp_path_factory.mktemp("browser-sse")) as site:
        yield site


def events(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.sse.events")


def test_page_subscription_over_sse_receives_a_rest_change(live_site, base_url, new_page):
    page = new_page("bob", "/api/")  # signed in through the login form: a session cookie
    ids = visible_task_ids(live_site, "bob")
    page.evaluate(SUBSCRIBE, QUERY)
    page.wait_for_function(f"window.sse.events.length >= {len(ids)}", timeout=15_000)
    assert page.evaluate("window.sse.contentType") == "text/event-stream"
    snapshot = [e["data"]["data"]["tasksChanged"] for e in events(page)]
    assert {e["kind"] for e in snapshot} == {"ADDED"}
    assert sorted(int(e["id"]) for e in snapshot) == ids  # bob's tasks, nobody else's

    title = f"From REST {uuid.uuid4().hex[:6]}"
    response = httpx.patch(
        f"{base_url}/api/tasks/{ids[0]}/",
        json={"title": title},
        headers={"Authorization": f"Token {live_site.tokens['alice']}"},
    )
    assert response.status_code == 200, response.text
    page.wait_for_function(f"window.sse.events.length > {len(ids)}", timeout=15_000)
    last = events(page)[-1]
    assert last["event"] == "next"
    assert last["data"]["data"]["tasksChanged"]["kind"] == "MODIFIED"
    assert last["data"]["data"]["tasksChanged"]["node"]["title"] == title
    assert page.evaluate("window.sse.error") is None
    assert page.errors == [], json.dumps(page.errors)
