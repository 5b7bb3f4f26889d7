"""Helpers for testing a live GraphQL API, ours and our users'.

    from drf_graphql_live.testing import execute
    result = execute(schema, "{ tasks { count } }", user=alice)
    assert result.errors is None

``execute`` runs the operation the way the server does (async resolvers, one thread hop
per root field) but from a synchronous test, so the hop lands on the test's own thread
and database connection: the test transaction is visible and
``django_assert_num_queries`` counts every query.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from graphql import GraphQLEnumType, GraphQLObjectType, get_named_type
from strawberry.types import ExecutionResult

from .request import LiveContext

__all__ = ["execute", "full_selection", "make_context", "rest_to_graphql"]


def make_context(user: Any = None, headers: dict[str, str] | None = None) -> LiveContext:
    """A context for ``user`` (or anonymous), with extra request ``headers``."""
    scope = {
        "type": "http",
        "path": "/graphql/",
        "scheme": "http",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "user": user or AnonymousUser(),
    }
    return LiveContext(scope=scope, headers=dict(headers or {}), enforce_csrf=False)


def execute(
    schema: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: Any = None,
    headers: dict[str, str] | None = None,
) -> ExecutionResult:
    """Run ``query`` as ``user`` (anonymous when None) and return the result."""
    context = make_context(user, headers)
    return async_to_sync(schema.execute)(query, variable_values=variables, context_value=context)


def full_selection(schema: Any, type_name: str, depth: int = 3) -> str:
    """A selection set of every field of ``type_name``, nested types to ``depth``.

    For parity tests: select everything, then compare with the REST JSON.
    """
    graphql_type = schema._schema.type_map[type_name]
    parts = []
    for name, field in graphql_type.fields.items():
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth > 0:
                parts.append(f"{name} {full_selection(schema, inner.name, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def rest_to_graphql(schema: Any, type_name: str, data: Any) -> Any:
    """REST JSON as the GraphQL result shows it: keys camelCased, choices as enum names.

    ``rest_to_graphql(schema, "Task", api_client.get("/api/tasks/1/").json())`` must equal
    the ``task`` of a query selecting every field (:func:`full_selection`).
    """
    if isinstance(data, list):
        return [rest_to_graphql(schema, type_name, item) for item in data]
    graphql_type = schema._schema.type_map[type_name]
    result = {}
    for name, field in graphql_type.fields.items():
        key = _field_key(graphql_type, name)
        if key not in data:
            continue
        result[name] = _convert_value(schema, field.type, data[key])
    return result


def _field_key(graphql_type: Any, graphql_name: str) -> str:
    python_type = graphql_type.extensions.get("strawberry-definition")
    drf_fields = getattr(getattr(python_type, "origin", None), "__drf_fields__", {})
    return drf_fields.get(graphql_name, graphql_name)


def _convert_value(schema: Any, graphql_type: Any, value: Any) -> Any:
    inner = get_named_type(graphql_type)
    if value is None:
        return None
    if isinstance(inner, GraphQLObjectType):
        return rest_to_graphql(schema, inner.name, value)
    if isinstance(inner, GraphQLEnumType):
        names = {definition.value: name for name, definition in inner.values.items()}
        return [names[v] for v in value] if isinstance(value, list) else names[value]
    return value
