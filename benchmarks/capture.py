"""What capture costs the writer, and how soon a commit becomes an event (issue 25).

PostgreSQL (``DATABASE_URL``), sample_site's models, a fresh database per run. In one
run, three ways the same writes are seen: ``none`` (nothing announced: the floor),
``signals`` (model signals + the ORM's bulk-write announcements, the path of SQLite),
``database`` (the triggers; the receivers skip the captured tables). Then the
commit-to-event latency of the database path at a fixed rate: a process's listener,
fed to a timestamping sink in place of a hub::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.capture [--saves 500] [--rows 10000] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="single-row saves per round")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the bulk writes")
    parser.add_argument("--rate", type=float, default=100.0, help="changes/s, latency run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per mode")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("benchmarks.capture needs DATABASE_URL pointing at PostgreSQL")
    name = f"dgl_bench_capture_{uuid.uuid4().hex[:8]}"
    _admin(url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    try:
        run(options)
    finally:
        from django.db import connections

        connections.close_all()
        _admin(url, f'DROP DATABASE "{name}" WITH (FORCE)')


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def run(options: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from sample_site.board.models import Project, Task

    project = Project.objects.first()
    assert project is not None
    rounds: dict[str, list[dict[str, float]]] = {"none": [], "signals": [], "database": []}
    for _ in range(options.rounds):  # interleaved: the machine's noise falls on every mode
        for mode, results in rounds.items():
            with capture_mode(mode):
                results.append(write_costs(project, Task, options))
    rows = {
        mode: {write: statistics.median(r[write] for r in results) for write in results[0]}
        for mode, results in rounds.items()
    }
    print(f"\n## Write cost, PostgreSQL, one run (median of {options.rounds} interleaved rounds)\n")
    print("| write | none | signals | database | signals / none | database / none |")
    print("|---|---|---|---|---|---|")
    for write in rows["none"]:
        none, signals, database = (rows[m][write] for m in ("none", "signals", "database"))
        print(
            f"| {write} | {_ms(none)} | {_ms(signals)} | {_ms(database)} "
            f"| {signals / none:.2f}x | {database / none:.2f}x |"
        )
    with capture_mode("database"):
        latencies = asyncio.run(commit_to_event(project, Task, options))
    print(f"\n## Commit to event, database capture, {options.rate:g} changes/s\n")
    print("| changes | events | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(
        f"| {int(options.rate * options.seconds)} | {len(latencies)} | {_ms(q[49])} "
        f"| {_ms(q[98])} | {_ms(max(latencies))} |"
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


@contextmanager
def capture_mode(mode: str):
    """``none``: no receivers, no bulk-write announcements, no triggers."""
    from django.core.management import call_command
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from drf_graphql_live.capture import orm, state
    from drf_graphql_live.live import signals

    if mode == "database":
        call_command("live_capture", verbosity=0, stdout=open(os.devnull, "w"))
    else:
        call_command("live_capture", remove=True, stdout=open(os.devnull, "w"))
    state.forget()
    token = orm._announcing.set(True) if mode == "none" else None
    receivers = [
        (post_save, "drf_graphql_live.post_save"),
        (pre_delete, "drf_graphql_live.pre_delete"),
        (post_delete, "drf_graphql_live.post_delete"),
        (m2m_changed, "drf_graphql_live.m2m_changed"),
    ]
    if mode == "none":
        for signal, uid in receivers:
            signal.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        if token is not None:
            orm._announcing.reset(token)
        if mode == "none":
            signals.connect()


def write_costs(project, task_model, options) -> dict[str, float]:
    from django.db import transaction

    tasks = [task_model.objects.create(project=project, title=f"t{n}") for n in range(50)]

    def saves() -> None:
        for n in range(options.saves):
            task = tasks[n % len(tasks)]
            task.title = f"s{n}"
            with transaction.atomic():
                task.save()

    def update() -> None:
        with transaction.atomic():
            task_model.objects.filter(title__startswith="bulk").update(status="done")

    def create() -> None:
        with transaction.atomic():
            task_model.objects.bulk_create(
                [task_model(project=project, title=f"bulk{n}") for n in range(options.rows)]
            )

    def bulk_update() -> None:
        objs = list(task_model.objects.filter(title__startswith="bulk")[: options.rows])
        for obj in objs:
            obj.status = "todo"
        with transaction.atomic():
            task_model.objects.bulk_update(objs, ["status"], batch_size=1000)

    result = {f"{options.saves} saves (per save)": _timed(saves) / options.saves}
    result[f"bulk_create() of {options.rows:,}"] = _timed(create)
    result[f"update() of {options.rows:,}"] = _timed(update)
    result[f"bulk_update() of {options.rows:,}"] = _timed(bulk_update)
    task_model.objects.filter(title__startswith="bulk").delete()
    for task in tasks:
        task.delete()
    return result


def _timed(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


async def commit_to_event(project, task_model, options) -> list[float]:
    from asgiref.sync import sync_to_async

    from drf_graphql_live.capture.listener import READY_SECONDS, listener_for

    committed: dict[str, float] = {}
    latencies: list[float] = []

    def sink(message: dict) -> None:
        if message.get("model") == "board.task":
            started = committed.pop(message["pk"], None)
            if started is not None:
                latencies.append(time.perf_counter() - started)

    loop = asyncio.get_running_loop()
    ready = listener_for("default").attach(loop, sink)
    await asyncio.to_thread(ready.wait, READY_SECONDS)
    total = int(options.rate * options.seconds)
    tasks = await sync_to_async(  # one row per change: each event names its own commit
        lambda: [task_model.objects.create(project=project, title="l") for _ in range(total)]
    )()

    def write(n: int) -> None:
        task = tasks[n % len(tasks)]
        task.title = f"l{n}"
        committed[str(task.pk)] = time.perf_counter()  # the save's own time counts too
        task.save()

    start = loop.time()
    for n in range(total):
        await asyncio.sleep(max(0.0, start + n / options.rate - loop.time()))
        await sync_to_async(write)(n)
    deadline = loop.time() + 10
    while committed and loop.time() < deadline:  # noqa: ASYNC110 (a thread fills it)
        await asyncio.sleep(0.05)
    listener_for("default").detach(loop)
    return latencies


if __name__ == "__main__":
    main()
