"""The resume recipe (clients/resumable.mjs) with graphql-ws, Apollo and urql in Node:
the server goes away under the client, other processes write meanwhile, the client
reconnects by itself with ``after:`` its last cursor and must end exactly current —
without being sent its list again.

bob subscribes to ``tasksChanged(status: "todo")``. While he is away: a rename, a
creation, one task edited out of the filter and one into it, a deletion, and a project he
is taken out of (its task becomes private). Catching up must bring exactly those six
changes (no ADDED for rows he had), and his rows must equal what a GraphQL query shows
him. The script prints every Subscribe message it puts on the wire, so the tests also see
that graphql-ws never replays the first ``initial: true`` on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.browser.support import ROOT, orm
from tests.e2e.servers import SampleSite, free_port

CLIENTS = ["graphql-ws", "apollo", "urql"]
Message = dict[str, Any]

ROWS_QUERY = """
query ($status: String) {
  tasks(status: $status, ordering: "id", limit: 500) {
    results { id title status projectName assigneeDetail { username } }
  }
}
"""


class NodeScript:
    """A node script in a subprocess: its JSON lines, and commands on its stdin."""

    def __init__(self, argv: list[str], log: Path):
        self.stderr = open(log, "w+")
        self.process = subprocess.Popen(
            argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[Message] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self, deadline: float) -> Message:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"timed out; so far: {self.seen[-20:]}") from None
        if line is None:
            self.stderr.seek(0)
            raise AssertionError(f"the client exited; so far: {self.seen}\n{self.stderr.read()}")
        message = json.loads(line)
        self.seen.append(message)
        assert message["type"] != "error", message
        return message

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 30) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if predicate(message):
                return message

    def command(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def mark(self) -> int:
        return len(self.seen)

    def since(self, mark: int, kind: str) -> list[Any]:
        return [m.get("data") for m in self.seen[mark:] if m["type"] == kind]

    def exit(self) -> None:
        self.command("exit")
        self.wait_for(lambda m: m["type"] == "done", timeout=10)
        assert self.process.wait(timeout=10) == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()


class ResumeClient(NodeScript):
    """``node clients/resume-<name>.mjs``."""

    def __init__(self, node: str, name: str, urls: list[str], token: str, log: Path, *args: str):
        script = ROOT / "clients" / f"resume-{name}.mjs"
        super().__init__([node, str(script), ",".join(urls), token, *args], log)

    def rows(self) -> dict[str, Any]:
        """The client's rows (id -> node); ``self.cursor`` is its last cursor."""
        self.command("rows")
        state = self.wait_for(lambda m: m["type"] == "rows", timeout=10)["data"]
        self.cursor: str | None = state["cursor"]
        return state["rows"]

    def wait_current(self, expected: dict[str, Any], timeout: float = 30) -> None:
        """Until the client's rows equal ``expected`` (they change only with events)."""
        deadline = time.monotonic() + timeout
        while (rows := self.rows()) != expected:
            try:
                self.wait_for(lambda m: m["type"] == "event", deadline - time.monotonic())
            except AssertionError:
                raise AssertionError(f"rows {rows}\n!= expected {expected}") from None


@contextlib.contextmanager
def resume_client(node, name, urls, token, tmp_path, *args) -> Iterator[ResumeClient]:
    client = ResumeClient(node, name, urls, token, tmp_path / f"{name}.stderr", *args)
    try:
        yield client
    finally:
        client.stop()


class Server:
    """One server process on a fixed port, to stop and start again."""

    def __init__(self, site: SampleSite, kind: str = "uvicorn") -> None:
        self.site, self.kind, self.port = site, kind, free_port()
        self.stack: contextlib.ExitStack | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql/"

    def start(self) -> None:
        self.stack = contextlib.ExitStack()
        self.stack.enter_context(self.site.server(self.kind, port=self.port))

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.close()
            self.stack = None


