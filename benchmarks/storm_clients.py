"""The clients of the reconnect-storm benchmark: N sockets, N distinct users, one process.

    python -m benchmarks.storm_clients --url http://127.0.0.1:P --control http://127.0.0.1:C \\
        --prep prep.json --subscribers 1000 --jitter 3 --first 10 --out clients.json

Driven by benchmarks/storm.py over stdin/stdout (one line each way per phase):

- opens N sockets as ``bench-d<i>`` (100 handshakes in flight), each subscribing
  ``tasksChanged { kind id cursor node { id title status } }`` without ``initial``;
  prints ``LIVE`` once the hub holds N subscriptions (``GET /bench/hub/``: no probe, so
  the first changes are the first each group evaluates);
- prints ``FIRST`` once every client has received change ``--first`` - 1;
- ``DROP client <t>``: every client closes its socket at once; ``DROP restart <t>``: the
  orchestrator stops the server, the clients see the close. Either way, and at any
  other close, a client reconnects after a delay uniform in [0, ``--jitter``] and
  subscribes with ``after: <the last cursor it applied>``; a failed connect is retried
  as the client package's ``defaultRetryWait`` does (0.5 s, 1 s, 2 s... x 0.75-1.25);
  RESUME_EXPIRED clears its view and resubscribes with ``initial: true`` (what
  ``liveSubscription`` does once ``onExpired`` has refetched the list). Prints
  ``RECONNECTED`` once every client has subscribed again;
- ``END <file>`` (the writes, the final state of every task, the windows): waits until
  every client's view equals the final state (bounded), analyses
  (benchmarks/storm_analysis.py), writes ``--out``, prints ``DONE`` and exits without
  closing the sockets.

Each client keeps its *view* as a client of the package would (task id -> the seq of the
title it applied last, ``"bench <seq> <task> <time>"``) and records every event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from benchmarks.loadgen import DELIVERY, _raise_fd_limit
from benchmarks.storm_analysis import EXPIRED, analyse

QUERY = (
    "subscription Storm($after: String, $initial: Boolean) { tasksChanged(after: $after, "
    "initial: $initial) { kind id cursor node { id title status } } }"
)
INIT = re.compile(r'"node":\s*\{"id":\s*"?(\d+)"?,\s*"title":\s*"bench init')
CURSOR = re.compile(r'"cursor":\s*"([^"]+)"')
ADDED = re.compile(r'"kind":\s*"ADDED"')


def _note(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


class Run:
    """What the clients share: the phase, the counters, the drop's moment."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ending = False
        self.dropped_at: float | None = None
        self.gate = asyncio.Semaphore(100)  # the first connections only
        self.closes: dict[str, int] = {}
        self.connect_errors: dict[str, int] = {}
        self.other: dict[str, int] = {}
        self.other_sample: list[str] = []


class Client:
    """One user's socket: connect, subscribe, apply events; reconnect on every close."""

    def __init__(self, index: int, token: str, run: Run) -> None:
        self.index, self.token, self.run = index, token, run
        self.ws: ClientConnection | None = None
        self.view: dict[int, int] = {}
        self.cursor: str | None = None
        self.max_seq = -1
        self.sub_no = 0
        #: (receipt time, seq, task, commit stamp, ADDED?, subscription number);
        #: seq EXPIRED marks a RESUME_EXPIRED (the view was cleared)
        self.receipts: list[tuple[float, int, int, float, bool, int]] = []
        #: (time sent, "first" | "after" | "initial", subscription number)
        self.subs: list[tuple[float, str, int]] = []
        self.connect_failures = 0

    async def life(self) -> None:
        delay, failures = 0.0, 0
        while not self.run.ending:
            if delay:
                await asyncio.sleep(delay)
            if self.run.ending:
                return
            try:
                if not self.subs:
                    async with self.run.gate:
                        ws = await self._open()
                else:
                    ws = await self._open()
            except Exception as exc:  # refused while the server restarts: retry
                failures += 1
                self.connect_failures += 1
                _note(self.run.connect_errors, f"{type(exc).__name__}: {str(exc)[:80]}")
                delay = min(500 * 2 ** (failures - 1), 10_000) / 1000 * (0.75 + random.random() / 2)
                continue
            failures = 0
            self.ws = ws
            code = await self._read(ws)
            self.ws = None
            _note(self.run.closes, code)
            delay = random.uniform(0, self.run.args.jitter)

    async def _open(self) -> ClientConnection:
        ws = await connect(
            self.run.args.ws_url, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            origin=self.run.args.url, compression=None, ping_interval=None,  # type: ignore[arg-type]
            open_timeout=60, close_timeout=1,
        )  # fmt: skip
        try:
            init = {"type": "connection_init", "payload": {"Authorization": f"Token {self.token}"}}
            await ws.send(json.dumps(init))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {str(ack)[:80]}")
            if not self.subs:
                await self._subscribe(ws, "first", {})
            elif self.cursor is not None:
                await self._subscribe(ws, "after", {"after": self.cursor})
            else:  # never applied an event: start over
                await self._subscribe(ws, "initial", {"initial": True})
        except BaseException:
            await ws.close()
            raise
        return ws

    async def _subscribe(self, ws: ClientConnection, mode: str, variables: dict) -> None:
        self.sub_no += 1
        self.subs.append((time.time(), mode, self.sub_no))
        payload = {"query": QUERY, "variables": variables}
        await ws.send(json.dumps({"id": str(self.sub_no), "type": "subscribe", "payload": payload}))

    async def _read(self, ws: ClientConnection) -> str:
        try:
            async for raw in ws:
                assert isinstance(raw, str)
                await self._handle(raw, ws)
        except ConnectionClosed as exc:
            return str(exc.rcvd.code) if exc.rcvd is not None else "no-close-frame"
        return str(ws.close_code)

    async def _handle(self, raw: str, ws: ClientConnection) -> None:
        now = time.time()
        match = DELIVERY.search(raw)
        if match is not None:
            seq, task, stamp = int(match[1]), int(match[2]), float(match[3])
        elif (init := INIT.search(raw)) is not None:
            seq, task, stamp = -1, int(init[1]), 0.0
        elif '"ping"' in raw:
            await ws.send('{"type":"pong"}')
            return
        elif "RESUME_EXPIRED" in raw:  # the client package: refetch, then initial: true
            self.receipts.append((now, EXPIRED, 0, 0.0, False, self.sub_no))
            self.view.clear()
            self.cursor = None
            await self._subscribe(ws, "initial", {"initial": True})
            return
        else:
            kind = json.loads(raw).get("type", "?") if raw.startswith("{") else "non-json"
            _note(self.run.other, kind)
            if len(self.run.other_sample) < 5:
                self.run.other_sample.append(raw[:300])
            return
        self.receipts.append((now, seq, task, stamp, ADDED.search(raw) is not None, self.sub_no))
        self.view[task] = seq
        self.max_seq = max(self.max_seq, seq)
        if (cursor := CURSOR.search(raw)) is not None:
            self.cursor = cursor[1]


