"""The npm package clients/live (``@drf-graphql-live/client``): its own tests (``node
--test``, then ``tsc`` over a consumer of its type declarations), and each client's cached
list against a real sample_site.

bob keeps ``tasks(status: "todo", ordering: "-priority,id")`` live in a real Apollo
InMemoryCache (over graphql-ws, and over Apollo's multipart HTTP), through the React
hook, in a real urql Graphcache (over graphql-ws, and over graphql-sse) and with plain
``@urql/core`` (clients/live/e2e/keeper.mjs). Meanwhile alice writes through REST:
creates, renames, reprioritises (the row moves), edits out of the filter and into it,
deletes, and takes bob out of a project (its task becomes private). The server is
restarted with writes while it is down (the client resumes with ``after:``), then
restarted once more with its resume log gone (RESUME_EXPIRED: the list is refetched, the
subscription starts over with ``initial: true``). At rest, each time, the cached list
equals bob's REST list: the same ids in the same order, the same fields, the same count.
README.md's Apollo and urql blocks run as written, in harnesses (clients/live/e2e/
readme-*.ts*), through live writes and a restart.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.browser.support import ROOT, orm
from tests.e2e.servers import SampleSite

from .test_resume_clients import NodeScript, Server, servers

PACKAGE = ROOT / "clients" / "live"
CLIENTS = ["apollo-ws", "apollo-multipart", "react", "urql-ws", "urql-sse", "urql-core"]
ORDERING = "-priority,id"
FIELDS = ("id", "title", "status", "priority", "projectName")
Message = dict[str, Any]


@pytest.fixture(scope="module")
def package_modules(node_modules: Path) -> Path:
    for package in ("@urql/exchange-graphcache", "react-test-renderer", "graphql-sse"):
        if not (node_modules / package / "package.json").is_file():
            pytest.fail(f"node_modules/{package} is missing: run `npm ci`")
    return node_modules


def test_package_node_tests_pass(node: str, package_modules: Path) -> None:
    result = subprocess.run(
        [node, "--test", "test/"], cwd=PACKAGE, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout


def test_package_type_declarations_check(package_modules: Path) -> None:
    result = subprocess.run(
        [str(package_modules / ".bin" / "tsc"), "-p", "test"],
        cwd=PACKAGE, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


class Keeper(NodeScript):
    """``node clients/live/e2e/keeper.mjs`` (or a README harness)."""

    def __init__(self, node: str, script: Path, args: list[str], log: Path):
        super().__init__([node, str(script), *args], log)

    def cached(self) -> Any:
        self.command("list")
        return self.wait_for(lambda m: m["type"] == "list", timeout=10)["data"]


def base_url(server: Server) -> str:
    return server.ws_url.replace("ws://", "http://").removesuffix("/graphql/")


@contextlib.contextmanager
def keeper(
    node: str, kind: str, server: Server, token: str, tmp_path: Path, script: Path | None = None
) -> Iterator[Keeper]:
    """The keeper script for client ``kind`` (or ``script``, a README harness)."""
    if script is None:
        script = PACKAGE / "e2e" / "keeper.mjs"
        args = [kind, base_url(server), token, "--status", "todo", "--ordering", ORDERING]
    else:
        args = [base_url(server), token]
    client = Keeper(node, script, args, tmp_path / f"keeper-{kind}.stderr")
    try:
        client.wait_for(lambda m: m["type"] == "ready", timeout=60)
        yield client
    finally:
        client.stop()


def rest_list(server: Server, token: str, fields: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    """bob's REST list, in the client's field names (camelCase), ``fields`` of each row."""
    response = httpx.get(
        f"{base_url(server)}/api/tasks/",
        params={"status": "todo", "ordering": ORDERING, "limit": 500},
        headers={"Authorization": f"Token {token}"},
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    rows = [
        {"id": t["id"], "title": t["title"], "status": t["status"].upper(),
         "priority": t["priority"], "projectName": t["project_name"]}
        for t in body["results"]
    ]  # fmt: skip
    return {"count": body["count"], "rows": [{f: row[f] for f in fields} for row in rows]}


def wait_converged(
    client: Keeper, server: Server, token: str, timeout: float = 30, fields: tuple = FIELDS
) -> None:
    """Until the cached list equals the REST list (ids, order, fields and count)."""
    deadline = time.monotonic() + timeout
    while True:
        cached, expected = client.cached(), rest_list(server, token, fields)
        if cached == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"cached {cached}\n!= REST {expected}")
        time.sleep(0.1)


class Alice:
    """REST writes as alice."""

    def __init__(self, server: Server, token: str):
        self.http = httpx.Client(
            base_url=f"{base_url(server)}/api/",
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )

    def __call__(self, method: str, path: str, **body: Any) -> Any:
        response = self.http.request(method, path, json=body or None)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def board_of_our_own(site: SampleSite) -> dict[str, Any]:
    """Two projects of alice's and bob's: p with todo tasks a (high), b, c and a done d;
    q with a todo e. The projects stay (the site is the module's own)."""
    run = uuid.uuid4().hex[:6]
    ids = orm(
        site,
        "from django.contrib.auth.models import User\n"
        "users = User.objects.filter(username__in=['alice', 'bob'])\n"
        f"p = Project.objects.create(name='Live {run}'); p.members.set(users)\n"
        f"q = Project.objects.create(name='Live private {run}'); q.members.set(users)\n"
        "t = lambda project, name, status, priority=2: Task.objects.create(\n"
        f"    project=project, title=name + ' {run}', status=status, priority=priority).pk\n"
        "print(json.dumps({'p': p.pk, 'q': q.pk, 'a': t(p, 'a', 'todo', 3),\n"
        "    'b': t(p, 'b', 'todo'), 'c': t(p, 'c', 'todo'), 'd': t(p, 'd', 'done'),\n"
        "    'e': t(q, 'e', 'todo')}))",
    )
    return {**ids, "run": run}


def live_writes(alice: Alice, ids: dict[str, Any], alice_id: int) -> None:
    """Every kind of change, through REST while the client is live."""
    new = alice("POST", "tasks/", project=ids["p"], title=f"New {ids['run']}", priority=1)
    alice("PATCH", f"tasks/{ids['a']}/", title=f"Renamed {ids['run']}")
    alice("PATCH", f"tasks/{ids['c']}/", priority=3)  # moves up the list
    alice("PATCH", f"tasks/{ids['b']}/", status="done")  # out of the filter
    alice("PATCH", f"tasks/{ids['d']}/", status="todo")  # into it
    alice("DELETE", f"tasks/{new['id']}/")
    alice("PATCH", f"projects/{ids['q']}/", members=[alice_id])  # e becomes private to bob


def writes_while_down(site: SampleSite, ids: dict[str, Any], step: str) -> None:
    """Changes from another process while the server is down (REST is down with it)."""
    orm(
        site,
        f"Task.objects.create(project_id={ids['p']}, title='{step} {ids['run']}', priority=3)\n"
        f"a = Task.objects.get(pk={ids['a']}); a.priority = 1; a.title = '{step}'; a.save()\n"
        f"d = Task.objects.get(pk={ids['d']}); d.status = 'done'; d.save()\n"
        f"b = Task.objects.get(pk={ids['b']}); b.status = 'todo'; b.save()\n"
        f"Task.objects.filter(pk={ids['c']}).delete()",
    )
    ids["c"] = orm(
        site,
        f"print(Task.objects.create(project_id={ids['p']}, title='c {step}', priority=2).pk)",
    )


def forget_resume_logs(site: SampleSite, redis_url: str) -> int:
    """Delete the site's resume logs, as RESUME_WINDOW would have (they are in Redis)."""
    connection = redis.Redis.from_url(redis_url)
    keys = list(connection.scan_iter(f"{site.env['REDIS_PREFIX']}:dgl:resume:*"))
    return connection.delete(*keys) if keys else 0


@pytest.mark.parametrize("kind", CLIENTS)
def test_cached_list_equals_rest_through_writes_and_restarts(
    kind, node, package_modules, live_site, tmp_path, redis_url
):
    bob, alice_token = live_site.tokens["bob"], live_site.tokens["alice"]
    alice_id = orm(live_site, "from django.contrib.auth.models import User\n"
                   "print(User.objects.get(username='alice').pk)")  # fmt: skip
    ids = board_of_our_own(live_site)
    with servers(live_site, "uvicorn") as [server]:
        server.start()
        with keeper(node, kind, server, bob, tmp_path) as client:
            wait_converged(client, server, bob)
            assert client.since(0, "subscribe") == [
                {"status": "todo", "ordering": ORDERING, "initial": True}
            ]

            live_writes(Alice(server, alice_token), ids, alice_id)
            wait_converged(client, server, bob)

            # A restart with changes while down: the client resumes after its cursor.
            mark = len(client.seen)
            server.stop()
            writes_while_down(live_site, ids, "Away")
            server.start()
            wait_converged(client, server, bob)
            resubscribed = client.since(mark, "subscribe")
            assert resubscribed, "no resubscription after the restart"
            assert all("after" in v for v in resubscribed), resubscribed  # resumed, not anew

            # Down again, and its resume log gone: RESUME_EXPIRED, refetch, initial: true.
            mark = len(client.seen)
            server.stop()
            assert forget_resume_logs(live_site, redis_url) > 0
            writes_while_down(live_site, ids, "Expired")
            server.start()
            wait_converged(client, server, bob)
            assert {"status": "todo", "ordering": ORDERING, "initial": True} in client.since(
                mark, "subscribe"
            )

            # Live again.
            Alice(server, alice_token)("PATCH", f"tasks/{ids['b']}/", priority=3)
            wait_converged(client, server, bob)
            client.exit()


def readme_block(name: str) -> str:
    """The code block after ``<!-- live-client: NAME -->`` in README.md."""
    pattern = re.compile(rf"<!-- live-client: {name} -->\s*```tsx?\n(.*?)```", re.DOTALL)
    match = pattern.search((ROOT / "README.md").read_text())
    assert match, f"no <!-- live-client: {name} --> block in README.md"
    return match.group(1)


@contextlib.contextmanager
def readme_harness(node_modules: Path, name: str, source: str) -> Iterator[Path]:
    """clients/live/e2e/readme-<name>.tsx (or .ts) with the README's blocks spliced in,
    compiled by esbuild next to it (inside the package: its imports resolve), removed
    afterwards."""
    template = PACKAGE / "e2e" / source
    code = (
        template.read_text()
        .replace("/* README: documents */", readme_block("documents"))
        .replace(f"/* README: {name} */", readme_block(name))
    )
    out = PACKAGE / "e2e" / f"_readme-{name}-{uuid.uuid4().hex[:6]}.mjs"
    result = subprocess.run(
        [str(node_modules / ".bin" / "esbuild"), f"--loader={template.suffix[1:]}",
         "--jsx=automatic", "--format=esm"],
        input=code, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out.write_text(result.stdout)
    try:
        yield out
    finally:
        out.unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("name", "source"), [("apollo", "readme-apollo.tsx"), ("urql", "readme-urql.ts")]
)
def test_readme_five_lines_keep_the_list(name, source, node, package_modules, live_site, tmp_path):
    """README.md's Apollo and urql blocks, as written, against a real server: live
    writes and a restart with writes while it is down."""
    bob, alice_token = live_site.tokens["bob"], live_site.tokens["alice"]
    ids = board_of_our_own(live_site)
    fields = ("id", "title", "priority")
    with (
        readme_harness(package_modules, name, source) as script,
        servers(live_site, "uvicorn") as [server],
    ):
        server.start()
        with keeper(node, f"readme-{name}", server, bob, tmp_path, script) as client:
            wait_converged(client, server, bob, fields=fields)
            alice = Alice(server, alice_token)
            alice("POST", "tasks/", project=ids["p"], title=f"README {ids['run']}", priority=3)
            alice("PATCH", f"tasks/{ids['b']}/", priority=1)
            alice("PATCH", f"tasks/{ids['a']}/", status="done")
            wait_converged(client, server, bob, fields=fields)
            server.stop()
            writes_while_down(live_site, ids, "README")
            server.start()
            wait_converged(client, server, bob, fields=fields)
            client.exit()
