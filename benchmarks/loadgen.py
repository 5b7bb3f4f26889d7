"""Load generator: N real WebSocket subscribers speaking graphql-transport-ws.

    python -m benchmarks.loadgen --url http://127.0.0.1:8000 --control http://127.0.0.1:8001 \\
        --mode ours --mix same \\
        --subscribers 1000 --changes 50 --rate 10 --prep prep.json --out result.json

1. opens N connections (``websockets``; ``connection_init`` with the DRF token: alice's,
   or with ``--users distinct|projects`` each socket's own), each sending the
   subscription(s) of workloads.plan() (a *stream* is one subscription on one socket);
2. warms up: writes the probe task (POST /bench/write/ probe) until every stream that
   can see it has received a probe, then waits until the sockets are quiet. With
   distinct users a probe costs one viewset run per user, so first it waits until the
   hub holds every subscription (GET /bench/hub/), and "quiet" is the server's CPU
   at rest rather than a fixed patience;
3. resets the server's counters and prints ``READY`` (the orchestrator then starts the
   writer), records every delivery: (subscriber, seq, task, commit time, receipt time)
   parsed from the title ``"bench <seq> <task> <commit time>"``;
4. stops when every subscriber has every change, or when the last change has been seen,
   the sockets have been quiet for ``--quiet`` seconds and the server's CPU is at rest
   (a full garbage collection pauses every socket at once), or at the deadline
   (``changes / rate + --drain`` seconds after READY); reads /bench/stats/ at once and
   prints ``DONE`` (with ``--hold``, then waits for a line on stdin);
5. writes the analysis (delivered, lost, late, duplicated, coalesced, out of order,
   latency percentiles, ...) as JSON to ``--out`` and exits without closing the sockets.
   Each stream expects the changes of the tasks it may see (workloads.Stream.sees); a
   receipt of any other change is counted as ``unexpected`` (a leak), not delivered.

A missing delivery is *coalesced* when the subscriber received a later change of the
same task instead (our hub sends the latest state of an object), *lost* when not and
the run ended normally, *late* when the run hit its deadline (still queued somewhere).

Every phase is bounded; nothing waits forever.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time
from typing import Any

import httpx
import uvloop
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from benchmarks.workloads import PATHS, USERS, Stream, plan

DELIVERY = re.compile(r"bench (\d+) (\d+) (\d+\.\d+)")
PROBE = re.compile(r"bench probe (\d+)")


class State:
    def __init__(self, n: int, expected: list[set[int]] | None = None) -> None:
        self.connected = 0
        self.subscriptions = 0  # streams on connected sockets
        self.probe_target = 0  # of those, the ones that can see the probe task
        self.expected_total = 0  # deliveries they expect
        self.expected = expected
        self.connect_errors: dict[str, int] = {}
        self.ready = [False] * n
        self.ready_count = 0
        self.measuring = False
        self.records: list[tuple[int, int, int, float, float]] = []
        self.seen: list[set[int]] = [set() for _ in range(n)]
        self.distinct = 0
        self.last_message = time.time()
        self.last_probe_message = 0.0
        self.other: dict[str, int] = {}
        self.other_sample: list[str] = []
        self.closed: dict[str, int] = {}
        self.max_seq_seen = -1


def _raise_fd_limit(needed: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _note(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _stream_of(raw: str, streams: dict[str, int]) -> int:
    """The stream a frame belongs to, on a socket with several subscriptions."""
    try:
        return streams[json.loads(raw).get("id")]
    except (ValueError, KeyError, AttributeError):
        return next(iter(streams.values()))


async def _reader(streams: dict[str, int], ws: Any, state: State) -> None:
    only = next(iter(streams.values())) if len(streams) == 1 else None
    try:
        async for raw in ws:
            now = time.time()
            state.last_message = now
            i = only if only is not None else _stream_of(raw, streams)
            match = DELIVERY.search(raw)
            if match is not None:
                if state.measuring:
                    seq = int(match[1])
                    state.records.append((i, seq, int(match[2]), float(match[3]), now))
                    expected = state.expected is None or seq in state.expected[i]
                    if expected and seq not in state.seen[i]:
                        state.seen[i].add(seq)
                        state.distinct += 1
                    state.max_seq_seen = max(state.max_seq_seen, seq)
                continue
            if PROBE.search(raw) is not None:
                state.last_probe_message = now
                if not state.ready[i]:
                    state.ready[i] = True
                    state.ready_count += 1
                continue
            if '"ping"' in raw:
                await ws.send('{"type":"pong"}')
                continue
            kind = json.loads(raw).get("type", "?") if raw.startswith("{") else "non-json"
            _note(state.other, kind)
            if len(state.other_sample) < 5:
                state.other_sample.append(raw[:300])
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else "no-close-frame"
        _note(state.closed, str(code))


async def _client(
    subs: list[tuple[int, Stream]], url: str, token: str, origin: str,
    gate: asyncio.Semaphore, state: State,
) -> Any:  # fmt: skip
    async with gate:
        try:
            ws = await connect(
                url,
                subprotocols=["graphql-transport-ws"],
                origin=origin,
                compression=None,
                ping_interval=None,
                open_timeout=120,
                close_timeout=1,
            )
            init = {"type": "connection_init", "payload": {"Authorization": f"Token {token}"}}
            await ws.send(json.dumps(init))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            for _i, stream in subs:
                message = {"id": stream.id, "type": "subscribe", "payload": {"query": stream.query}}
                await ws.send(json.dumps(message))
        except Exception as exc:  # a failed connection is a result, not a crash
            _note(state.connect_errors, f"{type(exc).__name__}: {str(exc)[:120]}")
            return None
    state.connected += 1
    state.subscriptions += len(subs)
    state.probe_target += sum(stream.probe for _i, stream in subs)
    state.expected_total += sum(len(state.expected[i]) for i, _s in subs) if state.expected else 0
    return asyncio.create_task(_reader({s.id: i for i, s in subs}, ws, state))


async def _wait(condition: Any, within: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(step)
    return condition()


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))
    return values[index]


def expected_seqs(streams: list[Stream], changes: int, tasks: list[int]) -> list[set[int]]:
    """Per stream, the changes it must receive (those of the tasks it may see)."""
    written = [tasks[seq % len(tasks)] for seq in range(changes)]
    return [{seq for seq, task in enumerate(written) if s.expects(task)} for s in streams]


def analyse(
    state: State, n: int, changes: int, tasks: list[int], expected: list[set[int]] | None = None
) -> dict[str, Any]:
    """Delivered/lost/duplicated/coalesced/out-of-order and latencies, per stream
    (``n`` streams; ``expected``: the changes each must get, default all)."""
    expected = expected or [set(range(changes)) for _ in range(n)]
    first: list[dict[int, float]] = [{} for _ in range(n)]
    receipts = unexpected = 0
    out_of_order = 0
    last_by_task: list[dict[int, int]] = [{} for _ in range(n)]
    max_by_task: list[dict[int, int]] = [{} for _ in range(n)]
    latencies: list[float] = []
    first_commit = min((r[3] for r in state.records), default=None)
    last_receipt = max((r[4] for r in state.records), default=None)
    for sub, seq, task, stamp, now in state.records:
        if seq >= changes:
            continue
        if seq not in expected[sub]:
            unexpected += 1  # a change of a task it may not see: a leak
            continue
        receipts += 1
        if seq < last_by_task[sub].get(task, -1):
            out_of_order += 1
        last_by_task[sub][task] = max(seq, last_by_task[sub].get(task, -1))
        max_by_task[sub][task] = max(seq, max_by_task[sub].get(task, -1))
        if seq not in first[sub]:
            first[sub][seq] = now
            latencies.append((now - stamp) * 1000)
    delivered = sum(len(f) for f in first)
    coalesced = lost = 0
    for sub in range(n):
        for seq in sorted(expected[sub]):
            if seq in first[sub]:
                continue
            if max_by_task[sub].get(tasks[seq % len(tasks)], -1) > seq:
                coalesced += 1
            else:
                lost += 1
    latencies.sort()
    span = (last_receipt - first_commit) if first_commit and last_receipt else None
    return {
        "expected": sum(len(seqs) for seqs in expected),
        "delivered": delivered,
        "lost": lost,
        "duplicated": receipts - delivered,
        "coalesced": coalesced,
        "out_of_order": out_of_order,
        "unexpected": unexpected,
        "latency_ms": {
            "p50": _percentile(latencies, 50),
            "p95": _percentile(latencies, 95),
            "p99": _percentile(latencies, 99),
            "max": latencies[-1] if latencies else None,
            "mean": sum(latencies) / len(latencies) if latencies else None,
        },
        "first_commit": first_commit,
        "last_receipt": last_receipt,
        "deliveries_per_s": delivered / span if span else None,
    }


async def _probe(http: httpx.AsyncClient, task: int, seq: int) -> None:
    await http.post("/bench/write/", json={"task": task, "seq": seq, "probe": True})


async def _warm_up(
    http: httpx.AsyncClient, state: State, n: int, probe_task: int, budget: float
) -> int:
    """Probes until every stream has one (subscribe has no ack), then quiet sockets."""
    warm_start = time.monotonic()
    await asyncio.sleep(min(5.0, 0.2 + n / 2000))
    probes = 0
    patience = 1.5 + n / 1000  # a probe's fan-out to n sockets takes a while
    while state.ready_count < state.probe_target and time.monotonic() - warm_start < budget:
        await _probe(http, probe_task, probes)
        probes += 1
        sent = time.time()
        await _wait(
            lambda s=sent: (
                state.ready_count >= state.probe_target
                or (time.time() - max(s, state.last_probe_message) > patience)
            ),
            within=max(3.0, budget - (time.monotonic() - warm_start)),
        )
    await _wait(lambda: time.time() - state.last_message > 0.5, within=30)
    return probes


async def _server_idle(http: httpx.AsyncClient, within: float, window: float = 0.5) -> bool:
    """Wait until the server used under 20% of a core over ``window`` seconds."""
    deadline = time.monotonic() + within
    before = (await http.get("/bench/hub/")).json()["cpu_s"]
    while time.monotonic() < deadline:
        await asyncio.sleep(window)
        now = (await http.get("/bench/hub/")).json()["cpu_s"]
        if now - before < 0.2 * window:
            return True
        before = now
    return False


async def _wait_for_hub(http: httpx.AsyncClient, state: State, budget: float) -> dict | None:
    """Until the hub holds every subscription sent (None: the server cannot tell)."""
    deadline = time.monotonic() + budget
    while True:
        hub = (await http.get("/bench/hub/")).json()["hub"]
        if hub is None or hub["subscribers"] >= state.subscriptions:
            return hub
        if time.monotonic() > deadline:
            return hub
        await asyncio.sleep(0.25)


async def _warm_up_distinct(
    http: httpx.AsyncClient, state: State, probe_task: int, budget: float
) -> int:
    """Probes until every stream that can see the probe has one; between probes, wait
    for the server to be idle (a probe costs one viewset run per user: seconds)."""
    warm_start = time.monotonic()
    probes = 0
    while state.ready_count < state.probe_target and time.monotonic() - warm_start < budget:
        await _probe(http, probe_task, probes)
        probes += 1
        await asyncio.sleep(0.5)
        left = budget - (time.monotonic() - warm_start)
        if state.ready_count < state.probe_target:
            await _server_idle(http, within=max(1.0, left))
    await _server_idle(http, within=30)
    await _wait(lambda: time.time() - state.last_message > 0.5, within=30)
    return probes


async def run(args: argparse.Namespace, prep: dict[str, Any]) -> dict[str, Any]:
    n = args.subscribers
    limits = _raise_fd_limit(n + 64)
    if limits[0] < n + 64:
        return {"error": f"RLIMIT_NOFILE {limits} is below the {n + 64} descriptors needed"}
    workload = plan(args.mode, args.mix, args.users, prep, n, cursor=args.cursor)
    seqs = expected_seqs(workload.streams, args.changes, workload.tasks)
    ws_url = args.url.replace("http://", "ws://") + PATHS[args.mode]
    state = State(len(workload.streams), seqs)
    gate = asyncio.Semaphore(args.connect_concurrency)
    started = time.monotonic()
    index = {id(stream): k for k, stream in enumerate(workload.streams)}
    clients = [
        _client([(index[id(s)], s) for s in workload.by_socket[i]], ws_url,
                workload.tokens[i], args.url, gate, state)
        for i in range(n)
    ]  # fmt: skip
    readers = [t for t in await asyncio.gather(*clients) if t is not None]
    connect_s = time.monotonic() - started
    result: dict[str, Any] = {"subscribers": n, "connected": state.connected, "fd_limit": limits}
    result["users"] = args.users
    result["streams"] = len(workload.streams)
    result["connect_errors"] = state.connect_errors
    result["connect_s"] = connect_s

    async with httpx.AsyncClient(base_url=args.control or args.url, timeout=120) as http:
        warm_start = time.monotonic()
        if args.users == "one":
            probes = await _warm_up(http, state, n, workload.probe_task, args.warmup)
        else:
            hub = await _wait_for_hub(http, state, args.warmup)
            result["hub_at_start"] = hub
            probes = await _warm_up_distinct(http, state, workload.probe_task, args.warmup)
        result.update(
            warmup_s=time.monotonic() - warm_start,
            probes=probes,
            ready=state.ready_count,
            probe_target=state.probe_target,
        )

        await http.post("/bench/reset/")
        state.measuring = True
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        t_ready = time.monotonic()
        print("READY", flush=True)

        expected = state.expected_total
        budget = (args.changes / args.rate if args.rate else 0) + args.drain

        def done() -> bool:
            if state.distinct >= expected:
                return True
            last_seen = state.max_seq_seen >= args.changes - 1
            return last_seen and time.time() - state.last_message > args.quiet

        deadline = time.monotonic() + budget
        while True:
            finished = await _wait(done, within=max(0.0, deadline - time.monotonic()), step=0.02)
            if not finished or state.distinct >= expected:
                break
            # Quiet sockets are not an idle server: a full collection at 5,000 sockets
            # stops every socket for ~2 s. Ended only once the server is idle too.
            left = deadline - time.monotonic()
            if left <= 0 or (await _server_idle(http, within=left) and done()):
                finished = left > 0
                break
        measured_s = time.monotonic() - t_ready
        server = (await http.get("/bench/stats/")).json()
        print("DONE", flush=True)
        if args.hold:  # keep the sockets open until told (a profiler is being stopped)
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), 60)

    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    result.update(analyse(state, len(workload.streams), args.changes, workload.tasks, seqs))
    # Missing deliveries are "lost" only if the run ended quietly after the last change;
    # at the deadline they may still be on their way: "late".
    result["late"] = 0 if finished else result["lost"]
    result["lost"] = result["lost"] if finished else 0
    result.update(
        finished=finished,
        timed_out=not finished,
        measured_s=measured_s,
        loadgen_cpu_s=cpu,
        loadgen_cpu_util=cpu / measured_s if measured_s else None,
        other_messages=state.other,
        other_sample=state.other_sample,
        closed=state.closed,
        open_readers=sum(1 for t in readers if not t.done()),
        server=server,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT of the server")
    parser.add_argument("--control", help="http://127.0.0.1:PORT of the control server")
    parser.add_argument("--mode", choices=sorted(PATHS), default="ours")
    parser.add_argument("--mix", choices=["same", "mixed"], default="same")
    parser.add_argument("--users", choices=USERS, default="one", help="see workloads.py")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--prep", required=True, help="JSON printed by benchmarks.prepare")
    parser.add_argument("--out", required=True)
    parser.add_argument("--drain", type=float, default=20.0, help="seconds allowed after writes")
    parser.add_argument("--quiet", type=float, default=2.0, help="quiet seconds that end a run")
    parser.add_argument("--warmup", type=float, default=60.0, help="warm-up budget, seconds")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--hold", action="store_true", help="after DONE, wait for a stdin line")
    parser.add_argument(
        "--cursor", action="store_true", help="ours: select the event's cursor (resume logs)"
    )
    args = parser.parse_args()
    try:
        with open(args.prep) as prep:
            # uvloop, as the server uses: the instrument's own time per message is part
            # of every latency it measures, so keep it small.
            result = uvloop.run(run(args, json.load(prep)))
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    with open(args.out, "w") as out:
        json.dump(result, out)
    sys.stdout.flush()
    os._exit(0 if "error" not in result else 3)  # do not wait for N socket closes


if __name__ == "__main__":
    main()
