"""Subscribers over HTTP streams vs WebSockets: server CPU per delivery, in one run.

    .venv/bin/python -m benchmarks.http_streams --subscribers 300 --seconds 10

For each transport (``ws``: graphql-transport-ws; ``sse``: graphql-sse distinct
connections; ``multipart``: Apollo's multipart subscriptions) a fresh uvicorn runs
``benchmarks.asgi`` (ours, in-memory layer, SQLite) on a copy of one prepared database
(:class:`benchmarks.run.Bench`); N subscribers as alice send the ``same`` document
(one group); the probe task is written until every subscriber has heard it; the
counters are reset; ``seconds * rate`` changes are written through the control port;
the run ends when every subscriber has every change, or at the deadline. Clients are
raw asyncio sockets (and ``websockets``), light enough to leave the server the
bottleneck. Printed: a markdown table; the JSON goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect

from benchmarks.run import RESULTS, Bench
from benchmarks.workloads import queries

__all__ = ["main"]

TRANSPORTS = ("ws", "sse", "multipart")
ACCEPT = {"sse": "text/event-stream", "multipart": 'multipart/mixed;subscriptionSpec="1.0"'}
#: Where one frame ends on each HTTP wire (parse only complete frames).
FRAME_END = {"sse": "\r\n\r\n", "multipart": "--graphql"}
DELIVERY = re.compile(r"bench (\d+) \d+ \d+\.\d+")
PROBE = re.compile(r"bench probe \d+")


class Counts:
    """What the subscribers heard: probes (warm-up) and distinct (subscriber, seq) pairs."""

    def __init__(self, n: int) -> None:
        self.probed: set[int] = set()
        self.seen: list[set[int]] = [set() for _ in range(n)]
        self.delivered = 0

    def heard(self, i: int, text: str) -> None:
        if PROBE.search(text):
            self.probed.add(i)
        for match in DELIVERY.finditer(text):
            if int(match[1]) not in self.seen[i]:
                self.seen[i].add(int(match[1]))
                self.delivered += 1


async def _http_subscriber(i: int, url: str, kind: str, token: str, query: str, counts: Counts):
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    body = json.dumps({"query": query}).encode()
    head = (
        f"POST /graphql/ HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: {ACCEPT[kind]}\r\n"
        f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    buffer, end = "", FRAME_END[kind]
    while chunk := await reader.read(65536):
        buffer += chunk.decode(errors="replace")
        if end in buffer:
            complete, buffer = buffer.rsplit(end, 1)
            counts.heard(i, complete)


async def _ws_subscriber(i: int, url: str, token: str, query: str, counts: Counts) -> None:
    ws_url = url.replace("http://", "ws://") + "/graphql/"
    async with connect(ws_url, subprotocols=["graphql-transport-ws"], compression=None,  # type: ignore[list-item]
                       ping_interval=None, open_timeout=120) as ws:  # fmt: skip
        init = {"type": "connection_init", "payload": {"Authorization": f"Token {token}"}}
        await ws.send(json.dumps(init))
        await ws.recv()  # connection_ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        async for message in ws:
            counts.heard(i, str(message))


async def _until(condition: Any, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def measure(
    kind: str, url: str, control: str, prep: dict, args: argparse.Namespace
) -> dict[str, Any]:
    n, query, token = args.subscribers, queries("ours", "same", prep)[0], prep["token"]
    counts = Counts(n)

    async def subscriber(i: int) -> None:
        if kind == "ws":
            await _ws_subscriber(i, url, token, query, counts)
        else:
            await _http_subscriber(i, url, kind, token, query, counts)

    tasks = [asyncio.create_task(subscriber(i)) for i in range(n)]
    changes = int(args.seconds * args.rate)
    async with httpx.AsyncClient(base_url=control, timeout=60) as http:
        probe = 0
        while len(counts.probed) < n and probe < 600:  # every subscriber is in its group
            await http.post(
                "/bench/write/", json={"task": prep["probe_task"], "seq": probe, "probe": True}
            )
            probe += 1
            await _until(lambda: len(counts.probed) >= n, 0.5)
        await asyncio.sleep(0.5)
        await http.post("/bench/reset/")
        started = time.monotonic()
        for seq in range(changes):
            await asyncio.sleep(max(0.0, started + seq / args.rate - time.monotonic()))
            task = prep["tasks"][seq % len(prep["tasks"])]
            await http.post("/bench/write/", json={"task": task, "seq": seq})
        complete = await _until(lambda: counts.delivered >= n * changes, args.drain)
        server = (await http.get("/bench/stats/")).json()
    for task in tasks:
        task.cancel()
    cpu = server["cpu_s"] - server["write_cpu_s"]
    per_delivery = cpu / counts.delivered * 1e6 if counts.delivered else None
    return {
        "transport": kind, "subscribers": n, "ready": len(counts.probed), "changes": changes,
        "delivered": counts.delivered, "expected": n * changes, "complete": complete,
        "server_cpu_s": cpu, "cpu_us_per_delivery": per_delivery,
        "rss_mb": server["rss_kb"] / 1024, "hub": server.get("hub"),
    }  # fmt: skip


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| transport | N | delivered/expected | server CPU s | CPU µs/delivery | RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        per = r["cpu_us_per_delivery"]
        lines.append(
            f"| {r['transport']} | {r['subscribers']} | {r['delivered']:,}/{r['expected']:,} | "
            f"{r['server_cpu_s']:.2f} | {per:.0f} | {r['rss_mb']:.0f} |"
            if per is not None
            else f"| {r['transport']} | {r['subscribers']} | 0/{r['expected']:,} | - | - | - |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=20.0)
    parser.add_argument("--transports", default=",".join(TRANSPORTS))
    parser.add_argument(
        "--out", help="JSON path (default: benchmarks/results/<ts>-http-streams.json)"
    )
    args = parser.parse_args(argv)
    # what benchmarks.run.Bench reads
    args.database, args.gc, args.ws, args.tasks, args.projects = "sqlite", "default", "auto", 50, 50
    args.users, args.subscribers_list = ["one"], [args.subscribers]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory() as workdir:
        bench = Bench(argparse.Namespace(**{**vars(args), "subscribers": [args.subscribers]}),
                      Path(workdir), Path(workdir))  # fmt: skip
        prep = bench.prepare()
        results = []
        for kind in args.transports.split(","):
            with bench.server("ours", f"streams-{kind}") as (url, control, _process):
                results.append(asyncio.run(measure(kind, url, control, prep, args)))
    path = Path(args.out) if args.out else RESULTS / f"{stamp}-http-streams.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"args": vars(args), "results": results}, indent=1))
    print(table(results))
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
