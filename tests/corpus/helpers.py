"""What every corpus test does: build one pattern's schema, compare with REST, subscribe.

schema = schema_of("tree")
assert_parity(schema, "Category", graphql(schema, "{ categories ... }")["categories"],
              rest(ann, "/tree/categories/"))
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import strawberry
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from rest_framework.test import APIClient

from drf_graphql_live import build_schema
from drf_graphql_live.asgi import live_application
from drf_graphql_live.testing import GraphQLWSClient, execute, full_selection, rest_to_graphql

from .urls import ROUTERS

__all__ = [
    "assert_parity", "graphql", "list_parity", "rest", "schema_of", "sdl_field",
    "subscription_delivers",
]  # fmt: skip


@functools.cache
def schema_of(pattern: str) -> strawberry.Schema:
    """The schema of one pattern's router (built once; a failure fails only its tests)."""
    return build_schema(ROUTERS[pattern])


def rest(user: Any, url: str, method: str = "get", **kwargs: Any) -> Any:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = getattr(client, method)(url, format="json", **kwargs)
    assert response.status_code < 400, (response.status_code, response.content)
    return response.json() if response.content else None


def graphql(schema: Any, query: str, variables: Any = None, **kwargs: Any) -> Any:
    """The data of a query that must answer without errors."""
    result = execute(schema, query, variables, **kwargs)
    assert result.errors is None, result.errors
    return result.data


def assert_parity(schema: Any, type_name: str, got: Any, expected_rest: Any) -> None:
    """``got`` (GraphQL) equals the REST JSON; a field REST leaves out must be null."""
    if isinstance(expected_rest, list):
        assert isinstance(got, list), got
        assert len(got) == len(expected_rest), (got, expected_rest)
        for one, other in zip(got, expected_rest, strict=True):
            assert_parity(schema, type_name, one, other)
        return
    expected = rest_to_graphql(schema, type_name, expected_rest)
    assert got == {**dict.fromkeys(got), **expected}


def list_parity(
    schema: Any, field: str, type_name: str, url: str, user: Any, **kwargs: Any
) -> None:
    """The list ``field`` and the detail of its first row equal REST's for ``user``."""
    selection = full_selection(schema, type_name)
    got = graphql(schema, f"{{ {field} {selection} }}", user=user, **kwargs)[field]
    assert_parity(schema, type_name, got, rest(user, url, **_rest_headers(kwargs)))


def _rest_headers(kwargs: dict[str, Any]) -> dict[str, Any]:
    headers = kwargs.get("headers") or {}
    return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}


def sdl_field(schema: Any, type_name: str, field: str) -> str:
    """``"name: Type"`` of one field, as the SDL prints it."""
    return f"{field}: {schema._schema.type_map[type_name].fields[field].type}"


async def subscription_delivers(
    schema: Any, subscription: str, token: str, change: Callable[[], Any], **client: Any
) -> dict[str, Any]:
    """Subscribe with ``token``, commit ``change``, return the first event's payload."""
    application = live_application(schema, get_asgi_application())
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}, **client) as ws:
        assert await ws.acknowledged()
        operation = await ws.subscribe(subscription)
        await ws.assert_nothing()  # subscribed before the change commits
        await sync_to_async(change, thread_sensitive=True)()
        return await ws.receive_next(operation)
