"""GRAPHIQL, INTROSPECTION and FIELD_SUGGESTIONS: on in DEBUG, off in production.

Each left unset follows ``settings.DEBUG`` (pytest runs with DEBUG off, as production
does); set, it wins. Read per operation (LiveSchema.get_extensions / process_errors),
so one schema serves both and ``override_settings`` needs no rebuild.
"""

from __future__ import annotations

import httpx
import pytest

from drf_graphql_live.asgi import live_application
from drf_graphql_live.settings import live_settings
from drf_graphql_live.testing import GraphQLWSClient, execute
from sample_site.asgi import application, django_asgi_app
from sample_site.schema import schema

#: Channels closes stale connections around each message: the database is touched.
pytestmark = [pytest.mark.django_db(transaction=True)]

INTROSPECTION = "{ __schema { queryType { name } } }"
#: An unknown argument and an unknown field: graphql-core suggests for both.
MISSPELLED = "{ tasks(statuss: 1) { count } users { usernam } }"


@pytest.fixture
def live(settings):
    """Sets ``DRF_GRAPHQL_LIVE`` keys on top of the sample site's own."""
    base = dict(settings.DRF_GRAPHQL_LIVE)

    def configure(**options: object) -> None:
        settings.DRF_GRAPHQL_LIVE = {**base, **options}

    return configure


def messages(query: str) -> list[str]:
    result = execute(schema, query)
    return [error.message for error in result.errors or []]


def test_developer_aids_follow_debug_when_unset(settings, live):
    live()
    settings.DEBUG = False
    assert (live_settings.graphiql, live_settings.introspection) == (False, False)
    assert live_settings.field_suggestions is False
    settings.DEBUG = True
    assert (live_settings.graphiql, live_settings.introspection) == (True, True)
    assert live_settings.field_suggestions is True


def test_introspection_is_refused_when_debug_off():
    result = execute(schema, INTROSPECTION)
    assert result.data is None
    assert result.errors
    for error in result.errors:  # one per introspection field selected
        assert "introspection has been disabled" in error.message
        assert error.extensions == {"code": "BAD_REQUEST"}


def test_introspection_is_answered_when_debug_on(settings):
    settings.DEBUG = True
    assert execute(schema, INTROSPECTION).data == {"__schema": {"queryType": {"name": "Query"}}}


def test_introspection_setting_wins_over_debug(settings, live):
    live(INTROSPECTION=True)
    assert execute(schema, INTROSPECTION).errors is None
    settings.DEBUG = True
    live(INTROSPECTION=False)
    assert execute(schema, INTROSPECTION).errors


def test_typename_is_answered_when_introspection_off():
    assert execute(schema, "{ __typename }").data == {"__typename": "Query"}


def test_suggestions_are_hidden_when_debug_off():
    found = messages(MISSPELLED)
    assert len(found) == 2
    assert not [m for m in found if "Did you mean" in m]
    assert "Unknown argument 'statuss' on field 'Query.tasks'." in found


def test_suggestions_are_shown_when_debug_on(settings):
    settings.DEBUG = True
    assert all("Did you mean" in m for m in messages(MISSPELLED))


def test_suggestions_setting_wins_over_debug(live):
    live(FIELD_SUGGESTIONS=True)
    assert all("Did you mean" in m for m in messages(MISSPELLED))


async def test_introspection_over_websocket_is_refused_when_debug_off():
    app = live_application(schema, django_asgi_app)
    async with GraphQLWSClient(app) as client:
        assert await client.acknowledged()
        operation = await client.subscribe(INTROSPECTION)
        message = await client.receive()
    assert (message["id"], message["type"]) == (operation, "error")
    assert "introspection has been disabled" in message["payload"][0]["message"]


async def test_graphiql_is_not_served_when_debug_off():
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/graphql/", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
