"""Subscriptions over HTTP with the real JS clients: ``graphql-sse`` (distinct connections)
and Apollo Client's plain ``HttpLink`` (multipart), each in a Node process, subscribed to
``tasksChanged(initial: true)`` as bob with his DRF token in the ``Authorization`` header.

One uvicorn process on the in-memory channel layer: the changes are made through that
server (REST as alice, a GraphQL mutation), so no Redis is needed. The scripts and the
output format are those of the WebSocket clients (clients/common.mjs).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.browser.support import orm, visible_task_ids
from tests.e2e.servers import SampleSite

from .test_js_clients import SHARED, graphql, run_client

HTTP_CLIENTS = ["graphql-sse", "apollo-multipart"]


@pytest.fixture(scope="module")
def memory_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    """sample_site on SQLite and the in-memory layer (changes go through its server)."""
    with SampleSite(tmp_path_factory.mktemp("http-clients")) as site:
        yield site


@pytest.fixture(scope="module")
def graphql_url(memory_site: SampleSite) -> Iterator[str]:
    with memory_site.server("uvicorn") as url:
        yield url + "/graphql/"


@pytest.fixture
def http_node_modules(node_modules):
    if not (node_modules / "graphql-sse" / "package.json").is_file():
        pytest.fail("node_modules/graphql-sse is missing: run `npm ci`")
    return node_modules


@pytest.mark.parametrize("name", HTTP_CLIENTS)
def test_http_client_receives_snapshot_and_rest_changes(
    name, node, http_node_modules, memory_site, graphql_url
):
    run = uuid.uuid4().hex[:6]
    alice_token = memory_site.tokens["alice"]
    ids = visible_task_ids(memory_site, "bob")
    with run_client(
        node, name, graphql_url, memory_site.tokens["bob"], "--limit", str(len(ids) + 3)
    ) as client:
        assert client.next() == {"type": "query", "data": {"tasks": {"count": len(ids)}}}
        snapshot = [client.event() for _ in ids]
        assert {event["kind"] for event in snapshot} == {"ADDED"}
        assert sorted(int(event["id"]) for event in snapshot) == ids
        first = snapshot[0]

        # A REST call (alice) changes a task bob sees.
        response = httpx.patch(
            graphql_url.replace("/graphql/", f"/api/tasks/{first['id']}/"),
            json={"title": f"REST {run}"},
            headers={"Authorization": f"Token {alice_token}"},
        )
        assert response.status_code == 200, response.text
        event = client.event()
        assert (event["kind"], event["id"], event["node"]["title"]) == (
            "MODIFIED",
            first["id"],
            f"REST {run}",
        )

        # A GraphQL mutation (alice) creates one; then REST deletes it.
        project = orm(memory_site, f"print(Project.objects.get(name={SHARED!r}).pk)")
        created = graphql(
            graphql_url,
            alice_token,
            "mutation($input: TaskInput!) { createTask(input: $input) { id } }",
            input={"project": project, "title": f"Mutation {run}"},
        )["createTask"]["id"]
        event = client.event()
        assert (event["kind"], event["id"]) == ("ADDED", str(created))
        response = httpx.delete(
            graphql_url.replace("/graphql/", f"/api/tasks/{created}/"),
            headers={"Authorization": f"Token {alice_token}"},
        )
        assert response.status_code == 204, response.text
        assert client.event() == {"kind": "REMOVED", "id": str(created), "node": None}

        assert client.next() == {"type": "done"}
        assert client.process.wait(timeout=10) == 0


@pytest.mark.parametrize("name", HTTP_CLIENTS)
def test_http_client_with_a_bad_token_gets_not_authenticated(
    name, node, http_node_modules, graphql_url
):
    with run_client(node, name, graphql_url, "not-a-token") as client:
        line = client.lines.get(timeout=30)
        assert line is not None
        message = json.loads(line)
        assert message["type"] == "error"
        assert "NOT_AUTHENTICATED" in json.dumps(message["data"]), message
        assert client.process.wait(timeout=10) == 1
