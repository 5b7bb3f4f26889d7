"""What the paperless probe checks once the schema is built: parity, mutations, a stream.

Every check records failures instead of stopping, so one run shows all of them::

    parity(schema, api_router)  # {"lists": {"tags": {"alice": "equal", ...}}, ...}
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from typing import Any

from graphql import get_named_type

from .report import failure

__all__ = ["distinct_users", "mutations", "parity", "subscription"]

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


#: Seconds with nothing arriving that count as "nothing was sent" (bounded; never a sleep).
QUIET = 2.0


async def distinct_users(schema: Any) -> dict[str, Any]:
    """``tagsChanged`` on two sockets, alice's and bob's, through a tag's sharing life.

    Each step is one write as alice (the ORM, so signals and ``on_commit`` fire, or
    paperless' REST API); then what each socket received, what each user's REST list
    shows, and whether the two still agree on the tags of this check::

        {"steps": [{"step": "a: ...", "alice": {"events": [...], "rest": [...]}, ...}]}
    """
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User
    from django.core.asgi import get_asgi_application
    from rest_framework.authtoken.models import Token

    from drf_graphql_live.asgi import live_application
    from drf_graphql_live.testing import GraphQLWSClient

    users = {name: await User.objects.aget(username=name) for name in ("alice", "bob")}
    keys = {n: (await Token.objects.aget_or_create(user=u))[0].key for n, u in users.items()}
    app = live_application(schema, get_asgi_application())
    logs = _LogRecords()
    logging.getLogger("drf_graphql_live").addHandler(logs)
    batches = _BatchCounter()
    out: dict[str, Any] = {"steps": [], "batches": batches.calls}
    state = _SharingStory(users, keys)
    query = "subscription { tagsChanged { kind id node { name } } }"
    try:
        async with (
            GraphQLWSClient(app, {"Authorization": f"Token {keys['alice']}"}) as alice_ws,
            GraphQLWSClient(app, {"Authorization": f"Token {keys['bob']}"}) as bob_ws,
        ):
            sockets = {"alice": alice_ws, "bob": bob_ws}
            for name, ws in sockets.items():
                if not await ws.acknowledged():
                    out["why"] = f"{name}'s socket closed {ws.close_code}"
                    return out
            ops = {name: await ws.subscribe(query) for name, ws in sockets.items()}
            for ws in sockets.values():
                await ws.assert_nothing()
            for label, action, expected in state.steps():
                out["steps"].append(await _step(state, sockets, ops, label, action, expected))
    except Exception as exc:
        out["error"] = failure(exc)
    finally:
        logging.getLogger("drf_graphql_live").removeHandler(logs)
        batches.restore()
        await sync_to_async(state.clean_up)()
    out["log"] = logs.records
    verdicts = [step.get(name, {}) for step in out["steps"] for name in ("alice", "bob")]
    out["agreed"] = all(v.get("agrees", False) for v in verdicts)
    out["as_expected"] = all(v.get("as_expected", False) for v in verdicts)
    return out


class _SharingStory:
    """The writes, in order; ``expected``: the kinds each user should hear (None: either)."""

    def __init__(self, users: dict[str, Any], keys: dict[str, str]) -> None:
        self.users, self.keys = users, keys
        self.tags: dict[str, Any] = {}  # "a"/"d" -> the Tag of that part of the story
        self.pks: dict[str, str] = {}  # the same, kept after delete() clears tag.pk
        #: per user, the ids of this check's tags the socket's events leave on the client
        self.seen: dict[str, set[str]] = {name: set() for name in users}

    def ids(self) -> set[str]:
        return set(self.pks.values())

    def steps(self) -> list[tuple[str, Any, dict[str, list[str] | None]]]:
        bob = self.users["bob"]
        view_bob = {"view": {"users": [bob.pk], "groups": []}}
        nobody = {"view": {"users": [], "groups": []}}
        return [
            ("a: ORM create, owned by alice, no grants", lambda: self._create("a"),
             {"alice": ["ADDED"], "bob": []}),
            ("b1: grant bob view only (set_permissions_for_object)",
             lambda: self._grant("a", view_bob),
             {"alice": [], "bob": ["ADDED"]}),  # the permission row is a gate (hub)
            ("b2: tag.save() after the grant", lambda: self.tags["a"].save(),
             {"alice": [], "bob": []}),
            ("c: ORM delete", lambda: self._delete("a"),
             {"alice": ["REMOVED"], "bob": ["REMOVED"]}),
            ("d1: REST POST as alice with set_permissions view bob", self._rest_create,
             {"alice": ["ADDED"], "bob": ["ADDED"]}),
            ("d2: revoke bob's view only (set_permissions_for_object)",
             lambda: self._grant("d", nobody),
             {"alice": [], "bob": ["REMOVED"]}),
            ("d3: tag.save() after the revoke", lambda: self.tags["d"].save(),
             {"alice": [], "bob": []}),
            ("d4: ORM delete", lambda: self._delete("d"),
             {"alice": ["REMOVED"], "bob": []}),
            # What d1's POST does (save, then grant), with the grant committed only after
            # the server evaluated the save: as when REST and WebSockets are two processes.
            ("e1: ORM create, owned by alice (the POST's save)", lambda: self._create("e"),
             {"alice": ["ADDED"], "bob": []}),
            ("e2: grant bob view after e1 was evaluated (the POST's grant)",
             lambda: self._grant("e", view_bob),
             {"alice": [], "bob": ["ADDED"]}),
            ("e3: ORM delete", lambda: self._delete("e"),
             {"alice": ["REMOVED"], "bob": ["REMOVED"]}),
            # The grant and revoke announced by hand (the package's publish_changes).
            ("f1: ORM create, owned by alice", lambda: self._create("f"),
             {"alice": ["ADDED"], "bob": []}),
            ("f2: grant bob view + publish_changes(Tag, [pk])",
             lambda: self._grant("f", view_bob, announce=True),
             {"alice": [], "bob": ["ADDED"]}),
            ("f3: revoke bob's view + publish_changes(Tag, [pk])",
             lambda: self._grant("f", nobody, announce=True),
             {"alice": [], "bob": ["REMOVED"]}),
            ("f4: ORM delete", lambda: self._delete("f"),
             {"alice": ["REMOVED"], "bob": []}),
        ]  # fmt: skip

    def _create(self, part: str) -> None:
        from documents.models import Tag

        self.tags[part] = Tag.objects.create(name=f"distinct {part}", owner=self.users["alice"])
        self.pks[part] = str(self.tags[part].pk)

    def _grant(self, part: str, permissions: dict[str, Any], *, announce: bool = False) -> None:
        from documents.permissions import set_permissions_for_object

        from drf_graphql_live.signals import publish_changes

        set_permissions_for_object(permissions, self.tags[part])
        if announce:
            publish_changes(type(self.tags[part]), [self.tags[part].pk])

    def _delete(self, part: str) -> None:
        self.tags[part].delete()

    def _rest_create(self) -> None:
        from documents.models import Tag
        from rest_framework.test import APIClient

        body = {
            "name": "distinct d",
            "set_permissions": {
                "view": {"users": [self.users["bob"].pk], "groups": []},
                "change": {"users": [], "groups": []},
            },
        }
        client = APIClient()
        response = client.post(
            "/api/tags/", body, format="json", HTTP_AUTHORIZATION=f"Token {self.keys['alice']}"
        )
        assert response.status_code == 201, (response.status_code, response.content[:300])
        self.tags["d"] = Tag.objects.get(pk=response.json()["id"])
        self.pks["d"] = str(self.tags["d"].pk)

    def rest(self, name: str) -> tuple[int, set[str]]:
        """The ids of this check's tags in ``name``'s ``GET /api/tags/``."""
        from rest_framework.test import APIClient

        response = APIClient().get(
            "/api/tags/",
            {"page_size": 100000},
            HTTP_AUTHORIZATION=f"Token {self.keys[name]}",
        )
        if response.status_code != 200:
            return response.status_code, set()
        listed = {str(row["id"]) for row in response.json()["results"]}
        return 200, listed & self.ids()

    def clean_up(self) -> None:
        from documents.models import Tag

        Tag.objects.filter(name__startswith="distinct ").delete()


async def _step(
    story: _SharingStory,
    sockets: dict[str, Any],
    ops: dict[str, str],
    label: str,
    action: Any,
    expected: dict[str, list[str] | None],
) -> dict[str, Any]:
    """Run one write, then per user: the events, the REST list, and whether they agree."""
    from asgiref.sync import sync_to_async

    loop = asyncio.get_running_loop()
    started = loop.time()
    record: dict[str, Any] = {"step": label}
    try:
        await sync_to_async(action)()
    except Exception as exc:
        record["write_error"] = failure(exc)
    record["write_ms"] = round((loop.time() - started) * 1000, 1)
    written = loop.time()
    heard = await asyncio.gather(
        *(_events(sockets[name], ops[name], bool(expected[name]), written) for name in sockets)
    )
    for name, events in zip(sockets, heard, strict=True):
        for event in events:
            if event.get("kind") == "ADDED":
                story.seen[name].add(event["id"])
            elif event.get("kind") == "REMOVED":
                story.seen[name].discard(event["id"])
        status, rest = await sync_to_async(story.rest)(name)
        seen = story.seen[name] & story.ids()
        kinds = [event.get("kind", event.get("type")) for event in events]
        record[name] = {
            "events": events,
            "expected": expected[name],
            "as_expected": expected[name] is None or kinds == expected[name],
            "rest_status": status,
            "rest": sorted(rest),
            "socket_shows": sorted(seen),
            "agrees": seen == rest,
            "only_socket": sorted(seen - rest),  # shown to the user, not in REST: a leak
            "only_rest": sorted(rest - seen),  # in REST, never delivered: missed
        }
    return record


async def _events(ws: Any, op: str, expect: bool, since: float) -> list[dict[str, Any]]:
    """What reaches ``op``: up to EVENT_TIMEOUT for the first when one is expected, then
    until QUIET seconds pass with nothing (keep-alives do not count). Never cancels the
    application (``receive_nothing`` polls; a ``receive_output`` timeout would cancel it).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (EVENT_TIMEOUT if expect else QUIET)
    events: list[dict[str, Any]] = []
    while (remaining := deadline - loop.time()) > 0:
        if await ws.communicator.receive_nothing(remaining):
            break
        message = await ws.communicator.receive_output()
        arrived = round((loop.time() - since) * 1000, 1)
        if message.get("type") == "websocket.close":
            events.append({"type": "closed", "code": message.get("code"), "ms": arrived})
            break
        body = json.loads(message.get("text") or "{}")
        if body.get("type") in ("ka", "ping", "pong"):
            continue
        payload = body.get("payload") or {}
        data = (payload.get("data") or {}).get("tagsChanged") if isinstance(payload, dict) else None
        if (
            body.get("type") == "next"
            and body.get("id") == op
            and data
            and not payload.get("errors")
        ):
            node = data.get("node") or {}
            events.append({"kind": data["kind"], "id": data["id"], "name": node.get("name"),
                           "ms": arrived})  # fmt: skip
        else:
            events.append({"type": body.get("type"), "body": body, "ms": arrived})
        deadline = loop.time() + QUIET
    return events


class _LogRecords(logging.Handler):
    """The package's log records during the check, with the innermost frames of any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        entry: dict[str, Any] = {"level": record.levelname, "message": record.getMessage()[:500]}
        if record.exc_info and record.exc_info[1] is not None:
            frames = traceback.extract_tb(record.exc_info[2])[-6:]
            entry["exception"] = failure(record.exc_info[1])["cause"]
            entry["frames"] = [f"{f.filename}:{f.lineno} in {f.name}: {f.line}" for f in frames]
        self.records.append(entry)


class _BatchCounter:
    """Wraps the hub's ``evaluate_batch`` until :meth:`restore`: groups and SQL per change."""

    def __init__(self) -> None:
        from drf_graphql_live.live import dispatch

        self.calls: list[dict[str, Any]] = []
        self.original = dispatch.evaluate_batch
        dispatch.evaluate_batch = self.wrapped

    def wrapped(self, work: Any) -> Any:
        from django.db import connection

        statements: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(" ".join(sql.split())[:240])
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            results = self.original(work)
        self.calls.append(
            {
                "groups": len(work),
                "pks": [list(pks) for pks in work.pks],
                "sql": len(statements),
                # the statement deciding every group's membership at once (lateral.py)
                "membership": sum(s.startswith("WITH dgl_v") for s in statements),
                "statements": statements,
            }
        )
        return results

    def restore(self) -> None:
        from drf_graphql_live.live import dispatch

        dispatch.evaluate_batch = self.original
