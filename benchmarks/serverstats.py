"""Counters the benchmark server exposes on ``/bench/stats/``: SQL, CPU, memory.

SQL statements are counted on every connection of every thread, through an execute
wrapper installed when Django opens the connection (``connection_created``). Work done
by the benchmark's own writer (``/bench/write/``: the UPDATE, the signal handlers that
run inside it) is counted apart, so that "SQL per change" and "CPU per delivery" are the
fan-out's alone::

    install()                       # once, at import of benchmarks.asgi
    with writing(): task.save()     # counted as write work
    snapshot()                      # {"queries": ..., "cpu_s": ..., ...} since reset()
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db.backends.signals import connection_created

__all__ = ["committed", "hub", "install", "reset", "snapshot", "writing"]

_local = threading.local()
_lock = threading.Lock()
_counts = {"queries": 0, "write_queries": 0, "writes": 0, "commits": 0}
_write_cpu = [0.0]
_baseline = {"cpu": 0.0, "wall": 0.0}
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
_gc: dict[str, Any] = {"started": 0.0, "seconds": 0.0, "collections": [0, 0, 0], "full": []}


_promoted: dict[str, Any] = {"total": Counter(), "before_young": Counter()}


def _gc_timer(phase: str, info: dict[str, Any]) -> None:
    """Time the cyclic garbage collector (profilers blame its pauses on allocations)."""
    if phase == "start":
        if info["generation"] == 1 and os.environ.get("BENCH_GC_PROMOTED"):
            _promoted["before_young"] = _old_types()
        _gc["started"] = time.perf_counter()
    else:
        _gc["seconds"] += time.perf_counter() - _gc["started"]
        _gc["collections"][info["generation"]] += 1
        if info["generation"] == 2:  # when, since the reset, and how long it stopped the loop
            _gc["full"].append(
                (round(time.monotonic() - _baseline["wall"], 2),
                 round(time.perf_counter() - _gc["started"], 3))
            )  # fmt: skip
        if info["generation"] == 1 and os.environ.get("BENCH_GC_PROMOTED"):
            # what this collection moved to the old generation (survivors of the young ones)
            _promoted["total"].update(_old_types() - _promoted["before_young"])


def _old_types() -> Counter:
    return Counter(_type_name(o) for o in gc.get_objects(generation=2))


_statements: dict[str, int] = {}  # fan-out SQL by its first 120 characters


def _count(execute: Any, sql: str, params: Any, many: bool, context: dict) -> Any:
    writing = getattr(_local, "writing", False)
    with _lock:
        if writing:
            _counts["write_queries"] += 1
        else:
            _counts["queries"] += 1
            _statements[sql[:120]] = _statements.get(sql[:120], 0) + 1
    return execute(sql, params, many, context)


def _install_wrapper(sender: Any, connection: Any, **_: Any) -> None:
    # The wrapper list belongs to the (per-thread) DatabaseWrapper and survives a
    # reconnect, which fires connection_created again: install once.
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


def install() -> None:
    connection_created.connect(_install_wrapper, dispatch_uid="benchmarks.sql_counter")
    gc.callbacks.append(_gc_timer)
    reset()


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Attribute SQL and thread CPU inside the block to the benchmark's writer."""
    _local.writing = True
    started = time.thread_time()
    try:
        yield
    finally:
        _local.writing = False
        with _lock:
            _write_cpu[0] += time.thread_time() - started
            _counts["writes"] += 1


def committed() -> None:
    """Count a committed change (an on_commit callback registered before the save's)."""
    with _lock:
        _counts["commits"] += 1


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_KB


def reset() -> None:
    """Zero the counters. ``BENCH_GC=freeze|off`` then changes the cyclic GC (experiment)."""
    setting = os.environ.get("BENCH_GC", "default")
    if setting == "freeze":  # what exists now (connections, subscriptions) is never scanned
        gc.collect()
        gc.freeze()
    elif setting == "off":
        gc.disable()
    with _lock:
        for key in _counts:
            _counts[key] = 0
        _write_cpu[0] = 0.0
        _gc["seconds"] = 0.0
        _gc["collections"] = [0, 0, 0]
        _gc["full"] = []
        _statements.clear()
        _promoted["total"].clear()
        _baseline["cpu"] = _cpu()
        _baseline["wall"] = time.monotonic()


def _hub_size() -> dict[str, int] | None:
    """Groups and subscribers in drf-graphql-live's hubs (best effort: internals).

    Read from a control thread while the loop may change the dicts: retried.
    """
    for _attempt in range(5):
        try:
            from drf_graphql_live.live.hub import Hub

            hubs = list(Hub._by_loop.values())
            groups = [group for hub in hubs for group in list(hub.groups.values())]
            subscribers = sum(len(getattr(g, "subscribers", ())) for g in groups)
            return {"groups": len(groups), "subscribers": subscribers}
        except RuntimeError:  # changed size during iteration
            continue
        except Exception:
            return None
    return None


def _resume_memory() -> dict[str, int] | None:
    """The in-memory resume store (in-memory layer): its logs and their entries."""
    for _attempt in range(5):
        try:
            from drf_graphql_live.live.resume_store import _MEMORY

            logs = list(_MEMORY._logs.values())
            return {"logs": len(logs), "entries": sum(len(entries) for entries, _ in logs)}
        except RuntimeError:  # changed size during iteration
            continue
        except Exception:
            return None
    return None


def hub() -> dict[str, Any]:
    """Cheap enough to poll while sockets connect: the hub's size and process CPU."""
    return {"hub": _hub_size(), "cpu_s": _cpu(), "resume_memory": _resume_memory(),
            "rss_kb": _rss_kb()}  # fmt: skip


def _type_name(obj: Any) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def snapshot() -> dict[str, Any]:
    with _lock:
        counts = dict(_counts)
        write_cpu = _write_cpu[0]
        statements = sorted(_statements.items(), key=lambda item: -item[1])[:10]
    return {
        "pid": os.getpid(),
        "mode": os.environ.get("BENCH_MODE", "ours"),
        **counts,
        "cpu_s": _cpu() - _baseline["cpu"],
        "write_cpu_s": write_cpu,
        "wall_s": time.monotonic() - _baseline["wall"],
        "top_sql": [{"count": n, "sql": sql} for sql, n in statements],
        "rss_kb": _rss_kb(),
        "rss_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "threads": threading.active_count(),
        "gc_s": _gc["seconds"],
        "gc_collections": list(_gc["collections"]),
        "gc_full": list(_gc["full"]),  # [(seconds since the reset, pause seconds)]
        # what a full (generation 2) collection has to walk: its pause grows with it
        "gc_old_objects": len(old := gc.get_objects(generation=2)),
        # ... and of what (per subscriber, divide by N): where to cut
        "gc_old_types": dict(Counter(_type_name(o) for o in old).most_common(25)),
        "hub": _hub_size(),
        "resume_memory": _resume_memory(),
        "gc_promoted": dict(_promoted["total"].most_common(30)),
    }
