"""sample_site under uvicorn with DEBUG=0, as deployed: who may open a socket, and
what the server tells strangers.

Clients without ``Origin`` (Node's ``ws`` under graphql-ws, Python's ``gql``) connect
and authenticate with their token; a page on a foreign origin riding bob's session
cookie is accepted as anonymous, never as bob, with DEBUG on (``ALLOWED_HOSTS = ["*"]``)
as off; a foreign ``Host`` gets 400; HTTP errors, introspection, suggestions and
GraphiQL answer as production should.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import websockets
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.browser.support import ROOT, require

from .servers import SampleSite

#: graphql-ws over Node's ``ws``, which sends no ``Origin``: one query, its result printed.
NODE_CLIENT = """
import { createClient } from "graphql-ws";
import WebSocket from "ws";
const [url, authorization] = process.argv.slice(1);
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0,
  connectionParams: { Authorization: authorization } });
const result = await new Promise((resolve, reject) => {
  let data;
  client.subscribe({ query: "{ tasks { count } }" },
    { next: (r) => (data = r), error: reject, complete: () => resolve(data) });
}).catch((e) => ({ failed: String(e && (e.reason || e.message || e.code || e)) }));
console.log(JSON.stringify(result));
await client.dispose();
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SampleSite, str]]:
    """sample_site with DEBUG=0 (ALLOWED_HOSTS: localhost, 127.0.0.1) and its base URL."""
    with SampleSite(tmp_path_factory.mktemp("production")) as site:
        site.env["DEBUG"] = "0"
        with site.server("uvicorn") as url:
            yield site, url


@pytest.fixture(scope="module")
def bob_session(production: tuple[SampleSite, str]) -> str:
    site, _ = production
    code = (
        "from django.contrib.auth import get_user_model\nfrom django.test import Client\n"
        "client = Client()\nclient.force_login(get_user_model().objects.get(username='bob'))\n"
        "print(client.cookies['sessionid'].value)"
    )
    return site.python(code).strip()


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://") + "/graphql/"


async def count_tasks(ws: websockets.ClientConnection, payload: dict[str, str]) -> dict:
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    query = {"query": "{ tasks { count } }"}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
    return json.loads(await ws.recv())


def test_node_ws_client_without_origin_is_accepted(production):
    site, url = production
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "graphql-ws" / "package.json").is_file():
        require("NODE", "node or node_modules/graphql-ws is missing", "install Node.js, `npm ci`")
    run = subprocess.run(  # from ROOT, the script's imports resolve to ROOT/node_modules
        [str(node), "--input-type=module", "-e", NODE_CLIENT, ws_url(url), f"Token {site.tokens['bob']}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["data"]["tasks"]["count"] > 0, result


async def test_python_gql_client_without_origin_is_accepted(production):
    site, url = production
    transport = WebsocketsTransport(
        url=ws_url(url),
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"Authorization": f"Token {site.tokens['bob']}"},
    )
    async with Client(transport=transport) as session:
        result = await session.execute(gql("{ tasks { count } }"))
    assert result["tasks"]["count"] > 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SampleSite, str]]:
    """sample_site with the demo's defaults: DEBUG on, ALLOWED_HOSTS = ["*"]."""
    with SampleSite(tmp_path_factory.mktemp("demo")) as site:
        site.env["DEBUG"] = "1"
        with site.server("uvicorn") as url:
            yield site, url


def session_of(site: SampleSite, username: str) -> str:
    code = (
        "from django.contrib.auth import get_user_model\nfrom django.test import Client\n"
        f"client = Client()\nclient.force_login(get_user_model().objects.get(username={username!r}))\n"
        "print(client.cookies['sessionid'].value)"
    )
    return site.python(code).strip()


@pytest.mark.parametrize("server", ["production", "demo"])
@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_session_cookie_from_foreign_origin_is_anonymous(request, server, origin):
    site, url = request.getfixturevalue(server)
    async with websockets.connect(
        ws_url(url),
        subprotocols=["graphql-transport-ws"],
        origin=origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session_of(site, 'bob')}"},
    ) as ws:
        answer = await count_tasks(ws, {})
    assert answer["payload"]["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED", answer


def test_foreign_host_is_answered_400(production):
    _, url = production
    response = httpx.post(
        url + "/graphql/", json={"query": "{ __typename }"}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_session_cookie_from_own_origin_is_accepted(production, bob_session):
    _, url = production
    async with websockets.connect(
        ws_url(url),
        subprotocols=["graphql-transport-ws"],
        origin=url,
        additional_headers={"Cookie": f"sessionid={bob_session}"},
    ) as ws:
        answer = await count_tasks(ws, {})
    assert answer["payload"]["data"]["tasks"]["count"] > 0, answer


def test_http_errors_are_json_with_a_code(production):
    _, url = production
    cases = {
        b"[" * 100_000 + b"]" * 100_000: 400,  # was a bare HTTP 500
        b"{not json": 400,
        b'{"query": "subscription { tasksChanged { id } }"}': 400,
    }
    for body, status in cases.items():
        response = httpx.post(
            url + "/graphql/", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_introspection_suggestions_and_graphiql_are_off(production):
    _, url = production
    endpoint = url + "/graphql/"
    introspection = httpx.post(endpoint, json={"query": "{ __schema { types { name } } }"})
    assert "introspection has been disabled" in introspection.json()["errors"][0]["message"]
    misspelled = httpx.post(endpoint, json={"query": "{ users { usernam } }"}).json()
    assert "Did you mean" not in misspelled["errors"][0]["message"]
    page = httpx.get(endpoint, headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
