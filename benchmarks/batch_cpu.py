"""CPU of one change for N distinct users' groups, in process: worker thread and loop apart.

The full benchmark (run.py) measures a server; this measures the hub's own work for a
change reaching N groups (one per user, every one in the Bench project), without
sockets, so a change to batch.py can be judged in seconds::

    python -m benchmarks.batch_cpu --users 1000 --changes 30          # SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_distinct \\
        python -m benchmarks.batch_cpu --users 1000 --database env

Prints JSON: per change, the worker's CPU (``evaluate_batch``), the loop's CPU (the
groups' ``apply``: fingerprints, frames, offers to a counting subscriber) and the SQL
statements of the evaluation, as medians over ``--changes`` after two warm-up changes.
``--profile FILE`` writes cProfiles of the measured changes: ``FILE.loop``, ``FILE.worker``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")

TASKS = "subscription { tasksChanged { kind id node { id title status } } }"


class Counting:
    """A subscriber that only counts what it is offered."""

    def __init__(self) -> None:
        self.group: Any = None
        self.pending: Any = None
        self.offered = 0
        self.wants_cursor = bool(os.environ.get("BENCH_CURSOR"))

    def expect(self, count: int) -> None:
        pass

    def kinds_needed(self, change: Any) -> tuple[str, ...]:
        return ()

    def offer(self, change: Any) -> None:
        self.offered += 1

    def fail(self, error: BaseException) -> None:
        raise AssertionError(f"a group failed: {error}")

    def stop(self) -> None:
        pass


def _groups(prepared: dict, users: int) -> list[Any]:
    from drf_graphql_live.api.request import OperationRequest
    from drf_graphql_live.live.groups import Group
    from drf_graphql_live.live.keys import group_key
    from drf_graphql_live.live.render import prepare_live_operation, split_arguments
    from drf_graphql_live.registry import load_project_schema
    from drf_graphql_live.testing import make_context

    schema = load_project_schema()
    live = prepare_live_operation(schema, TASKS, None)
    assert live is not None
    groups = []
    for _uid, token in prepared["bench_users"][:users]:
        context = make_context(headers={"Authorization": f"Token {token}"})
        document = live.bind(context, {})
        assert document is not None
        arguments, _start = split_arguments(document.arguments)
        operation = OperationRequest(live.field, context, arguments, live.selection)
        groups.append(Group((*group_key(operation), document.key), operation, document))
    return groups


def _gc_counter() -> dict[str, int]:
    """Collections by generation and by the thread whose allocation started them."""
    counts: dict[str, int] = {}

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            loop = threading.current_thread() is threading.main_thread()
            key = f"gen{info['generation']}-{'loop' if loop else 'worker'}"
            counts[key] = counts.get(key, 0) + 1

    gc.callbacks.append(count)
    return counts


async def _measure(prepared: dict, args: argparse.Namespace) -> dict[str, Any]:
    from asgiref.sync import sync_to_async
    from django.db import connection

    from drf_graphql_live.live import dispatch as groups_module
    from drf_graphql_live.live.events import make_event
    from drf_graphql_live.live.render import Start
    from sample_site.board.models import Task

    groups = _groups(prepared, args.users)
    members = [Counting() for _ in groups]
    started = time.perf_counter()
    for group, member in zip(groups, members, strict=True):
        await group.join(member, Start(), group.operation.context)
    joined = time.perf_counter() - started
    if os.environ.get("BENCH_GC_FREEZE"):
        gc.collect()
        gc.freeze()
    collections = _gc_counter()
    worker: list[tuple[float, int]] = []
    original = groups_module.evaluate_batch

    worker_profile = cProfile.Profile() if args.profile else None

    def timed(work: Any) -> Any:
        before, queries = time.thread_time(), statements[0]
        with connection.execute_wrapper(counted):
            if worker_profile and len(worker) >= 2:
                results = worker_profile.runcall(original, work)
            else:
                results = original(work)
        worker.append((time.thread_time() - before, statements[0] - queries))
        return results

    groups_module.evaluate_batch = timed
    statements = [0]

    def counted(execute: Any, *args: Any) -> Any:
        statements[0] += 1
        return execute(*args)

    profiler = cProfile.Profile() if args.profile else None
    loop_cpu, wall = [], []
    tasks = prepared["tasks"]
    save = sync_to_async(lambda pk, k: Task.objects.filter(pk=pk).update(title=f"cpu {k}"))
    for k in range(args.changes + 2):
        pk = tasks[k % len(tasks)]
        await save(pk, k)
        event = make_event("board.task", pk, deleted=False, affects={"board.task": {str(pk)}})
        for group in groups:
            group.cache.changed(("board.task",))
        concerned = groups_module.targets(event, groups)
        if k == 2:
            collections.clear()  # the warm-up built every group's view and statement
        if profiler and k >= 2:
            profiler.enable()
        cpu, start = time.process_time(), time.perf_counter()
        await groups_module.process(event, concerned)
        loop_cpu.append(time.process_time() - cpu)
        wall.append(time.perf_counter() - start)
        if profiler and k >= 2:
            profiler.disable()
    groups_module.evaluate_batch = original
    if profiler and worker_profile:
        profiler.dump_stats(f"{args.profile}.loop")
        worker_profile.dump_stats(f"{args.profile}.worker")
    measured = slice(2, None)
    worker_cpu = [w for w, _ in worker][measured]
    total = loop_cpu[measured]  # process_time: every thread, the worker's included
    offered = sum(m.offered for m in members)
    loop = [t - w for t, w in zip(total, worker_cpu, strict=True)]
    return {
        "users": args.users,
        "vendor": connection.vendor,
        "join_s": round(joined, 2),
        "offered": offered,
        "worker_ms": round(statistics.median(worker_cpu) * 1e3, 2),
        "loop_ms": round(statistics.median(loop) * 1e3, 2),
        "total_ms": round(statistics.median(total) * 1e3, 2),
        "wall_ms": round(statistics.median(wall[measured]) * 1e3, 2),
        "us_per_group": round(statistics.median(total) * 1e6 / len(groups), 1),
        # The first change after the joins: what each group builds at its first
        # evaluation (issue 26: it must cost no more than 2x the steady state).
        "first_total_ms": round(loop_cpu[0] * 1e3, 2),
        "first_worker_ms": round(worker[0][0] * 1e3, 2),
        "first_wall_ms": round(wall[0] * 1e3, 2),
        "first_sql": worker[0][1],
        "sql": statistics.median(q for _, q in worker[measured]),
        "gc_per_change": {g: n / args.changes for g, n in sorted(collections.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "env"], default="sqlite")
    parser.add_argument("--profile", help="write a cProfile of the measured changes here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dgl-cpu-") as tmp:
        if args.database == "sqlite":
            os.environ.pop("DATABASE_URL", None)
            os.environ["SQLITE_PATH"] = str(Path(tmp) / "cpu.sqlite3")
        from benchmarks.prepare import prepare

        prepared = prepare(tasks=20, users=args.users, projects=5)
        print(json.dumps(asyncio.run(_measure(prepared, args))))


if __name__ == "__main__":
    main()
