"""What the paperless probe checks once the schema is built: parity, mutations, a stream.

Every check records failures instead of stopping, so one run shows all of them::

    parity(schema, api_router)  # {"lists": {"tags": {"alice": "equal", ...}}, ...}
"""

from __future__ import annotations

from typing import Any

from graphql import get_named_type

from .report import failure

__all__ = ["mutations", "parity", "subscription"]

USERS = ("admin", "alice", "bob")
#: The error code GraphQL answers where REST refuses with this status.
REFUSALS = {401: "NOT_AUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
#: Seconds to wait for the subscription's event (bounded; never a sleep).
EVENT_TIMEOUT = 10


def parity(schema: Any, router: Any) -> dict[str, Any]:
    """GraphQL list (and the detail of its first row) vs REST, per user and endpoint."""
    from django.contrib.auth.models import User

    users = {name: User.objects.get(username=name) for name in USERS}
    lists: dict[str, Any] = {}
    for prefix, viewset, basename in router.registry:
        lists[prefix] = {name: _compare(schema, prefix, viewset, basename, user)
                         for name, user in users.items()}  # fmt: skip
    verdicts = [v for per_user in lists.values() for v in per_user.values()]
    equal = sum(v.startswith("equal") for v in verdicts)
    return {"equal": equal, "checked": len(verdicts), "endpoints": lists}


def _compare(schema: Any, prefix: str, viewset: Any, basename: str, user: Any) -> str:
    from rest_framework.test import APIClient

    from drf_graphql_live.testing import execute, full_selection, rest_to_graphql
    from schema_gen.naming import list_field_name

    field = list_field_name(prefix)
    query_fields = schema._schema.query_type.fields
    if field not in query_fields:
        return "not in schema"
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/{prefix}/")
    item_type, paged = _item_type(schema, query_fields[field])
    selection = full_selection(schema, item_type, depth=2)
    query = (
        f"{{ {field} {{ count results {selection} }} }}" if paged else f"{{ {field} {selection} }}"
    )
    try:
        result = execute(schema, query, user=user)
    except BaseException as exc:
        return "raised " + failure(exc)["cause"]
    if response.status_code >= 400:
        codes = [e.extensions.get("code") for e in result.errors or []]
        same = codes == [REFUSALS.get(response.status_code)]  # refused alike: parity too
        verdict = f"REST {response.status_code}, GraphQL {codes or 'answered'}"
        return f"equal, refused: {verdict}" if same else verdict
    if result.errors:
        return "errors: " + "; ".join(e.message[:120] for e in result.errors[:2])
    expected = response.json()
    got = result.data[field]
    rows, rest_rows = (got["results"], expected["results"]) if paged else (got, expected)
    if paged and got["count"] != expected["count"]:
        return f"count {got['count']} != {expected['count']}"
    want = rest_to_graphql(schema, item_type, rest_rows)
    if rows and isinstance(rows[0], dict):  # objects; a plain ViewSet may list strings
        want = [{**dict.fromkeys(row), **w} for row, w in zip(rows, want, strict=False)]
    if len(rows) != len(rest_rows) or rows != want:
        return f"differs: first {_first_difference(rows, want)}"
    return _compare_detail(schema, prefix, viewset, basename, user, client, rest_rows)


def _compare_detail(
    schema: Any, prefix: str, viewset: Any, basename: str, user: Any, client: Any, rows: Any
) -> str:
    """The detail field of the first listed row vs REST's detail route."""
    from drf_graphql_live.testing import execute, full_selection, rest_to_graphql
    from schema_gen.naming import detail_field_name

    pk = rows[0] if rows and isinstance(rows[0], str) else None  # LogViewSet: log names
    if pk is None and (not rows or not isinstance(rows[0], dict) or "id" not in rows[0]):
        return "equal (list; no row for detail)"
    model = getattr(getattr(viewset, "queryset", None), "model", None)
    field = detail_field_name(prefix, basename, model)
    query_fields = schema._schema.query_type.fields
    if field not in query_fields:
        return f"equal (list); detail {field} not in schema"
    item_type = get_named_type(query_fields[field].type).name
    pk = rows[0]["id"] if pk is None else pk
    selection = full_selection(schema, item_type, depth=2)
    result = execute(schema, f'{{ {field}(id: "{pk}") {selection} }}', user=user)
    response = client.get(f"/api/{prefix}/{pk}/")
    if result.errors or response.status_code >= 400:
        codes = [e.message[:100] for e in result.errors or []]
        return f"detail: REST {response.status_code}, GraphQL {codes or 'answered'}"
    got = result.data[field]
    want = rest_to_graphql(schema, item_type, response.json())
    if isinstance(got, dict):
        want = {**dict.fromkeys(got), **want}
    if got != want:
        return f"detail differs: first {_first_difference([got], [want])}"
    return "equal"


def _item_type(schema: Any, field: Any) -> tuple[str, bool]:
    named = get_named_type(field.type)
    if "results" in getattr(named, "fields", {}) and "count" in named.fields:
        return get_named_type(named.fields["results"].type).name, True
    return named.name, False


def _first_difference(rows: list[Any], want: list[Any]) -> str:
    for row, other in zip(rows, want, strict=False):
        for key in row:
            if row.get(key) != other.get(key):
                return f"{key}: {str(row.get(key))[:60]} != {str(other.get(key))[:60]}"
    return f"{len(rows)} rows != {len(want)}"


def mutations(schema: Any) -> dict[str, Any]:
    """Create, update and delete a tag and a correspondent as alice; each must answer data."""
    from django.contrib.auth.models import User

    from drf_graphql_live.testing import execute

    alice = User.objects.get(username="alice")
    answers: dict[str, Any] = {}
    for singular in ("Tag", "Correspondent"):
        created = execute(
            schema,
            f'mutation {{ create{singular}(input: {{name: "gql {singular}"}}) {{ id name }} }}',
            user=alice,
        )
        answers[f"create{singular}"] = _verdict(created)
        if created.errors or not created.data:
            continue
        pk = created.data[f"create{singular}"]["id"]
        updated = execute(
            schema,
            f'mutation {{ update{singular}(id: "{pk}", input: {{name: "renamed"}}) {{ name }} }}',
            user=alice,
        )
        answers[f"update{singular}"] = _verdict(updated)
        deleted = execute(schema, f'mutation {{ delete{singular}(id: "{pk}") }}', user=alice)
        answers[f"delete{singular}"] = _verdict(deleted)
    return answers


def _verdict(result: Any) -> str:
    if result.errors:
        return "errors: " + "; ".join(e.message[:160] for e in result.errors[:2])
    return "answered"


async def subscription(schema: Any) -> dict[str, Any]:
    """``tagsChanged`` and ``correspondentsChanged`` as alice hear a row she creates."""
    from documents.models import Correspondent, Tag

    return {
        field: await _one_subscription(schema, field, model)
        for field, model in (("tagsChanged", Tag), ("correspondentsChanged", Correspondent))
    }


async def _one_subscription(schema: Any, field: str, model: Any) -> dict[str, Any]:
    """One list subscription over graphql-transport-ws, token-authenticated as alice."""
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User
    from django.core.asgi import get_asgi_application
    from rest_framework.authtoken.models import Token

    from drf_graphql_live.asgi import live_application
    from drf_graphql_live.testing import GraphQLWSClient

    alice = await User.objects.aget(username="alice")
    token, _ = await Token.objects.aget_or_create(user=alice)
    app = live_application(schema, get_asgi_application())
    try:
        async with GraphQLWSClient(app, {"Authorization": f"Token {token.key}"}) as ws:
            if not await ws.acknowledged():
                return {"delivered": False, "why": f"closed {ws.close_code}"}
            op = await ws.subscribe(f"subscription {{ {field} {{ kind id node {{ name }} }} }}")
            await ws.assert_nothing()
            await sync_to_async(model.objects.create)(name=f"streamed {field}", owner=alice)
            payload = await ws.receive_next(op, timeout=EVENT_TIMEOUT)
    except (TimeoutError, AssertionError, Exception) as exc:
        return {"delivered": False, **failure(exc)}
    return {"delivered": "errors" not in payload, "payload": payload}
