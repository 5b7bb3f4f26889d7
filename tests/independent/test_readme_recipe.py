"""README "Using it in your project", followed to the letter in a fresh project.

``django-admin startproject`` plus the README's snippets (nothing else but the project's
own ``blog`` app), then a query, a mutation and a subscription through real servers:
``runserver`` (WSGI: HTTP only), ``runserver`` with Daphne installed (WebSockets too)
and uvicorn. Before issue 14 ``runserver`` answered 404 on ``/graphql/``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from .recipe import ROOT, FreshProject, readme_client

EVENT_TIMEOUT = 20.0


def graphql(url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """A query with the README's ``Authorization: Token`` header, as its curl example."""
    response = httpx.post(
        url + "/graphql/",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def query_and_mutation(url: str, token: str, title: str) -> None:
    created = graphql(
        url,
        token,
        "mutation ($t: String!) { createPost(input: {title: $t}) { id title } }",
        t=title,
    )["createPost"]
    posts = graphql(url, token, "{ posts { id title } }")["posts"]
    assert created in posts
    assert httpx.get(url + f"/api/posts/{created['id']}/").json()["title"] == title


async def subscribe_then_create(url: str, token: str, title: str) -> dict[str, Any]:
    """The ADDED event a ``postsChanged`` subscriber hears for a post made over HTTP."""
    ws_url = url.replace("http://", "ws://") + "/graphql/"
    auth = {"Authorization": f"Token {token}"}
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": auth}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT))
        assert ack["type"] == "connection_ack"
        query = "subscription { postsChanged { kind node { title } } }"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0)  # the subscribe is sent before the mutation below
        mutation = {
            "query": "mutation ($t: String!) { createPost(input: {title: $t}) { id } }",
            "variables": {"t": title},
        }
        async with httpx.AsyncClient(headers=auth) as http:
            # A query over the socket first: once it answers, the subscription is live.
            await socket.send(
                json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "{ __typename }"}})
            )
            while json.loads(await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT))["id"] != "2":
                pass
            await http.post(url + "/graphql/", json=mutation)
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT))
            if message.get("id") == "1" and message["type"] == "next":
                return message["payload"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> FreshProject:
    return FreshProject.from_readme(tmp_path_factory.mktemp("fresh"))


def live_check_ids(output: str) -> list[str]:
    return sorted(set(re.findall(r"drf_graphql_live\.\w\d+", output)))


def test_fresh_project_passes_the_packages_checks(project):
    assert live_check_ids(project.manage("check")) == []
    assert live_check_ids(project.manage("migrate", "--noinput")) == []  # issue 24: no W001
    # One process, as the README's comment says; a deployment hears about it.
    assert live_check_ids(project.manage("check", "--deploy")) == ["drf_graphql_live.W001"]


def test_a_wrong_schema_path_is_a_warning_and_migrate_still_runs(project):
    wrong = 'DRF_GRAPHQL_LIVE = {"SCHEMA": "myproject.schemas.schema"}  # a typo'
    with project.settings_added(wrong):
        output = project.manage("migrate", "--noinput")
        assert "drf_graphql_live.W006" in output
        assert "ModuleNotFoundError" in output


def test_a_token_the_settings_do_not_read_is_refused_alike_naming_the_class(project):
    """The README's settings before issue 24: no TokenAuthentication, Token headers sent."""
    without = "REST_FRAMEWORK = {}  # DRF's default classes: Session and Basic"
    with project.settings_added(without), project.server("uvicorn") as url:
        response = httpx.post(
            url + "/graphql/",
            json={"query": "{ posts { id } }"},
            headers={"Authorization": f"Token {project.token}"},
        )
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "NOT_AUTHENTICATED"
        assert "TokenAuthentication" in error["message"]
        code, reason = asyncio.run(refused_socket(url, project.token))
    assert code == 4403
    assert "TokenAuthentication would" in reason


async def refused_socket(url: str, token: str) -> tuple[int, str]:
    ws_url = url.replace("http://", "ws://") + "/graphql/"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        payload = {"Authorization": f"Token {token}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_runserver_serves_queries_mutations_and_graphiql(project):
    with project.server("runserver") as url:
        query_and_mutation(url, project.token, "Hello from runserver")
        page = httpx.get(url + "/graphql/", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "GraphiQL" in page.text


def test_uvicorn_serves_queries_mutations_and_subscriptions(project):
    with project.server("uvicorn") as url:
        query_and_mutation(url, project.token, "Hello from uvicorn")
        # The admin is styled: startproject's DEBUG serves the static files (issue 24).
        css = httpx.get(url + "/static/admin/css/base.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        event = asyncio.run(subscribe_then_create(url, project.token, "Live from uvicorn"))
    assert event == {
        "data": {"postsChanged": {"kind": "ADDED", "node": {"title": "Live from uvicorn"}}}
    }


def test_the_readme_graphql_ws_client_runs_on_node_as_written(project, tmp_path: Path):
    """Issue 24: the snippet failed on Node 20 (no global WebSocket) without ``ws``."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "graphql-ws").is_dir():
        pytest.skip("NEEDS NODE AND NPM PACKAGES: install Node.js 20+ and run `npm ci`")
    snippet = readme_client("graphql-ws").replace("ws://127.0.0.1:8000", "ws://{HOST}")
    snippet = snippet.replace("tasksChanged", "postsChanged")
    with project.server("uvicorn") as url:
        query_and_mutation(url, project.token, "Seen by the Node client")
        script = tmp_path / "client.mjs"
        (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
        script.write_text(
            f"const token = {json.dumps(project.token)};\n"
            "const apply = (change) => { console.log(JSON.stringify(change)); process.exit(0); };\n"
            + snippet.replace("{HOST}", url.removeprefix("http://"))
            + "setTimeout(() => { console.error('no event'); process.exit(1); }, 20000);\n"
        )
        result = subprocess.run(
            [node, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stdout + result.stderr
    change = json.loads(result.stdout.splitlines()[0])
    assert change["kind"] == "ADDED"
    assert change["node"]["title"]


def test_runserver_with_daphne_serves_subscriptions(tmp_path: Path):
    fresh = FreshProject.from_readme(tmp_path, daphne=True)
    with fresh.server("runserver") as url:
        query_and_mutation(url, fresh.token, "Hello from daphne's runserver")
        event = asyncio.run(subscribe_then_create(url, fresh.token, "Live from runserver"))
    assert event["data"]["postsChanged"]["node"] == {"title": "Live from runserver"}
