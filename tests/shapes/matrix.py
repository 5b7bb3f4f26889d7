"""Per shape: its GraphQL names, how to make a note, and the client's view vs REST.

shape = Shape.of("uuid")
shape.list_field            # "uuidnotesChanged"
note = shape.make(people["both"], title="a")
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from typing import Any

from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from drf_graphql_live.testing import GraphQLWSClient

from .api import KEY_FIELDS, WRITABLE_KEYS
from .mirror import Mirror, as_graphql
from .models import SHAPES

__all__ = ["Shape", "each_settled", "settle", "subscribed"]

_numbers = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Shape:
    name: str
    model: Any
    prefix: str

    @classmethod
    def of(cls, name: str) -> Shape:
        model, prefix = SHAPES[name]
        return cls(name, model, prefix)

    @property
    def key(self) -> str:
        """The REST/GraphQL field that identifies a note of this shape."""
        return KEY_FIELDS.get(self.name, "id")

    @property
    def fields(self) -> list[str]:
        return [self.key, "title", "kind", "public", "folderName"]

    @property
    def selection(self) -> str:
        return "{ kind id cursor node { " + " ".join(self.fields) + " } }"

    @property
    def list_field(self) -> str:
        return f"{self.prefix}Changed"

    @property
    def detail_field(self) -> str:
        name = self.model.__name__
        return f"{name[0].lower()}{name[1:]}Changed"

    @property
    def lookup_argument(self) -> str:
        return "slug" if self.name == "slug" else "id"

    def list_subscription(self, arguments: str = "") -> str:
        head = f"({arguments})" if arguments else ""
        return f"subscription {{ {self.list_field}{head} {self.selection} }}"

    def detail_subscription(self) -> str:
        arg = self.lookup_argument
        return (
            f"subscription($key: ID!, $after: String) {{ "
            f"{self.detail_field}({arg}: $key, after: $after) {self.selection} }}"
        )

    def make(self, shelf: Any, **fields: Any) -> Any:
        number = next(_numbers)
        extra = {}
        if self.name in WRITABLE_KEYS:
            extra[WRITABLE_KEYS[self.name]] = f"{self.name}-{number}"
        fields.setdefault("title", f"note {number}")
        return self.model.objects.create(shelf=shelf, **extra, **fields)

    def lookup(self, note: Any) -> str:
        return str(getattr(note, self.key))

    def rest_rows(self, user: Any, query: str = "") -> list[dict[str, Any]]:
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(f"/api/{self.prefix}/?limit=10000{query}")
        assert response.status_code == 200, response.content
        items = [as_graphql(item, self.fields) for item in response.json()["results"]]
        return sorted(items, key=lambda node: str(node[self.key]))


async def settle(
    client: GraphQLWSClient,
    op: str,
    field: str,
    mirror: Mirror,
    expected: Any,
    key: str,
    timeout: float = 10,  # noqa: ASYNC109 (a deadline over several awaits)
) -> None:
    """Apply events until the mirror's rows equal ``expected()`` (REST), or fail.

    REST is asked again after each event: the server's state at rest is the target.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    rest = sync_to_async(expected, thread_sensitive=True)
    while (want := await rest()) != mirror.rows(key):
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"client rows {mirror.rows(key)} != REST {want}")
        # Never time out a receive: Channels' communicator cancels the application then.
        if await client.communicator.receive_nothing(min(remaining, 0.5)):
            continue
        message = await client.receive()
        if message.get("type") in ("ka", "ping", "pong"):
            continue
        assert message.get("id") == op, message
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        mirror.apply(message["payload"]["data"][field])


async def each_settled(steps: list[Any], client: GraphQLWSClient, *settling: Any) -> None:
    """Run each write in the ORM's thread, then :func:`settle`; a failure names the step."""
    for number, step in enumerate(steps):
        await sync_to_async(step, thread_sensitive=True)()
        try:
            await settle(client, *settling)
        except AssertionError as failure:
            raise AssertionError(f"after step {number}: {failure}") from None


async def subscribed(count: int = 1, timeout: float = 10) -> None:  # noqa: ASYNC109
    """Wait until this process's hub holds ``count`` live subscribers (joined, not joining).

    graphql-ws sends nothing when a subscription starts: a write committed before the
    server took the subscription in is, rightly, not an event of it.
    """
    from drf_graphql_live.live.hub import Hub

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    hub = Hub.for_running_loop()
    while sum(len(g.subscribers) for g in hub.groups.values() if not g.joining) < count:
        if loop.time() > deadline:
            raise AssertionError(f"fewer than {count} live subscribers after {timeout} s")
        await asyncio.sleep(0.02)
