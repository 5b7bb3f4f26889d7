"""Writer: M committed changes at a set rate, one task after another (round-robin).

    python -m benchmarks.writer --url http://127.0.0.1:8001 --prep prep.json \\
        --changes 50 --rate 10 --out writer.json      # waits for "GO" on stdin

Change ``seq`` sets task ``tasks[seq % len(tasks)]``'s title to
``"bench <seq> <task> <time.time()>"`` and commits it through the ORM inside the
server process (POST /bench/write/ on its control port; see benchmarks/asgi.py), or,
with ``--via rest``, as any API client would: ``PATCH /api/tasks/<task>/`` on the
ASGI server with alice's token, the title stamped just before the request is sent (so
the latency includes the request through uvicorn, Django and DRF, and the server's
SQL and CPU include the PATCH's own). The schedule is
open-loop: request ``seq`` is sent at ``start + seq / rate`` whether or not the
previous one has returned (``--rate 0``: one after another, as fast as they return).
The tasks are the Bench project's, or with ``--users projects`` the mix projects'
tasks in use at ``--subscribers`` N, interleaved (workloads.plan()).
Prints nothing but ``WRITER READY``; the JSON summary goes to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import httpx

from benchmarks.workloads import USERS, plan


async def _write(http: httpx.AsyncClient, task: int, seq: int) -> dict[str, Any]:
    sent = time.time()
    try:
        response = await http.post("/bench/write/", json={"task": task, "seq": seq})
        response.raise_for_status()
        return {"seq": seq, "sent": sent, "done": time.time(), **response.json()}
    except Exception as exc:
        return {"seq": seq, "sent": sent, "error": f"{type(exc).__name__}: {exc}"}


async def _patch(http: httpx.AsyncClient, task: int, seq: int) -> dict[str, Any]:
    """The change through the REST API; ``published`` is when the response arrived."""
    sent = time.time()
    try:
        response = await http.patch(
            f"/api/tasks/{task}/", json={"title": f"bench {seq} {task} {sent:.6f}"}
        )
        response.raise_for_status()
        done = time.time()
        return {"seq": seq, "sent": sent, "done": done, "ts": sent, "published": done}
    except Exception as exc:
        return {"seq": seq, "sent": sent, "error": f"{type(exc).__name__}: {exc}"}


async def run(args: argparse.Namespace, prep: dict[str, Any]) -> dict[str, Any]:
    tasks = plan("ours", "same", args.users, prep, args.subscribers).tasks
    rest = args.via == "rest"
    write = _patch if rest else _write
    headers = {"Authorization": f"Token {prep['token']}"} if rest else {}
    async with httpx.AsyncClient(base_url=args.url, timeout=args.timeout, headers=headers) as http:
        await http.get("/api/" if rest else "/bench/stats/")  # connection warm
        print("WRITER READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        start = time.monotonic()
        pending = []
        for seq in range(args.changes):
            if args.rate:
                delay = start + seq / args.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                pending.append(asyncio.create_task(write(http, tasks[seq % len(tasks)], seq)))
            else:
                pending.append(asyncio.create_task(write(http, tasks[seq % len(tasks)], seq)))
                await pending[-1]
        # Bounded: a write's response waits for its publish, which waits for the
        # server's event loop; past the deadline, unanswered writes are "unconfirmed".
        deadline = start + (args.changes / args.rate if args.rate else 0) + args.deadline
        await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        writes = [task.result() for task in pending if task.done()]
        for task in pending:
            task.cancel()
    ok = [w for w in writes if "error" not in w]
    lag = sorted((w["ts"] - w["sent"]) * 1000 for w in ok)
    publish = sorted((w["published"] - w["ts"]) * 1000 for w in ok)
    span = (ok[-1]["ts"] - ok[0]["ts"]) if len(ok) > 1 else 0.0
    return {
        "changes": args.changes,
        "written": len(ok),
        "failed": len(writes) - len(ok),
        "unconfirmed": len(pending) - len(writes),
        "errors": [w["error"] for w in writes if "error" in w][:5],
        "first_ts": ok[0]["ts"] if ok else None,
        "last_ts": ok[-1]["ts"] if ok else None,
        "achieved_rate": (len(ok) - 1) / span if span else None,
        # request sent -> title stamped in the server (queueing in the server)
        "lag_ms": {"p50": lag[len(lag) // 2], "max": lag[-1]} if lag else None,
        # title stamped -> commit done and on_commit publish returned (rest: the response)
        "publish_ms": {"p50": publish[len(publish) // 2], "max": publish[-1]} if publish else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the control URL (rest: the server's)")
    parser.add_argument("--via", choices=["control", "rest"], default="control")
    parser.add_argument("--prep", required=True)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--users", choices=USERS, default="one", help="whose tasks (workloads)")
    parser.add_argument("--subscribers", type=int, default=1, help="N (the mix's projects)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, s")
    parser.add_argument("--deadline", type=float, default=20.0, help="s allowed after the last")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        with open(args.prep) as prep:
            result = asyncio.run(run(args, json.load(prep)))
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
