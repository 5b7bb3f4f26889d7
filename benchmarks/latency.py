"""Head-of-line blocking: do cheap operations and live events wait behind a slow query?

    python -m benchmarks.latency                        # this checkout
    python -m benchmarks.latency --root /tmp/prev       # another checkout (the baseline)

One uvicorn process (127.0.0.1, SQLite in WAL, 500 bench tasks). For ``--seconds``,
``--heavy`` clients run back to back an expensive query that the default limits allow
(``tasks(limit: 500)`` with the board page's fields, cost ~3,000); meanwhile a light
client times ``{ __typename }`` (no thread hop) and ``{ task(id) { id title } }`` (one
hop), and a subscriber times ``taskChanged`` events for REST PATCHes (commit to frame).
The same probes run first without the heavy clients (idle). Prints a markdown table.

``--anonymous N`` (issue 21) instead runs N anonymous clients (no ``Origin``, empty
``connection_init``; half over WebSocket, half over SSE) that send 99 KB subscription
documents in a loop, each a new text, and compares the light probes' p95 with the same
run without them: the gate must refuse those documents cheaply and off the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

HEAVY = (
    "{ tasks(limit: 500) { results { id title status projectName assigneeDetail { username } } } }"
)


def _big_document(seq: int) -> str:
    """A 99 KB subscription, a new text each time (no cache helps): 20,000 tokens."""
    fields = " ".join(["kind"] * 19_800)
    return f"subscription Attack{seq} {{ tasksChanged {{ {fields} }} }}"


async def _anonymous_ws(uri: str, until: float) -> int:
    sent = 0
    async with websockets.connect(uri, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        await ws.recv()
        while time.perf_counter() < until:
            sent += 1
            payload = {"query": _big_document(sent)}
            await ws.send(json.dumps({"id": str(sent), "type": "subscribe", "payload": payload}))
            await asyncio.wait_for(ws.recv(), 60)  # the refusal
    return sent


async def _anonymous_sse(base: str, until: float) -> int:
    sent = 0
    headers = {"Accept": "text/event-stream"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.perf_counter() < until:
            sent += 1
            body = {"query": _big_document(sent)}
            await http.post("/graphql/", json=body, headers=headers)
    return sent


async def _attack(base: str, clients: int, seconds: float) -> int:
    """``clients`` anonymous clients for ``seconds`` (run in a process of their own)."""
    uri = base.replace("http", "ws") + "/graphql/"
    until = time.perf_counter() + seconds
    attackers = [
        _anonymous_ws(uri, until) if i % 2 == 0 else _anonymous_sse(base, until)
        for i in range(clients)
    ]
    return sum(await asyncio.gather(*attackers))


async def _attacked(base: str, token: str, task: int, clients: int, seconds: float) -> dict:
    """The light probes while ``clients`` anonymous clients send 99 KB documents.

    The attackers run in another process, so the probes' own event loop stays theirs.
    """
    headers = {"Authorization": f"Token {token}"}
    attack = None
    if clients:
        command = [sys.executable, "-m", "benchmarks.latency", "--attack-only", base]
        command += ["--anonymous", str(clients), "--seconds", str(seconds)]
        attack = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        until = time.perf_counter() + seconds
        results = await asyncio.gather(
            _probe_http(http, "{ __typename }", until),
            _probe_http(http, f'{{ task(id: "{task}") {{ id title }} }}', until),
        )
    sent = int((await attack.communicate())[0] or 0) if attack else 0
    return {"typename": _summary(results[0]), "task": _summary(results[1]), "documents_sent": sent}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(root: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "sample_site.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=root, env=env)


async def _ready(url: str, attempts: int = 200) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(attempts):
            try:
                await http.post(url, json={"query": "{ __typename }"})
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [float("nan")]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"n": len(samples), "p50": statistics.median(ordered) * 1e3, "p95": p95 * 1e3}


async def _probe_http(http: httpx.AsyncClient, query: str, until: float) -> list[float]:
    samples = []
    while time.perf_counter() < until:
        start = time.perf_counter()
        response = await http.post("/graphql/", json={"query": query})
        assert "errors" not in response.json(), response.text
        samples.append(time.perf_counter() - start)
        await asyncio.sleep(0.02)
    return samples


async def _heavy(http: httpx.AsyncClient, until: float) -> int:
    done = 0
    while time.perf_counter() < until:
        response = await http.post("/graphql/", json={"query": HEAVY}, timeout=120)
        assert "errors" not in response.json(), response.text[:300]
        done += 1
    return done


async def _events(base: str, token: str, task: int, until: float) -> list[float]:
    samples: list[float] = []
    query = f'subscription {{ taskChanged(id: "{task}") {{ kind node {{ title }} }} }}'
    uri = base.replace("http", "ws") + "/graphql/"
    async with (
        websockets.connect(
            uri,
            subprotocols=["graphql-transport-ws"],
            origin=base,  # type: ignore[list-item,arg-type]
        ) as ws,
        httpx.AsyncClient(base_url=base, headers={"Authorization": f"Token {token}"}) as rest,
    ):
        init = {"type": "connection_init", "payload": {"Authorization": f"Token {token}"}}
        await ws.send(json.dumps(init))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await _subscribed(ws, rest, task)
        seq = 0
        while time.perf_counter() < until:
            seq += 1
            start = time.perf_counter()
            title = f"latency {seq}."
            response = await rest.patch(f"/api/tasks/{task}/", json={"title": title}, timeout=120)
            response.raise_for_status()
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if message.get("type") != "next":
                    raise RuntimeError(f"subscription ended: {message}")
                if title in json.dumps(message):
                    break
            samples.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
    return samples


async def _subscribed(ws: Any, rest: httpx.AsyncClient, task: int, attempts: int = 30) -> None:
    """Wait until the subscription hears changes (a change before it joined is not sent)."""
    for attempt in range(attempts):
        title = f"warm-up {attempt} {time.time()}"
        (
            await rest.patch(f"/api/tasks/{task}/", json={"title": title}, timeout=120)
        ).raise_for_status()
        try:
            while title not in json.dumps(json.loads(await asyncio.wait_for(ws.recv(), 2))):
                pass
            return
        except TimeoutError:
            continue
    raise RuntimeError("the subscription never heard a change")


async def _phase(base: str, token: str, task: int, heavy: int, seconds: float) -> dict[str, Any]:
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        until = time.perf_counter() + seconds
        jobs = [_heavy(http, until) for _ in range(heavy)]
        results = await asyncio.gather(
            _probe_http(http, "{ __typename }", until),
            _probe_http(http, f'{{ task(id: "{task}") {{ id title }} }}', until),
            _events(base, token, task, until),
            *jobs,
        )
    return {
        "typename": _summary(results[0]),
        "task": _summary(results[1]),
        "event": _summary(results[2]),
        "heavy_done": sum(results[3:]),
    }


def _prepare(root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """A fresh SQLite database with the bench tasks; the server's environment."""
    database = Path(tempfile.mkdtemp()) / "latency.sqlite3"
    env = {**os.environ, "SQLITE_PATH": str(database), "DEBUG": "0", "PYTHONPATH": str(root)}
    env.pop("DATABASE_URL", None)
    prepared = subprocess.run(
        [sys.executable, "-m", "benchmarks.prepare", "--tasks", "500"],
        cwd=Path(__file__).parent.parent, env=env, capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    return env, json.loads(prepared.stdout)


async def _run(root: Path, env: dict[str, str], info: dict[str, Any], args: Any) -> dict[str, Any]:
    port = _free_port()
    server = _start(root, env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        await _ready(base + "/graphql/")
        if args.anonymous:
            task = info["tasks"][0]
            quiet = await _attacked(base, info["token"], task, 0, args.seconds)
            attacked = await _attacked(base, info["token"], task, args.anonymous, args.seconds)
            return {"root": str(root), "quiet": quiet, "attacked": attacked}
        idle = await _phase(base, info["token"], info["tasks"][0], 0, args.seconds)
        loaded = await _phase(base, info["token"], info["tasks"][0], args.heavy, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"root": str(root), "idle": idle, "loaded": loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).parent.parent))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--heavy", type=int, default=2)
    parser.add_argument("--anonymous", type=int, default=0, help="clients sending 99 KB")
    parser.add_argument("--attack-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack_only:
        print(asyncio.run(_attack(args.attack_only, args.anonymous, args.seconds)))
        return
    root = Path(args.root).resolve()
    env, info = _prepare(root)
    result = asyncio.run(_run(root, env, info, args))
    print(f"root: {result['root']}")
    if args.anonymous:
        _print_attacked(result)
        return
    print("| phase | probe | n | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    for phase in ("idle", "loaded"):
        for probe in ("typename", "task", "event"):
            row = result[phase][probe]
            print(f"| {phase} | {probe} | {row['n']} | {row['p50']:.1f} | {row['p95']:.1f} |")
    print(f"heavy queries answered while loaded: {result['loaded']['heavy_done']}")


def _print_attacked(result: dict[str, Any]) -> None:
    print("| probe | quiet p50 / p95 ms | attacked p50 / p95 ms | p95 ratio |")
    print("|---|---|---|---|")
    for probe in ("typename", "task"):
        quiet, attacked = result["quiet"][probe], result["attacked"][probe]
        ratio = attacked["p95"] / quiet["p95"]
        print(
            f"| {probe} | {quiet['p50']:.1f} / {quiet['p95']:.1f} | "
            f"{attacked['p50']:.1f} / {attacked['p95']:.1f} | {ratio:.2f}x |"
        )
    print(f"99 KB documents refused while attacked: {result['attacked']['documents_sent']}")


if __name__ == "__main__":
    main()
