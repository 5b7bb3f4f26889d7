"""A random history against real servers, and the check that every client converges.

    history = History(site, [url_a, url_b], people, Shape.of("uuid"), random.Random(seed))
    await history.subscribe()       # several users, filters and selections, initial: true
    await history.run(30)           # REST and ORM writes, visibility, reconnects, a restart
    await history.converged()       # at rest: every client's rows == its REST list

Used by the suite (tests/shapes/test_convergence.py) and by the longer
``benchmarks/convergence.py``.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any
from urllib.parse import urlencode

import httpx

from .client import LiveClient
from .matrix import Shape
from .mirror import as_graphql

__all__ = ["History"]

#: (user, list arguments, selected node fields besides the key) of the list subscribers
LIST_SUBSCRIBERS = [
    ("u0", {}, ["title", "kind", "public", "folderName"]),
    ("u1", {"kind": "todo"}, ["title"]),
    ("u2", {"public": True}, ["kind", "folderName"]),
    ("u3", {"search": "a"}, ["title", "public"]),
]
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "kilo", "sun", "moon"]
KINDS = ["idea", "todo", "done"]


class History:
    def __init__(
        self,
        site: Any,
        urls: list[str],
        people: dict[str, Any],
        shape: Shape,
        rng: random.Random,
        subscribers: int = len(LIST_SUBSCRIBERS),
    ) -> None:
        self.site, self.urls, self.shape, self.rng = site, urls, shape, rng
        self.tokens: dict[str, str] = people["tokens"]
        self.shelves: list[int] = people["shelves"]
        self.keys: list[str] = []  # every note made, deleted ones included
        self.clients: list[tuple[LiveClient, dict[str, str], list[str]]] = []
        self.log: list[str] = []
        self.numbers = iter(range(1, 1_000_000))
        self.subscribers = subscribers

    # -- REST, as each user ------------------------------------------------------------

    async def rest(self, user: str, method: str, path: str, body: Any = None) -> httpx.Response:
        url = self.rng.choice(self.urls) + f"/api/{self.shape.prefix}/{path}"
        headers = {"Authorization": f"Token {self.tokens[user]}"}
        async with httpx.AsyncClient(timeout=30) as http:
            return await http.request(method, url, json=body, headers=headers)

    async def rest_rows(self, user: str, query: dict[str, str], fields: list[str]) -> list[Any]:
        response = await self.rest(user, "GET", "?" + urlencode({"limit": 10000, **query}))
        assert response.status_code == 200, response.text
        rows = [as_graphql(item, fields) for item in response.json()["results"]]
        return sorted(rows, key=lambda row: str(row[self.shape.key]))

    # -- subscribers -------------------------------------------------------------------

    async def subscribe(self) -> None:
        """Every list subscriber (and one detail subscriber) live, each on a random server."""
        seed = await self.create("u0", shelf=self.shelves[0], public=True, kind="todo")
        key = self.shape.key
        users = sorted(self.tokens, key=lambda name: int(name[1:]))
        for number in range(self.subscribers):  # each a user of its own, while they last
            _, arguments, fields = LIST_SUBSCRIBERS[number % len(LIST_SUBSCRIBERS)]
            user = users[number % len(users)]
            selected = [key, *fields]
            query = self._list_query(arguments, selected)
            client = LiveClient(user, self.tokens[user], query, self.shape.list_field, {})
            query_string = {k: str(v).lower() for k, v in arguments.items()}
            self.clients.append((client, query_string, selected))
        detail_fields = [key, "title", "kind"]
        detail = LiveClient(
            "u1/detail", self.tokens["u1"], self._detail_query(detail_fields),
            self.shape.detail_field, {"key": seed},
        )  # fmt: skip
        self.clients.append((detail, {"__key": seed}, detail_fields))
        for client, _, _ in self.clients:
            await client.connect(self.rng.choice(self.urls))
        await self.converged(lists_only=True)  # initial snapshots in: live from here
        # A detail subscription sends nothing at first: one edit it must hear, then go.
        await self.patch("u0", seed, {"title": "a seed, edited"})
        await self.converged()

    def _list_query(self, arguments: dict[str, Any], fields: list[str]) -> str:
        own = ", ".join(f"{k}: {_literal(v)}" for k, v in arguments.items())
        head = f"{own}, " if own else ""
        return (
            f"subscription($initial: Boolean, $after: String) {{ {self.shape.list_field}"
            f"({head}initial: $initial, after: $after) "
            f"{{ kind id cursor node {{ {' '.join(fields)} }} }} }}"
        )

    def _detail_query(self, fields: list[str]) -> str:
        return (
            f"subscription($key: ID!, $after: String) {{ {self.shape.detail_field}"
            f"({self.shape.lookup_argument}: $key, after: $after) "
            f"{{ kind id cursor node {{ {' '.join(fields)} }} }} }}"
        )

    # -- writes ------------------------------------------------------------------------

    async def create(self, user: str, **fields: Any) -> str:
        number = next(self.numbers)
        body = {"title": f"{self.rng.choice(WORDS)} {number}", "kind": "idea", **fields}
        if self.shape.name in ("char", "slug"):
            body[self.shape.key] = f"{self.shape.name}-{number}-{self.rng.randrange(10**6)}"
        response = await self.rest(user, "POST", "", body)
        assert response.status_code == 201, response.text
        key = str(response.json()[self.shape.key])
        self.keys.append(key)
        self.log.append(f"{user} created {key} {body}")
        return key

    async def patch(self, user: str, key: str, fields: dict[str, Any]) -> None:
        response = await self.rest(user, "PATCH", f"{key}/", fields)
        assert response.status_code in (200, 404), response.text  # 404: not theirs to see
        self.log.append(f"{user} patched {key} {fields}: {response.status_code}")

    async def step(self) -> None:
        """One random write (or a client's reconnection)."""
        rng, user = self.rng, self.rng.choice(list(self.tokens))
        kind = rng.choices(
            ["create", "patch", "delete", "orm", "member", "folder", "reconnect", "bulk"],
            weights=[4, 5, 1, 3, 2, 1, 2, 3],
        )[0]
        if kind == "create" or not self.keys:
            public = rng.random() < 0.3
            folder = rng.choice([None, "f-0", "f-1"])
            await self.create(user, shelf=rng.choice(self.shelves), public=public,
                              kind=rng.choice(KINDS), folder=folder)  # fmt: skip
        elif kind == "patch":
            await self.patch(user, rng.choice(self.keys), self._some_fields())
        elif kind == "delete":
            key = rng.choice(self.keys)
            response = await self.rest(user, "DELETE", f"{key}/")
            self.log.append(f"{user} deleted {key}: {response.status_code}")
        elif kind == "orm":
            command = {"op": "save", "shape": self.shape.name, "key": rng.choice(self.keys),
                       "fields": self._some_fields()}  # fmt: skip
            await self.write(command)
        elif kind == "member":
            op = rng.choice(["join", "leave"])
            await self.write({"op": op, "shelf": rng.choice(self.shelves), "user": user})
        elif kind == "folder":
            code = rng.choice(["f-0", "f-1"])
            if rng.random() < 0.5:
                await self.write({"op": "drop_folder", "code": code})
            else:
                await self.write({"op": "rename_folder", "code": code, "name": rng.choice(WORDS)})
        elif kind == "bulk":
            await self.bulk()
        else:
            client = rng.choice(self.clients)[0]
            await client.connect(self._other(client.url))
            self.log.append(f"{client.name} reconnected to {client.url} (after:)")

    async def bulk(self) -> None:
        """A write no model signal sees, from the writer process: ``update()``,
        ``bulk_update()``, ``bulk_create()``, raw SQL, or ``psql`` with no Django at all."""
        rng = self.rng
        ops = ["update", "bulk_update", "raw"]
        if self.shape.name != "inherited":  # Django refuses bulk_create across inheritance
            ops.append("bulk_create")
        if "DATABASE_URL" in self.site.env:  # PostgreSQL: a psql write, no Django at all
            ops.append("psql")
        op = rng.choice(ops)
        if op == "bulk_create":
            rows = [self._new_row() for _ in range(rng.randint(1, 3))]
            answer = await self.write({"op": op, "shape": self.shape.name, "rows": rows})
            self.keys.extend(answer)
            return
        keys = rng.sample(self.keys, min(len(self.keys), rng.randint(1, 3)))
        fields = {"title": f"{rng.choice(WORDS)} {next(self.numbers)}"}
        if op in ("update", "bulk_update"):
            fields = self._some_fields()
        await self.write({"op": op, "shape": self.shape.name, "keys": keys, "fields": fields})

    def _new_row(self) -> dict[str, Any]:
        rng, number = self.rng, next(self.numbers)
        row = {"title": f"{rng.choice(WORDS)} {number}", "kind": rng.choice(KINDS),
               "public": rng.random() < 0.3, "shelf": rng.choice(self.shelves),
               "folder": rng.choice([None, "f-0", "f-1"])}  # fmt: skip
        if self.shape.name == "char":
            row["code"] = f"bulk-{number}"
        if self.shape.name == "slug":
            row["slug"] = f"bulk-{number}"
        return row

    def _some_fields(self) -> dict[str, Any]:
        rng = self.rng
        choices = {
            "title": lambda: f"{rng.choice(WORDS)} {next(self.numbers)}",
            "kind": lambda: rng.choice(KINDS),
            "public": lambda: rng.random() < 0.4,
            "shelf": lambda: rng.choice(self.shelves),
            "folder": lambda: rng.choice([None, "f-0", "f-1"]),
        }
        names = rng.sample(list(choices), rng.randint(1, 2))
        return {name: choices[name]() for name in names}

    async def write(self, command: dict[str, Any]) -> Any:
        """A write by another program (the writer process), off the event loop."""
        answer = await asyncio.to_thread(self.site.write, command)
        self.log.append(f"writer: {command}")
        return answer

    def _other(self, url: str | None) -> str:
        others = [u for u in self.urls if u != url]
        return self.rng.choice(others or self.urls)

    async def restart(self, url: str) -> None:
        """Restart the server at ``url``; its clients come back with ``after:``."""
        await asyncio.to_thread(self.site.restart, url)
        self.log.append(f"restarted {url}")
        for client, _, _ in self.clients:
            if client.url == url or not client.connected:
                await client.connect(self.rng.choice(self.urls))

    async def run(self, steps: int, restart: str | None = None) -> None:
        for number in range(steps):
            if restart is not None and number == steps // 2:
                await self.restart(restart)
            await self.step()
            await asyncio.sleep(self.rng.random() * 0.05)  # writes at an uneven pace

    # -- the check ---------------------------------------------------------------------

    async def converged(self, timeout: float = 30, *, lists_only: bool = False) -> None:  # noqa: ASYNC109
        """Every client's rows equal its REST list (ids and every selected field)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            different = await self._differences(lists_only)
            if not different:
                return
            if loop.time() > deadline:
                raise AssertionError(
                    "not converged:\n" + "\n".join(different)
                    + "\nlast steps:\n" + "\n".join(self.log[-25:])
                )  # fmt: skip
            await asyncio.sleep(0.2)

    async def _differences(self, lists_only: bool) -> list[str]:
        different = []
        for client, query, fields in self.clients:
            assert not client.errors, (client.name, client.errors)
            if "__key" in query:
                if lists_only:
                    continue
                rows = await self.rest_rows(client.name.split("/")[0], {}, fields)
                want = [row for row in rows if str(row[self.shape.key]) == query["__key"]]
            else:
                want = await self.rest_rows(client.name, query, fields)
            got = client.mirror.rows(self.shape.key)
            if got != want:
                different.append(f"{client.name} ({query}): client {got}\n    REST {want}")
        return different

    async def close(self) -> None:
        for client, _, _ in self.clients:
            await client.drop()


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'
