"""GraphQL as an ordinary Django view (``drf_graphql_live.urls``), as ``runserver`` serves it.

Through Django's test ``Client``, i.e. the WSGI handler: the path ``runserver`` takes.
Before ``drf_graphql_live.urls`` existed, every request here answered 404.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from drf_graphql_live.transport import graphiql

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _graphiql_on(settings):
    settings.DRF_GRAPHQL_LIVE = {**settings.DRF_GRAPHQL_LIVE, "GRAPHIQL": True}


URL = "/graphql/"


def post(client: Client, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_query_answers_under_the_wsgi_handler_with_the_session_user(board):
    client = Client()
    client.force_login(board.alice)
    response = post(client, {"query": '{ tasks(ordering: "title") { count results { title } } }'})
    assert response.status_code == 200, response.content
    tasks = response.json()["data"]["tasks"]
    assert tasks["count"] == 4  # alice's projects only, as over REST
    assert next(task["title"] for task in tasks["results"]) == "Backlog grooming"


def test_query_without_credentials_is_not_authenticated(board):
    response = post(Client(), {"query": "{ tasks { count } }"})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_mutation_with_a_token_needs_no_csrf_token(board):
    token = Token.objects.create(user=board.bob)
    client = Client(enforce_csrf_checks=True)
    mutation = (
        f'mutation {{ createTask(input: {{project: {board.shared.pk}, title: "From runserver"}})'
        " { title assignee } }"
    )
    response = post(client, {"query": mutation}, Authorization=f"Token {token.key}")
    assert response.json() == {
        "data": {"createTask": {"title": "From runserver", "assignee": None}}
    }


def test_session_mutation_without_csrf_token_is_refused(board):
    client = Client(enforce_csrf_checks=True)
    client.force_login(board.alice)
    mutation = (
        f'mutation {{ createTask(input: {{project: {board.shared.pk}, title: "x"}}) {{ id }} }}'
    )
    [error] = post(client, {"query": mutation}).json()["errors"]
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert "CSRF" in error["message"]


def test_session_mutation_with_the_csrf_cookie_succeeds(board):
    client = Client(enforce_csrf_checks=True)
    client.force_login(board.alice)
    client.get(URL, headers={"Accept": "text/html"})  # GraphiQL sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    mutation = (
        f'mutation {{ createTask(input: {{project: {board.shared.pk}, title: "y"}}) {{ title }} }}'
    )
    response = post(client, {"query": mutation}, **{"X-CSRFToken": token})
    assert response.json() == {"data": {"createTask": {"title": "y"}}}


@pytest.mark.parametrize(
    ("body", "status"),
    [("{not json", 400), ('"a string"', 400), ({"query": "subscription { x }"}, 400)],
)
def test_malformed_requests_answer_graphql_shaped_json(board, body, status):
    response = post(Client(), body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_body_over_the_limit_answers_413(board, settings):
    settings.DRF_GRAPHQL_LIVE = {**settings.DRF_GRAPHQL_LIVE, "MAX_REQUEST_BODY_SIZE": 100}
    response = post(Client(), {"query": "{ __typename }", "padding": "x" * 200})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_query_limits_apply_as_over_the_consumer(board):
    aliases = " ".join(f"a{i}: __typename" for i in range(20))
    [error] = post(Client(), {"query": f"{{ {aliases} }}"}).json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_graphiql_page_links_to_the_projects_login_and_names_the_user(board):
    client = Client()
    client.force_login(board.bob)
    response = client.get(URL, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '"loginUrl": "/accounts/login/?next=/graphql/"' in page
    assert '"username": "bob"' in page
    assert "csrftoken" in response.cookies


def test_graphiql_asset_is_served_and_unknown_names_are_json_404(board):
    if graphiql.read_asset("graphiql.css") is None:
        pytest.skip("NEEDS NPM PACKAGES: run `npm ci` (GRAPHIQL_ASSETS_DIR is node_modules/)")
    response = Client().get(URL + "assets/graphiql.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    missing = Client().get(URL + "assets/package.json")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