@contextlib.contextmanager
def servers(site: SampleSite, *kinds: str) -> Iterator[list[Server]]:
    started = [Server(site, kind) for kind in kinds]
    try:
        yield started
    finally:
        for server in started:
            server.stop()


def visible_rows(server: Server, token: str) -> dict[str, Any]:
    """What a GraphQL query shows the user: id -> node, the subscription's selection."""
    response = httpx.post(
        server.ws_url.replace("ws://", "http://"),
        json={"query": ROWS_QUERY, "variables": {"status": "todo"}},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return {str(task["id"]): task for task in body["data"]["tasks"]["results"]}


@contextlib.contextmanager
def board_of_our_own(site: SampleSite) -> Iterator[dict[str, int]]:
    """Two projects of alice's and bob's, with tasks: a, b, c (todo), d (done) in the
    first, e (todo) in the second. Deleted afterwards."""
    run = uuid.uuid4().hex[:6]
    ids = orm(
        site,
        "from django.contrib.auth.models import User\n"
        "users = User.objects.filter(username__in=['alice', 'bob'])\n"
        f"p = Project.objects.create(name='Resume {run}'); p.members.set(users)\n"
        f"q = Project.objects.create(name='Resume private {run}'); q.members.set(users)\n"
        "t = lambda project, name, status: Task.objects.create(\n"
        f"    project=project, title=name + ' {run}', status=status).pk\n"
        "print(json.dumps({'p': p.pk, 'q': q.pk, 'a': t(p, 'a', 'todo'), 'b': t(p, 'b', 'todo'),\n"
        "    'c': t(p, 'c', 'todo'), 'd': t(p, 'd', 'done'), 'e': t(q, 'e', 'todo')}))",
    )
    ids["run"] = run
    try:
        yield ids
    finally:
        orm(site, f"Project.objects.filter(pk__in=[{ids['p']}, {ids['q']}]).delete()")


def write_while_away(site: SampleSite, ids: dict[str, Any]) -> int:
    """The six changes, from another process; returns the new task's id."""
    return orm(
        site,
        "from django.contrib.auth.models import User\n"
        f"a = Task.objects.get(pk={ids['a']}); a.title = 'Renamed {ids['run']}'; a.save()\n"
        f"b = Task.objects.get(pk={ids['b']}); b.status = 'done'; b.save()\n"
        f"Task.objects.get(pk={ids['c']}).delete()\n"
        f"d = Task.objects.get(pk={ids['d']}); d.status = 'todo'; d.save()\n"
        f"Project.objects.get(pk={ids['q']}).members.remove(User.objects.get(username='bob'))\n"
        f"n = Task.objects.create(project_id={ids['p']}, title='New {ids['run']}', status='todo')\n"
        "print(n.pk)",
    )


def expected_catch_up(ids: dict[str, Any], new: int) -> set[tuple[str, str]]:
    return {
        ("MODIFIED", str(ids["a"])),
        ("REMOVED", str(ids["b"])),
        ("REMOVED", str(ids["c"])),
        ("ADDED", str(ids["d"])),
        ("REMOVED", str(ids["e"])),
        ("ADDED", str(new)),
    }


def subscribed_once_with_after(client: ResumeClient, mark: int, cursor: str) -> None:
    """Since ``mark``, exactly one Subscribe went on the wire, resuming from ``cursor``."""
    sent = client.since(mark, "sent")
    assert sent == [{"status": "todo", "after": cursor}], sent


def caught_up(client: ResumeClient, mark: int, had: dict[str, Any]) -> set[tuple[str, str]]:
    events = client.since(mark, "event")
    again = [e for e in events if e["kind"] == "ADDED" and e["id"] in had]
    assert not again, f"sent again rows the client had: {again}"
    assert client.since(mark, "reset") == []
    return {(e["kind"], e["id"]) for e in events}


@pytest.mark.parametrize("name", CLIENTS)
def test_client_resumes_after_a_server_restart(name, node, node_modules, live_site, tmp_path):
    bob = live_site.tokens["bob"]
    with board_of_our_own(live_site) as ids, servers(live_site, "uvicorn") as [server]:
        server.start()
        with resume_client(
            node, name, [server.ws_url], bob, tmp_path, "--status", "todo"
        ) as client:
            client.wait_current(visible_rows(server, bob))
            assert client.since(0, "sent") == [{"status": "todo", "initial": True}]
            had, cursor = client.rows(), client.cursor

            server.stop()  # the same port, a new process: the in-memory state is gone
            client.wait_for(lambda m: m["type"] == "closed")
            mark = client.mark()
            new = write_while_away(live_site, ids)
            server.start()

            client.wait_current(visible_rows(server, bob))
            subscribed_once_with_after(client, mark, cursor)
            assert caught_up(client, mark, had) == expected_catch_up(ids, new)

            # Live again: the next change arrives as one event.
            mark = client.mark()
            orm(live_site, f"Task.objects.filter(pk={new}).get().delete()")
            client.wait_current(visible_rows(server, bob))
            assert [(e["kind"], e["id"]) for e in client.since(mark, "event")] == [
                ("REMOVED", str(new))
            ]
            client.exit()


@pytest.mark.parametrize("name", CLIENTS)
def test_client_resumes_on_another_server_process(name, node, node_modules, live_site, tmp_path):
    """uvicorn A, then daphne B on the same Redis: B catches the client up from the log A
    wrote. Then both up, B stopped: the client goes back to (a new) A at once."""
    bob = live_site.tokens["bob"]
    with board_of_our_own(live_site) as ids, servers(live_site, "uvicorn", "daphne") as [a, b]:
        a.start()
        urls = [a.ws_url, b.ws_url]  # the client tries them in turn
        with resume_client(node, name, urls, bob, tmp_path, "--status", "todo") as client:
            client.wait_current(visible_rows(a, bob))
            had, cursor = client.rows(), client.cursor

            a.stop()
            client.wait_for(lambda m: m["type"] == "closed")
            mark = client.mark()
            new = write_while_away(live_site, ids)
            b.start()
            connected = client.wait_for(lambda m: m["type"] == "connected")
            assert connected["data"]["url"] == b.ws_url
            client.wait_current(visible_rows(b, bob))
            subscribed_once_with_after(client, mark, cursor)
            assert caught_up(client, mark, had) == expected_catch_up(ids, new)

            # Both up; B goes away: the client reconnects to A and resumes there.
            a.start()
            had, cursor = client.rows(), client.cursor
            b.stop()
            mark = client.mark()
            connected = client.wait_for(lambda m: m["type"] == "connected")
            assert connected["data"]["url"] == a.ws_url
            orm(live_site, f"t = Task.objects.get(pk={ids['d']}); t.title = 'Live'; t.save()")
            client.wait_current(visible_rows(a, bob))
            subscribed_once_with_after(client, mark, cursor)
            assert caught_up(client, mark, had) == {("MODIFIED", str(ids["d"]))}
            client.exit()


@pytest.mark.parametrize("name", CLIENTS)
def test_made_up_cursor_falls_back_to_initial(name, node, node_modules, live_site, tmp_path):
    bob = live_site.tokens["bob"]
    with servers(live_site, "uvicorn") as [server]:
        server.start()
        with resume_client(
            node, name, [server.ws_url], bob, tmp_path, "--status", "todo", "--after", "abc.7.xyz"
        ) as client:
            client.wait_current(visible_rows(server, bob))
            assert client.since(0, "sent") == [
                {"status": "todo", "after": "abc.7.xyz"},
                {"status": "todo", "initial": True},
            ]
            assert len(client.since(0, "reset")) == 1
            client.exit()


def test_expired_log_falls_back_to_initial(node, node_modules, live_site, tmp_path, redis_url):
    """A real cursor whose log is gone from Redis (as after RESUME_WINDOW): RESUME_EXPIRED,
    and the recipe starts over with ``initial: true``."""
    bob = live_site.tokens["bob"]
    with servers(live_site, "uvicorn") as [server]:
        server.start()
        with resume_client(
            node, "graphql-ws", [server.ws_url], bob, tmp_path, "--status", "todo"
        ) as client:
            client.wait_current(visible_rows(server, bob))
            client.rows()
            cursor = client.cursor
            client.exit()
        (position,) = cursor_positions(cursor)
        log = f"{live_site.env['REDIS_PREFIX']}:dgl:resume:{position.log}"
        assert redis.Redis.from_url(redis_url).delete(log) == 1  # as RESUME_WINDOW would
        args = ("--status", "todo", "--after", cursor)
        with resume_client(node, "graphql-ws", [server.ws_url], bob, tmp_path, *args) as client:
            client.wait_current(visible_rows(server, bob))
            assert client.since(0, "sent") == [
                {"status": "todo", "after": cursor},
                {"status": "todo", "initial": True},
            ]
            client.exit()


FIRST_OF_BURST = """
subscription ($project: ID, $initial: Boolean, $after: String) {
  tasksChanged(project: $project, status: "todo", initial: $initial, after: $after) {
    kind id cursor
  }
}
"""


def cursor_positions(cursor: str) -> tuple[Any, ...]:
    """The log positions a cursor names (the test process shares the site's SECRET_KEY)."""
    from drf_graphql_live.live.cursors import decode

    decoded = decode(cursor)
    assert decoded is not None, cursor
    return decoded.positions


def partial(cursor: str) -> bool:
    from drf_graphql_live.live.cursors import decode

    decoded = decode(cursor)
    assert decoded is not None, cursor
    return decoded.partial


def test_resume_from_inside_the_initial_burst_removes_what_was_deleted(live_site, tmp_path):
    """A client that applied only the first ADDED of its ``initial: true`` burst (its
    cursor is partial) loses the socket; that task is deleted; it resumes with
    ``after:``. It must end exactly current, so it must get REMOVED for that task."""
    from tests.e2e.wsclient import Subscriber

    bob = live_site.tokens["bob"]

    async def scenario(url: str, ids: dict[str, Any]) -> tuple[set[str], set[str]]:
        first = Subscriber(url, bob, FIRST_OF_BURST, {"project": ids["p"], "initial": True})
        await first.start()
        burst = await first.wait_for(3)
        await first.stop()
        applied = burst[0]["data"]["tasksChanged"]  # the client applied this one only
        assert applied["kind"] == "ADDED", burst
        assert partial(applied["cursor"]), burst  # inside a burst
        rows = {applied["id"]}

        orm(live_site, f"Task.objects.get(pk={applied['id']}).delete()")

        after = applied["cursor"]
        second = Subscriber(url, bob, FIRST_OF_BURST, {"project": ids["p"], "after": after})
        await second.start()
        deadline = asyncio.get_running_loop().time() + 20
        # The catch-up's events carry partial cursors up to the last one.
        while asyncio.get_running_loop().time() < deadline and not any(
            not partial(e["data"]["tasksChanged"]["cursor"]) for e in second.events
        ):
            await asyncio.sleep(0.02)
        await second.stop()
        for payload in second.events:
            assert "errors" not in payload, payload
            event = payload["data"]["tasksChanged"]
            if event["kind"] == "REMOVED":
                rows.discard(event["id"])
            else:
                rows.add(event["id"])
        return rows, {str(ids["a"]), str(ids["b"]), str(ids["c"])} - {applied["id"]}

    with board_of_our_own(live_site) as ids, servers(live_site, "uvicorn") as [server]:
        server.start()
        rows, current = asyncio.run(scenario(server.ws_url, ids))
    assert rows == current
