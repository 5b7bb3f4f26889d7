"""Memory per socket (issue 26): N distinct users, one subscription each, in-process.

    python -m benchmarks.memory_per_socket --sockets 1000            # tracemalloc + RSS
    python -m benchmarks.memory_per_socket --sockets 1000 --frames 40  # by our caller
    python -m benchmarks.memory_per_socket --sockets 5000 --no-trace   # RSS only

A fresh SQLite file (``--database sqlite``, WAL) or the environment's ``DATABASE_URL``
(``--database env``) is prepared as benchmarks/prepare.py does (``--tasks`` bench tasks,
N users ``bench-d<i>``, members of Bench). Then, on one event loop with the in-memory
layer, Channels' ``WebsocketCommunicator`` clients connect to sample_site's ASGI
application as those users and subscribe to ``tasksChanged { kind id cursor node { id
title status } }`` (one group per user), ``--batch`` at a time, until the hub holds N
joined subscribers. The first ``--warm`` sockets are the baseline (imports, caches, the
hub): what the other N - warm add is divided by their number.

Reported: RSS delta, tracemalloc's traced delta (grouped by file/line, by file, and with
``--frames`` > 1 by the innermost drf_graphql_live frame that led to it), and the live
objects added per socket by type (``gc.get_objects()``, ``sys.getsizeof``). The client
side (``channels/testing``, ``asgiref/testing``) is in-process too: its share is shown
apart, a real server holds uvicorn's protocol objects instead.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")
os.environ.setdefault("DEBUG", "0")  # as the benchmarks serve it: no query log
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

DOCUMENT = "subscription { tasksChanged { kind id cursor node { id title status } } }"
CLIENT_SIDE = ("channels/testing", "asgiref/testing", "benchmarks/memory_per_socket")
OURS = "drf_graphql_live/"


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _types() -> Counter[str]:
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        name = type(obj).__qualname__
        module = type(obj).__module__
        key = name if module == "builtins" else f"{module}.{name}"
        counts[key] += 1
        sizes[key] += sys.getsizeof(obj)
    return Counter({k: (counts[k], sizes[k]) for k in counts})  # type: ignore[misc]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/wt26m/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


async def _connect(token: str) -> Any:
    from drf_graphql_live.testing import GraphQLWSClient
    from sample_site.asgi import application

    payload = {"Authorization": f"Token {token}"}
    client = GraphQLWSClient(application, payload)
    connected, _ = await client.communicator.connect(30)  # __aenter__ waits 1 s: too short
    assert connected, "handshake refused"
    await client.communicator.send_json_to({"type": "connection_init", "payload": payload})
    assert await client.acknowledged(30), "refused"
    await client.subscribe(DOCUMENT)
    return client


async def _joined(count: int, bound: float) -> None:
    from drf_graphql_live.live.hub import Hub

    hub, loop = Hub.for_running_loop(), asyncio.get_running_loop()
    deadline = loop.time() + bound
    while sum(len(g.subscribers) for g in hub.groups.values() if not g.joining) < count:
        if loop.time() > deadline:
            raise TimeoutError(f"{count} subscriptions never joined")
        await asyncio.sleep(0.05)


async def _open(tokens: list[str], clients: list[Any], batch: int) -> None:
    for start in range(0, len(tokens), batch):
        clients += await asyncio.gather(*(_connect(t) for t in tokens[start : start + batch]))
        await _joined(len(clients), 120)


def _settle() -> None:
    gc.unfreeze()  # GC_FREEZE: get_objects() does not list the frozen ones
    for _ in range(3):
        gc.collect()


def _report_trace(before: Any, after: Any, per: int, frames: int, top: int) -> None:
    stats = after.compare_to(before, "lineno")
    total = sum(s.size_diff for s in stats)
    client = sum(
        s.size_diff for s in stats if any(m in s.traceback[0].filename for m in CLIENT_SIDE)
    )
    print(
        f"\ntracemalloc: {total / per:,.0f} B/socket traced "
        f"({client / per:,.0f} of them client side, {(total - client) / per:,.0f} server side)"
    )
    print(f"\ntop {top} lines (B/socket, blocks/socket):")
    for stat in stats[:top]:
        frame = stat.traceback[0]
        print(
            f"  {stat.size_diff / per:9,.0f} {stat.count_diff / per:7.1f}  "
            f"{_short(frame.filename)}:{frame.lineno}"
        )
    by_file: Counter[str] = Counter()
    for stat in stats:
        by_file[_short(stat.traceback[0].filename)] += stat.size_diff
    print(f"\ntop {top} files (B/socket):")
    for name, size in by_file.most_common(top):
        print(f"  {size / per:9,.0f}  {name}")
    if frames > 1:
        ours: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        for stat in after.compare_to(before, "traceback"):
            where = next(
                (
                    f"{_short(f.filename)}:{f.lineno}"
                    for f in reversed(stat.traceback)
                    if OURS in f.filename
                ),
                "(none)",
            )
            inner = stat.traceback[-1]
            ours[where] += stat.size_diff
            pairs[f"{where} <- {_short(inner.filename)}:{inner.lineno}"] += stat.size_diff
        for title, counter in (
            ("innermost drf_graphql_live frame", ours),
            ("that frame <- the allocating line", pairs),
        ):
            print(f"\ntop {top} by {title} (B/socket):")
            for name, size in counter.most_common(top):
                print(f"  {size / per:9,.0f}  {name}")


def _report_types(before: Counter, after: Counter, per: int, top: int) -> None:
    diff = []
    for key, (count, size) in after.items():
        count0, size0 = before.get(key, (0, 0))
        diff.append((size - size0, count - count0, key))
    diff.sort(reverse=True)
    gc_total = sum(d[0] for d in diff)
    print(f"\ngc-tracked objects: {gc_total / per:,.0f} B/socket (getsizeof, shallow)")
    print(f"top {top} types (B/socket, objects/socket):")
    for size, count, key in diff[:top]:
        print(f"  {size / per:9,.0f} {count / per:7.2f}  {key}")


async def measure(tokens: list[str], warm: int, batch: int, args: Any) -> None:
    from channels.layers import channel_layers

    from drf_graphql_live.live.hub import Hub

    channel_layers.backends.clear()
    clients: list[Any] = []
    began = time.monotonic()
    await _open(tokens[:warm], clients, batch)
    await asyncio.sleep(0.5)
    _settle()
    rss0, types0 = _rss_kb(), (_types() if args.types else None)
    trace0 = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
    await _open(tokens[warm:], clients, batch)
    await asyncio.sleep(0.5)
    _settle()
    rss1 = _rss_kb()
    trace1 = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
    types1 = _types() if args.types else None
    per = len(tokens) - warm
    hub = Hub.for_running_loop()
    print(
        f"{len(clients)} sockets, {len(hub.groups)} groups, "
        f"{time.monotonic() - began:.1f} s to subscribe; measured over the last {per}"
    )
    print(
        f"RSS: {rss0:,} KB -> {rss1:,} KB: {(rss1 - rss0) * 1024 / per:,.0f} B/socket"
        + (" (tracemalloc's own bookkeeping included)" if trace1 else "")
    )
    if trace0 is not None and trace1 is not None:
        filters = [tracemalloc.Filter(False, tracemalloc.__file__)]
        _report_trace(
            trace0.filter_traces(filters), trace1.filter_traces(filters), per, args.frames, args.top
        )
    if types0 is not None and types1 is not None:
        _report_types(types0, types1, per, args.top)
    for client in clients:
        await client.__aexit__(None, None, None)
    await hub.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--warm", type=int, default=0, help="baseline sockets (default N/10)")
    parser.add_argument("--batch", type=int, default=50, help="sockets connecting at once")
    parser.add_argument("--tasks", type=int, default=50, help="bench tasks each user sees")
    parser.add_argument("--database", choices=("sqlite", "env"), default="sqlite")
    parser.add_argument("--frames", type=int, default=1, help="tracemalloc frames")
    parser.add_argument("--no-trace", action="store_true", help="RSS only")
    parser.add_argument("--no-types", dest="types", action="store_false")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    warm = args.warm or max(10, args.sockets // 10)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database == "sqlite":
            os.environ.pop("DATABASE_URL", None)
            os.environ["SQLITE_PATH"] = os.path.join(tmp, "memory.sqlite3")
        from benchmarks.prepare import prepare

        prep = prepare(args.tasks, warm + args.sockets)
        tokens = [token for _uid, token in prep["bench_users"][: warm + args.sockets]]
        from django.db import connections

        connections.close_all()
        if not args.no_trace:
            tracemalloc.start(args.frames)
        asyncio.run(measure(tokens, warm, args.batch, args))


if __name__ == "__main__":
    main()
