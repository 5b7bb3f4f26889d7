"""graphql-ws, @urql/core and @apollo/client, each in a Node process, subscribed to
``tasksChanged(initial: true)`` as bob with his DRF token in ``connectionParams``.

The test reads the JSON lines the script prints (clients/common.mjs) while other
processes write: the ORM in a separate Python process, a REST call, a GraphQL mutation.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.support import ROOT, orm, visible_task_ids

CLIENTS = ["graphql-ws", "urql", "apollo"]
SHARED = "Website relaunch"  # alice and bob
PRIVATE = "Alice's errands"  # alice only


class ClientProcess:
    """``node clients/<name>.mjs``; its stdout lines, parsed, through a queue."""

    def __init__(self, node: str, name: str, *args: str):
        self.process = subprocess.Popen(
            [node, str(ROOT / "clients" / f"{name}.mjs"), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout: float = 30) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout} s; so far: {self.seen}") from None
        if line is None:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"the client exited early; so far: {self.seen}\n{stderr}")
        message = json.loads(line)
        self.seen.append(message)
        assert message["type"] != "error", message
        return message

    def event(self) -> dict[str, Any]:
        message = self.next()
        assert message["type"] == "event", message
        return message["data"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def run_client(node: str, name: str, *args: str) -> Iterator[ClientProcess]:
    client = ClientProcess(node, name, *args)
    try:
        yield client
    finally:
        client.stop()


def graphql(url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Token {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.mark.parametrize("name", CLIENTS)
def test_client_receives_snapshot_and_changes_from_other_processes(
    name, node, node_modules, live_site, ws_url
):
    run = uuid.uuid4().hex[:6]
    http_url = ws_url.replace("ws://", "http://")
    alice_token = live_site.tokens["alice"]
    ids = visible_task_ids(live_site, "bob")
    changes = 4  # the live events this test causes bob to see
    with run_client(
        node, name, ws_url, live_site.tokens["bob"], "--limit", str(len(ids) + changes)
    ) as client:
        # A query over HTTP (graphql-ws: over the socket) with the token.
        assert client.next() == {"type": "query", "data": {"tasks": {"count": len(ids)}}}

        # initial: true — ADDED for every task bob may see, nothing else.
        snapshot = [client.event() for _ in ids]
        assert {event["kind"] for event in snapshot} == {"ADDED"}
        assert sorted(int(event["id"]) for event in snapshot) == ids
        assert all(event["node"]["projectName"] == SHARED for event in snapshot)
        first, second = (e for e in snapshot if int(e["id"]) in ids[:2])

        # A task in alice's private project, created by another process: never sent to bob.
        private_id = orm(
            live_site,
            f"p = Project.objects.get(name={PRIVATE!r})\n"
            f"print(Task.objects.create(project=p, title='Secret {run}').pk)",
        )

        # 1. The ORM in another process renames a task.
        orm(live_site, f"t = Task.objects.get(pk={first['id']}); t.title = 'ORM {run}'; t.save()")
        event = client.event()
        assert (event["kind"], event["id"], event["node"]["title"]) == (
            "MODIFIED",
            first["id"],
            f"ORM {run}",
        )

        # 2. A REST call (alice) changes another one's status.
        status = "done" if second["node"]["status"] != "DONE" else "todo"
        response = httpx.patch(
            f"{http_url.removesuffix('/graphql/')}/api/tasks/{second['id']}/",
            json={"status": status},
            headers={"Authorization": f"Token {alice_token}"},
        )
        assert response.status_code == 200, response.text
        event = client.event()
        assert (event["kind"], event["id"], event["node"]["status"]) == (
            "MODIFIED",
            second["id"],
            status.upper(),
        )

        # 3. A GraphQL mutation (alice) creates a task in the shared project.
        project = orm(live_site, f"print(Project.objects.get(name={SHARED!r}).pk)")
        created = graphql(
            http_url,
            alice_token,
            "mutation($input: TaskInput!) { createTask(input: $input) { id } }",
            input={"project": project, "title": f"Mutation {run}"},
        )["createTask"]["id"]
        event = client.event()
        assert (event["kind"], event["id"], event["node"]["title"]) == (
            "ADDED",
            str(created),
            f"Mutation {run}",
        )
        assert event["node"]["assigneeDetail"] is None

        # 4. The ORM in another process deletes it.
        orm(live_site, f"Task.objects.get(pk={created}).delete()")
        assert client.event() == {"kind": "REMOVED", "id": str(created), "node": None}

        # --limit reached: the script unsubscribes, closes the client and exits cleanly.
        assert client.next() == {"type": "done"}
        assert client.process.wait(timeout=10) == 0

    events = [m["data"] for m in client.seen if m["type"] == "event"]
    assert str(private_id) not in {event["id"] for event in events}
    orm(live_site, f"Task.objects.filter(pk={private_id}).delete()")


@pytest.mark.parametrize("name", CLIENTS)
def test_client_with_a_bad_token_gets_a_clear_error(name, node, node_modules, ws_url):
    with run_client(node, name, ws_url, "not-a-token") as client:
        line = client.lines.get(timeout=30)
        assert line is not None
        message = json.loads(line)
        assert message["type"] == "error"
        # Over HTTP DRF answers NOT_AUTHENTICATED; over the socket it closes with 4403.
        detail = json.dumps(message["data"])
        assert "NOT_AUTHENTICATED" in detail or message["data"]["code"] == 4403, message
        assert client.process.wait(timeout=10) == 1
