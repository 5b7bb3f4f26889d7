"""Convergence over longer random histories (issue 22): more subscribers, more minutes.

    .venv/bin/python -m benchmarks.convergence                          # SQLite, ~5 minutes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m benchmarks.convergence --database env --seconds 60

The suite's check (tests/shapes/test_convergence.py) with the knobs turned up: for every
model shape, two uvicorn processes of the shapes project on one private ``redis-server``
(started here on a free port, stopped by its PID), a writer process, ``--subscribers``
clients as ``--users`` distinct users, and a random history of REST and ORM writes,
membership changes, related-row edits and deletes, reconnections with ``after:`` to the
other server and one restart, for ``--seconds`` per shape. Then, at rest, every client's
rows must equal its REST list. Prints one markdown row per shape: steps, events applied,
reconnections, RESUME_EXPIRED, seconds until every client was exact at rest, and the
verdict; writes ``benchmarks/results/<timestamp>-convergence.json``. ``--seed`` replays.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.shapes.settings")

import django  # noqa: E402

django.setup()  # the shapes' models, imported below

from tests.e2e.servers import RedisServer, fresh_postgres_database  # noqa: E402
from tests.shapes.history import History  # noqa: E402
from tests.shapes.matrix import Shape  # noqa: E402
from tests.shapes.models import SHAPES  # noqa: E402
from tests.shapes.servers import ShapesSite  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


async def one_shape(site: ShapesSite, urls: list[str], people: Any, name: str, args: Any) -> dict:
    seed = f"{args.seed}-{name}"
    history = History(site, urls, people, Shape.of(name), random.Random(seed), args.subscribers)
    row: dict[str, Any] = {"shape": name, "seed": seed}
    try:
        await history.subscribe()
        steps, started = 0, time.monotonic()
        restarted = False
        while time.monotonic() - started < args.seconds:
            if not restarted and time.monotonic() - started > args.seconds / 2:
                await history.restart(urls[1])
                restarted = True
            await history.step()
            steps += 1
            await asyncio.sleep(history.rng.random() * 0.05)
        settling = time.monotonic()
        await history.converged(timeout=60)
        row.update(converged=True, settle_s=round(time.monotonic() - settling, 2))
    except AssertionError as failure:
        row.update(converged=False, failure=str(failure)[:4000])
    finally:
        clients = [client for client, _, _ in history.clients]
        row.update(
            steps=len([line for line in history.log if "reconnected" not in line]),
            events=sum(client.mirror.applied for client in clients),
            reconnections=sum("reconnected" in line for line in history.log),
            expired=sum(client.expired for client in clients),
            subscribers=len(clients),
        )
        await history.close()
    return row


async def main(args: Any) -> int:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    shapes = args.shapes.split(",") if args.shapes else list(SHAPES)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, RedisServer.running(Path(tmp)) as redis:
        database = os.environ["DATABASE_URL"] if args.database == "env" else None
        fresh = fresh_postgres_database(database) if database else contextlib.nullcontext()
        with fresh as url, ShapesSite(Path(tmp), url, redis.url) as site:
            people = site.write({"op": "setup", "users": args.users})
            with site.server() as first, site.server() as second:
                for name in shapes:
                    print(f"{name}: {args.seconds} s of history...", file=sys.stderr)
                    rows.append(await one_shape(site, [first, second], people, name, args))
    header = (
        "| shape | subscribers | steps | events applied | reconnections | RESUME_EXPIRED "
        "| exact at rest after | converged |"
    )
    print(f"\n{args.database}, seed {args.seed}, {args.users} users\n")
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        settle = f"{row['settle_s']} s" if row.get("converged") else "-"
        print(f"| {row['shape']} | {row['subscribers']} | {row['steps']} | {row['events']} | "
              f"{row['reconnections']} | {row['expired']} | {settle} | "
              f"{'yes' if row.get('converged') else 'NO'} |")  # fmt: skip
    for row in rows:
        if not row.get("converged"):
            print(f"\n{row['shape']} (seed {row['seed']}):\n{row['failure']}")
    out = RESULTS / f"{stamp}-convergence.json"
    out.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))
    print(f"\nwritten: {out}", file=sys.stderr)
    return 0 if all(row.get("converged") for row in rows) else 1


def parse(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="history per shape")
    parser.add_argument("--subscribers", type=int, default=16)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--shapes", default="", help="comma-separated; default: every shape")
    parser.add_argument("--database", choices=["sqlite", "env"], default="sqlite")
    parser.add_argument("--seed", type=int, default=random.randrange(1_000_000))
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    sys.exit(asyncio.run(main(arguments)))