async def _until(condition: Any, within: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(step)
    return bool(condition())


async def _line() -> str:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if not line:
        raise RuntimeError("the orchestrator went away")
    return line.strip()


def _say(line: str) -> None:
    print(line, flush=True)


async def main_async(args: argparse.Namespace, prep: dict[str, Any]) -> dict[str, Any]:
    n = args.subscribers
    limits = _raise_fd_limit(n + 64)
    if limits[0] < n + 64:
        raise RuntimeError(f"RLIMIT_NOFILE {limits} is below the {n + 64} descriptors needed")
    if n > len(prep["bench_users"]):
        raise RuntimeError(f"prepare made {len(prep['bench_users'])} users; {n} needed")
    args.ws_url = args.url.replace("http://", "ws://") + "/graphql/"
    run = Run(args)
    clients = [Client(i, token, run) for i, (_uid, token) in enumerate(prep["bench_users"][:n])]
    started = time.time()
    lives = [asyncio.create_task(c.life()) for c in clients]
    report: dict[str, Any] = {"subscribers": n}
    await _until(lambda: all(c.ws is not None for c in clients), args.setup_timeout)
    report["connect_s"] = time.time() - started
    report["connected"] = sum(c.ws is not None for c in clients)
    async with httpx.AsyncClient(base_url=args.control, timeout=30) as http:
        deadline = time.monotonic() + args.setup_timeout
        while time.monotonic() < deadline:
            hub = (await http.get("/bench/hub/")).json()["hub"] or {}
            if hub.get("subscribers", 0) >= n:
                break
            await asyncio.sleep(0.25)
        report["hub_at_live"] = hub
    report["live_s"] = time.time() - started
    _say("LIVE " + json.dumps({"connected": report["connected"], "hub": hub}))
    if await _until(lambda: all(c.max_seq >= args.first - 1 for c in clients), args.setup_timeout):
        _say(f"FIRST {time.time():.6f}")
    else:
        _say("FIRST timeout")
    command = (await _line()).split()
    assert command[0] == "DROP", command
    kind, run.dropped_at = command[1], float(command[2])
    if kind == "client":
        await asyncio.gather(*(c.ws.close() for c in clients if c.ws is not None))
    drop = run.dropped_at

    def back() -> bool:
        return all(c.subs[-1][0] >= drop and c.ws is not None for c in clients)

    reconnected = await _until(back, args.jitter + args.setup_timeout)
    report["reconnected_at"] = time.time() if reconnected else None
    _say(f"RECONNECTED {time.time():.6f}" if reconnected else "RECONNECTED timeout")
    command = (await _line()).split()
    assert command[0] == "END", command
    end = json.loads(await asyncio.to_thread(Path(command[1]).read_text))
    final = {int(task): seq for task, seq in end["final"].items()}

    def converged() -> bool:
        return all(
            all(c.view.get(task, -1) == seq for task, seq in final.items() if seq >= 0)
            for c in clients
        )

    report["converged"] = await _until(converged, end["drain"], step=0.2)
    report["converged_at"] = time.time()
    run.ending = True
    report.update(
        closes=run.closes, connect_errors=run.connect_errors, other_messages=run.other,
        other_sample=run.other_sample, connect_failures=sum(c.connect_failures for c in clients),
    )  # fmt: skip
    report.update(analyse(clients, end["writes"], final, end["windows"], args.first))
    for task in lives:
        task.cancel()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT of the server")
    parser.add_argument("--control", required=True, help="its control port's URL")
    parser.add_argument("--prep", required=True, help="JSON printed by benchmarks.prepare")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--jitter", type=float, default=3.0, help="reconnect delay, s (max)")
    parser.add_argument("--first", type=int, default=10, help="first changes measured apart")
    parser.add_argument("--setup-timeout", type=float, default=240.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        with open(args.prep) as prep:
            result = uvloop.run(main_async(args, json.load(prep)))
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    with open(args.out, "w") as out:
        json.dump(result, out)
    _say("DONE")
    os._exit(0 if "error" not in result else 3)  # do not wait for N socket closes


if __name__ == "__main__":
    main()
