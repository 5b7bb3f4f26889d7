"""Resume across real server processes (issue 15): uvicorn and daphne on one Redis.

A ``websockets`` client subscribes on server A, keeps the cursor of the last event it
applied and disconnects. Another process renames, creates, moves tasks in and out of
its filter, deletes one and makes one private. The client reconnects to server B (and,
after a restart, to A again) with ``after:`` and, applying what it gets by id, must hold
exactly what REST shows it now, having heard nothing of rows it may not see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from .servers import SampleSite, free_port
from .wsclient import Subscriber

QUERY = (
    'subscription($initial: Boolean, $after: String) { tasksChanged(status: "todo", '
    "initial: $initial, after: $after) { kind id cursor node { id title status } } }"
)

VISIBLE = """
import json
from sample_site.board.models import Task
rows = Task.objects.filter(project__members__username='bob', status='todo').distinct()
print(json.dumps({str(t.pk): {'id': t.pk, 'title': t.title, 'status': t.status.upper()}
                  for t in rows}))
"""

AWAY = """
import json
from sample_site.board.models import Project, Task
shared = Project.objects.get(name='Website relaunch')
docs = Task.objects.get(title='Write API documentation')
docs.title = 'Write the API documentation'
docs.save()
blog = Task.objects.get(title='Migrate blog posts')
blog.status = 'todo'
blog.save()
login = Task.objects.get(title='Fix login redirect bug')
login.status = 'done'
login.save()
Task.objects.get(title='Accessibility audit').delete()
analytics = Task.objects.get(title='Choose analytics provider')
analytics.project = Project.objects.get(name="Alice's errands")
analytics.save()
created = Task.objects.create(project=shared, title='Resumed launch', status='todo')
secret = Task.objects.create(project=Project.objects.get(name="Carol's lab"),
                             title='Secret', status='todo')
print(json.dumps({'created': created.pk, 'secret': secret.pk}))
"""


@pytest.fixture(scope="module")
def two_servers(
    tmp_path_factory, redis_url, e2e_database_url
) -> Iterator[tuple[SampleSite, str, str]]:
    site = SampleSite(
        tmp_path_factory.mktemp("resume"), database_url=e2e_database_url, redis_url=redis_url
    )
    with site, contextlib.ExitStack() as stack:
        a = stack.enter_context(site.server("uvicorn"))
        b = stack.enter_context(site.server("daphne"))
        yield site, a, b


def ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/graphql/"


def visible(site: SampleSite) -> dict[str, Any]:
    return json.loads(site.python(VISIBLE))


class Replica:
    """What the client holds: rows by id, the last cursor, every (kind, id) heard."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.cursor: str | None = None
        self.heard: list[tuple[str, str]] = []
        self.applied: dict[int, int] = {}  # per socket: events applied

    def apply(self, subscriber: Subscriber) -> None:
        for payload in subscriber.events[self.applied.get(id(subscriber), 0) :]:
            assert "errors" not in payload, payload
            event = payload["data"]["tasksChanged"]
            self.heard.append((event["kind"], event["id"]))
            if event["kind"] == "REMOVED":
                self.rows.pop(event["id"], None)
            else:
                self.rows[event["id"]] = event["node"]
            self.cursor = event["cursor"]
        self.applied[id(subscriber)] = len(subscriber.events)

    async def follow(self, subscriber: Subscriber, expected: dict[str, Any]) -> None:
        """Apply events until the rows are ``expected`` (30 s at most)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:
            self.apply(subscriber)
            if self.rows == expected:
                return
            assert loop.time() < deadline, (self.rows, expected, subscriber.events)
            await asyncio.sleep(0.05)


async def quiet(subscriber: Subscriber, replica: Replica) -> None:
    """Nothing more arrives once the client is current (bounded: 1 s of silence)."""
    await asyncio.sleep(1.0)
    replica.apply(subscriber)


async def test_a_client_resumes_on_another_process_and_ends_exactly_current(two_servers):
    site, a, b = two_servers
    token = site.tokens["bob"]
    replica = Replica()
    first = await Subscriber(ws(a), token, QUERY, {"initial": True}).start()
    try:
        await replica.follow(first, await asyncio.to_thread(visible, site))
    finally:
        await first.stop()
    assert replica.cursor
    removed = {row["title"]: pk for pk, row in replica.rows.items()}

    ids = json.loads(await asyncio.to_thread(site.python, AWAY))
    expected = await asyncio.to_thread(visible, site)
    heard_before = len(replica.heard)
    resumed = await Subscriber(ws(b), token, QUERY, {"after": replica.cursor}).start()
    try:
        await replica.follow(resumed, expected)
        await quiet(resumed, replica)
    finally:
        await resumed.stop()
    assert replica.rows == expected  # exactly current, after any late event
    missed = replica.heard[heard_before:]
    assert len({pk for _kind, pk in missed}) == len(missed), missed  # one event per object
    assert str(ids["secret"]) not in {pk for _kind, pk in replica.heard}  # never, not even its id
    assert sorted(missed) == sorted(
        [
            ("MODIFIED", pk_of(replica, "Write the API documentation")),
            ("ADDED", pk_of(replica, "Migrate blog posts")),
            ("ADDED", str(ids["created"])),
            ("REMOVED", removed["Fix login redirect bug"]),  # edited out of the filter
            ("REMOVED", removed["Accessibility audit"]),  # deleted
            ("REMOVED", removed["Choose analytics provider"]),  # made private to alice
        ]
    )


def pk_of(replica: Replica, title: str) -> str:
    (pk,) = [pk for pk, row in replica.rows.items() if row["title"] == title]
    return pk


async def test_a_client_resumes_after_the_server_restarted(two_servers):
    site, _a, _b = two_servers
    token, port = site.tokens["bob"], free_port()
    replica = Replica()
    with site.server("uvicorn", port=port) as url:
        first = await Subscriber(ws(url), token, QUERY, {"initial": True}).start()
        try:
            await replica.follow(first, await asyncio.to_thread(visible, site))
        finally:
            await first.stop()
    await asyncio.to_thread(
        site.python,
        "from sample_site.board.models import Task\n"
        "t = Task.objects.filter(project__members__username='bob', status='todo').first()\n"
        "t.title = 'renamed while the server was down'\nt.save()",
    )
    with site.server("uvicorn", port=port) as url:  # the same address, a new process
        resumed = await Subscriber(ws(url), token, QUERY, {"after": replica.cursor}).start()
        try:
            await replica.follow(resumed, await asyncio.to_thread(visible, site))
            await quiet(resumed, replica)
        finally:
            await resumed.stop()
    assert replica.rows == await asyncio.to_thread(visible, site)
    assert [kind for kind, _ in replica.heard].count("ADDED") == len(
        replica.rows
    )  # no snapshot again


async def test_a_made_up_cursor_gets_resume_expired(two_servers):
    site, a, _b = two_servers
    subscriber = await Subscriber(
        ws(a), site.tokens["bob"], QUERY, {"after": "made-up", "initial": True}
    ).start()
    try:
        await subscriber.wait_for(1)
    finally:
        await subscriber.stop()
    (payload,) = subscriber.events
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "RESUME_EXPIRED"
