"""live_application(): GraphQL over HTTP at /graphql/, GraphiQL, assets, the rest to Django.

In-process through the real ASGI app (httpx's ASGI transport), so routing, the auth
middleware stack, Strawberry's HTTP handling and CSRF all run as on a server.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from sample_site.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]


def client(**headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=application)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def post(
    query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    async with client(**headers) as http:
        return await http.post("/graphql/", json={"query": query, "variables": variables})


@pytest.fixture
def token(board) -> str:
    return Token.objects.create(user=board.alice).key


async def test_post_query_with_token(token):
    response = await post("{ tasks { count } }", Authorization=f"Token {token}")
    assert response.status_code == 200
    assert response.json() == {"data": {"tasks": {"count": 4}}}


async def test_get_query_string(token):
    async with client(Authorization=f"Token {token}") as http:
        response = await http.get("/graphql/", params={"query": "{ users { username } }"})
    assert response.json()["data"]["users"] == [{"username": "alice"}, {"username": "bob"}]


async def test_mutation_over_get_is_refused(token, board):
    async with client(Authorization=f"Token {token}") as http:
        response = await http.get(
            "/graphql/", params={"query": f'mutation {{ deleteTask(id: "{board.backlog.pk}") }}'}
        )
    assert response.status_code == 400
    assert "mutations are not allowed" in response.text.lower()
    from sample_site.board.models import Task

    assert await Task.objects.filter(pk=board.backlog.pk).aexists()


async def test_anonymous_gets_not_authenticated_error(board):
    body = (await post("{ tasks { count } }")).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_syntax_error_is_bad_request_coded(token):
    body = (await post("{ tasks { count ", Authorization=f"Token {token}")).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_unknown_field_is_bad_request_coded(token):
    body = (await post("{ tasks { nope } }", Authorization=f"Token {token}")).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "nope" in body["errors"][0]["message"]


async def test_malformed_json_body_is_400():
    async with client() as http:
        response = await http.post(
            "/graphql/", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert response.status_code == 400


async def test_graphiql_page_for_browsers_sets_csrf_cookie(settings):
    settings.DRF_GRAPHQL_LIVE = {**settings.DRF_GRAPHQL_LIVE, "GRAPHIQL": True}
    async with client() as http:
        response = await http.get("/graphql/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "csrftoken=" in response.headers["set-cookie"]


async def test_unknown_asset_is_404():
    async with client() as http:
        response = await http.get("/graphql/assets/../../settings.py")
    assert response.status_code == 404


async def test_other_paths_go_to_django(token):
    async with client(Authorization=f"Token {token}") as http:
        response = await http.get("/api/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == 4


async def test_session_mutation_needs_csrf_token_like_rest(board):
    from asgiref.sync import sync_to_async

    django_client = Client()
    await sync_to_async(django_client.force_login)(board.alice)
    session = django_client.cookies["sessionid"].value
    query = json.dumps({"query": f'mutation {{ deleteTask(id: "{board.backlog.pk}") }}'})
    cookies = f"sessionid={session}; csrftoken=abcdefghijklmnopqrstuvwxyz012345"
    async with client(cookie=cookies, **{"content-type": "application/json"}) as http:
        refused = (await http.post("/graphql/", content=query)).json()
        assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        assert "CSRF" in refused["errors"][0]["message"]
        allowed = (
            await http.post(
                "/graphql/",
                content=query,
                headers={"x-csrftoken": "abcdefghijklmnopqrstuvwxyz012345"},
            )
        ).json()
    assert allowed == {"data": {"deleteTask": str(board.backlog.pk)}}


async def test_session_multipart_mutation_needs_csrf_token_like_rest(board):
    """Uploads (the multipart request spec) are on: a cross-site form is refused as in REST."""
    from asgiref.sync import sync_to_async

    django_client = Client()
    await sync_to_async(django_client.force_login)(board.alice)
    session = django_client.cookies["sessionid"].value
    operations = json.dumps({"query": f'mutation {{ deleteTask(id: "{board.backlog.pk}") }}'})
    form = {"operations": operations, "map": "{}"}
    cookies = f"sessionid={session}; csrftoken=abcdefghijklmnopqrstuvwxyz012345"
    async with client(cookie=cookies) as http:
        refused = (await http.post("/graphql/", data=form, files={"x": b""})).json()
        assert refused["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        allowed = await http.post(
            "/graphql/", data=form, files={"x": b""},
            headers={"x-csrftoken": "abcdefghijklmnopqrstuvwxyz012345"},
        )  # fmt: skip
    assert allowed.json() == {"data": {"deleteTask": str(board.backlog.pk)}}


async def test_socket_without_connection_init_is_closed_4408(settings):
    from channels.testing import WebsocketCommunicator

    from drf_graphql_live.asgi import live_application
    from sample_site.asgi import django_asgi_app
    from sample_site.schema import schema

    settings.DRF_GRAPHQL_LIVE = {"CONNECTION_INIT_TIMEOUT": 0.2}
    app = live_application(schema, django_asgi_app)
    communicator = WebsocketCommunicator(
        app,
        "/graphql/",
        subprotocols=["graphql-transport-ws"],
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output(3)
    assert (closed["type"], closed["code"]) == ("websocket.close", 4408)


async def test_subscription_limit_per_connection(settings, board):
    from rest_framework.authtoken.models import Token as TokenModel

    from drf_graphql_live.asgi import live_application
    from drf_graphql_live.testing import GraphQLWSClient
    from sample_site.asgi import django_asgi_app
    from sample_site.schema import schema

    key = (await TokenModel.objects.acreate(user=board.alice)).key
    settings.DRF_GRAPHQL_LIVE = {"MAX_SUBSCRIPTIONS_PER_CONNECTION": 1}
    app = live_application(schema, django_asgi_app)
    async with GraphQLWSClient(app, {"Authorization": f"Token {key}"}) as client:
        assert await client.acknowledged()
        await client.subscribe("subscription { tasksChanged { id } }")
        await client.assert_nothing()
        second = await client.subscribe("subscription { usersChanged { id } }")
        message = await client.receive()
        assert (message["id"], message["type"]) == (second, "error")
        assert "limit" in message["payload"][0]["message"]


async def test_subscription_over_http_post_is_refused_clearly(token):
    response = await post(
        "subscription { tasksChanged { kind id } }", Authorization=f"Token {token}"
    )
    assert response.status_code == 400
    assert "subscriptions are not allowed" in response.text


def test_static_files_are_served_while_debug_is_on_as_runserver_does(settings):
    """Issue 24: the README's asgi.py under uvicorn gave an unstyled admin."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from drf_graphql_live.asgi import development_static

    async def django_app(scope, receive, send) -> None:  # pragma: no cover
        raise AssertionError

    settings.DEBUG = True
    assert isinstance(development_static(django_app), ASGIStaticFilesHandler)
    wrapped = ASGIStaticFilesHandler(django_app)
    assert development_static(wrapped) is wrapped  # the demo's own wrapping is kept
    settings.DEBUG = False
    assert development_static(django_app) is django_app
