"""What resume costs (issue 15): the same runs with and without ``cursor`` selected.

    createdb -h 127.0.0.1 -U postgres bench_resume                      # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_resume \\
        .venv/bin/python -m benchmarks.resume --database env --subscribers 100,1000 \\
        --users one,distinct

A subscription whose document selects ``cursor`` makes its group keep a resume log
(``drf_graphql_live/live/journal.py``) saved before each event goes out
(``live/resume_store.py``: with channels-redis, Redis lists ``<prefix>:dgl:resume:<log>``).
One command runs, on the same prepared database and the same private ``redis-server``
(started here on a free port, stopped by its PID, so its CPU and command counters are
the benchmark's alone), for each N and each ``--users``, two configurations back to
back: ours/same without ``cursor``, then with it (``tasksChanged { kind id cursor node
{ id title status } }``). Each is a fresh uvicorn process on
``channels_redis.pubsub.RedisPubSubChannelLayer`` (``REDIS_URL``, as sample_site), the
load generator and the writer of :mod:`benchmarks.run`. Per change it reports Redis CPU
(``INFO cpu`` user+sys delta, minus the idle rate measured for 2 s just before the
writes), Redis commands (``INFO commandstats`` delta, by command), the resume logs in
Redis at the end (``MEMORY USAGE`` of every ``*:dgl:resume:*`` key, their count and
entries), the server's CPU per delivery and p99; then the ratios with / without.

Then the bounded-memory check (``--bound-seconds``, 0 to skip): with ``cursor``,
``RESUME_WINDOW`` = ``--bound-window`` (10 s), changes for ``--bound-seconds`` (40 s) at
the same rate, the resume store's size sampled every second: the in-memory store's
entries (in-memory layer) and the Redis keys' entries and bytes (Redis layer). Both
must plateau once the run is longer than 1.5 windows (a base every half window; what
precedes the newest base older than the window is dropped).

Prints markdown tables; writes ``benchmarks/results/<timestamp>-resume.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import redis

from benchmarks.run import (
    Bench,
    _fmt,
    _free_port,
    _stop,
    new_report,
)

#: commands this module sends to Redis itself: not the benchmark's
OWN_COMMANDS = {"info", "config", "scan", "memory", "llen", "ping", "flushall", "client"}
RESUME_KEYS = "*:dgl:resume:*"


@contextlib.contextmanager
def redis_server(logdir: Path) -> Any:
    """A private redis-server on a free port (no persistence); stopped by its PID."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = _free_port()
    log = open(logdir / "redis-server.log", "w")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--daemonize", "no"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start, see {log.name}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", client, process.pid
    finally:
        client.close()
        _stop(process)
        log.close()


def redis_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def redis_commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    calls = {key.removeprefix("cmdstat_"): int(v["calls"]) for key, v in stats.items()}
    return {name: n for name, n in calls.items() if name.split("|")[0] not in OWN_COMMANDS and n}


def resume_keys(client: redis.Redis) -> dict[str, Any]:
    """Every resume log in Redis: how many, their entries, their memory (exact)."""
    keys = list(client.scan_iter(match=RESUME_KEYS, count=1000))
    memory = entries = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        with client.pipeline(transaction=False) as pipe:
            for key in chunk:
                pipe.memory_usage(key, samples=0)
                pipe.llen(key)
            replies = pipe.execute()
        memory += sum(r or 0 for r in replies[0::2])
        entries += sum(r or 0 for r in replies[1::2])
    return {"keys": len(keys), "entries": entries, "bytes": memory}


class ResumeBench(Bench):
    """benchmarks.run's Bench, measuring a private Redis and the resume store."""

    def __init__(self, args: argparse.Namespace, workdir: Path, logdir: Path) -> None:
        super().__init__(args, workdir, logdir)
        self.redis: redis.Redis | None = None
        self.sample_every = 0.0  # > 0: sample the store's size during the writes
        self._start: dict[str, Any] = {}
        self._samples: list[dict[str, Any]] = []
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    def use_redis(self, url: str | None, client: redis.Redis | None) -> None:
        self.redis = client
        self.server_env = {"REDIS_URL": url, "REDIS_PREFIX": "bench"} if url else {}

    def with_window(self, window: float | None) -> None:
        self.server_env.pop("BENCH_RESUME_WINDOW", None)
        if window:
            self.server_env["BENCH_RESUME_WINDOW"] = str(window)

    def run_one(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self.redis is not None:
            self.redis.flushall()  # our own server: nothing of the previous configuration
        return super().run_one(*args, **kwargs)

    def measure_start(self, name: str, control: str) -> None:
        start: dict[str, Any] = {}
        if self.redis is not None:
            before = redis_cpu(self.redis)
            time.sleep(2)  # the sockets are quiet: Redis' idle rate (its cron, clients)
            start["idle_cpu_per_s"] = (redis_cpu(self.redis) - before) / 2
            self.redis.config_resetstat()
            start["cpu"] = redis_cpu(self.redis)
            start["resume"] = resume_keys(self.redis)  # the bases the joins wrote
        start["t"] = time.monotonic()
        self._start = start
        self._samples = []
        if self.sample_every:
            self._sampling.clear()
            self._sampler = threading.Thread(target=self._sample, args=(control,), daemon=True)
            self._sampler.start()

    def _sample(self, control: str) -> None:
        with httpx.Client(base_url=control, timeout=10) as http:
            while not self._sampling.wait(self.sample_every):
                sample: dict[str, Any] = {"t": round(time.monotonic() - self._start["t"], 1)}
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    hub = http.get("/bench/hub/").json()
                    sample["memory_store"] = hub.get("resume_memory")
                    sample["server_rss_kb"] = hub.get("rss_kb")
                if self.redis is not None:
                    sample["redis"] = resume_keys(self.redis)
                    sample["redis_used_memory"] = self.redis.info("memory")["used_memory"]
                self._samples.append(sample)

    def measure_end(self, name: str, control: str) -> dict[str, Any] | None:
        self._sampling.set()
        if self._sampler is not None:
            self._sampler.join(timeout=30)
            self._sampler = None
        end: dict[str, Any] = {"seconds": time.monotonic() - self._start["t"]}
        if self.redis is not None:
            cpu = redis_cpu(self.redis) - self._start["cpu"]
            end["redis"] = {
                "cpu_s": cpu,
                "idle_cpu_per_s": self._start["idle_cpu_per_s"],
                "cpu_net_s": max(0.0, cpu - self._start["idle_cpu_per_s"] * end["seconds"]),
                "commands": redis_commands(self.redis),
                "resume_at_start": self._start["resume"],
                "resume": resume_keys(self.redis),
                "used_memory": self.redis.info("memory")["used_memory"],
            }
        with contextlib.suppress(httpx.HTTPError, ValueError):
            end["memory_store"] = (
                httpx.get(control + "/bench/hub/", timeout=10).json().get("resume_memory")
            )
        if self._samples:
            end["samples"] = self._samples
        return end


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """Per change / per delivery figures of one configuration."""
    lg, d = result.get("loadgen", {}), result["derived"]
    server = lg.get("server") or {}
    changes = server.get("commits") or (result.get("writer") or {}).get("written") or 0
    extra = (result.get("extra") or {}).get("redis") or {}
    commands = extra.get("commands") or {}
    resume = extra.get("resume") or {}
    per = (lambda v: v / changes) if changes else (lambda v: None)
    return {
        "delivered": lg.get("delivered"),
        "expected": lg.get("expected"),
        "p50_ms": (lg.get("latency_ms") or {}).get("p50"),
        "p99_ms": (lg.get("latency_ms") or {}).get("p99"),
        "server_cpu_us_per_delivery": d.get("cpu_us_per_delivery"),
        "server_cpu_ms_per_change": d.get("cpu_ms_per_change"),
        "redis_cpu_us_per_change": per(extra["cpu_net_s"] * 1e6) if extra else None,
        "redis_cpu_raw_us_per_change": per(extra["cpu_s"] * 1e6) if extra else None,
        "redis_commands_per_change": per(sum(commands.values())) if extra else None,
        "redis_commands_by_name_per_change": {k: per(v) for k, v in sorted(commands.items())},
        "resume_keys": resume.get("keys"),
        "resume_entries": resume.get("entries"),
        "resume_bytes": resume.get("bytes"),
        "groups": d.get("groups"),
    }


COLUMNS = (
    ("delivered", lambda f: f"{_fmt(f['delivered'])}/{_fmt(f['expected'])}"),
    ("p50 ms", lambda f: _fmt(f["p50_ms"], 1)),
    ("p99 ms", lambda f: _fmt(f["p99_ms"], 1)),
    ("server CPU µs/delivery", lambda f: _fmt(f["server_cpu_us_per_delivery"], 1)),
    ("server CPU ms/change", lambda f: _fmt(f["server_cpu_ms_per_change"], 2)),
    ("Redis CPU µs/change", lambda f: _fmt(f["redis_cpu_us_per_change"])),
    ("Redis cmds/change", lambda f: _fmt(f["redis_commands_per_change"], 1)),
    ("resume keys", lambda f: _fmt(f["resume_keys"])),
    ("resume entries", lambda f: _fmt(f["resume_entries"])),
    ("resume KB", lambda f: _fmt((f["resume_bytes"] or 0) / 1024, 1)),
)
RATIOS = (
    "p99_ms", "server_cpu_us_per_delivery", "redis_cpu_us_per_change",
    "redis_commands_per_change",
)  # fmt: skip


def _commands(f: dict[str, Any]) -> str:
    by_name = f["redis_commands_by_name_per_change"]
    return ", ".join(f"{k} {v:,.1f}" for k, v in by_name.items() if v) or "—"


def tables(results: list[dict[str, Any]]) -> str:
    head = ["users", "N", "cursor", *(name for name, _ in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    pairs: dict[tuple[str, int], dict[bool, dict[str, Any]]] = {}
    for r in results:
        c, f = r["config"], figures(r)
        pairs.setdefault((c["users"], c["subscribers"]), {})[c["cursor"]] = f
        lines.append(f"| {c['users']} | {c['subscribers']:,} | {'yes' if c['cursor'] else 'no'} | "
                     + " | ".join(cell(f) for _, cell in COLUMNS) + " |")  # fmt: skip
    lines += ["", "Redis commands per change, by command:", ""]
    lines += [
        f"- {r['config']['users']}/{r['config']['subscribers']}"
        f"/{'cursor' if r['config']['cursor'] else 'no cursor'}: {_commands(figures(r))}"
        for r in results
    ]
    lines += ["", "With cursor / without (same users, N):", "",
              "| users | N | p99 | server CPU/delivery | Redis CPU/change | Redis cmds/change |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for (users, n), pair in pairs.items():
        if True in pair and False in pair:
            cells = []
            for key in RATIOS:
                with_, without = pair[True][key], pair[False][key]
                cells.append(f"{with_ / without:,.2f}x" if with_ and without else "—")
            lines.append(f"| {users} | {n:,} | " + " | ".join(cells) + " |")
    notes = [
        f"- {c['users']}/{c['subscribers']}/cursor={c['cursor']}: " + "; ".join(d["notes"])
        for c, d in ((r["config"], r["derived"]) for r in results)
        if d["notes"]
    ]
    return "\n".join(lines + (["", *notes] if notes else []))


def bound_table(runs: list[dict[str, Any]]) -> str:
    lines = []
    for run in runs:
        layer = run["layer"]
        samples = (run["result"].get("extra") or {}).get("samples") or []
        lines += ["", f"Bounded memory, {layer} layer, RESUME_WINDOW {run['window']:g} s, "
                  f"{run['result']['config']['subscribers']} subscribers "
                  f"({run['result']['config']['users']} users), cursor selected:", "",
                  "| t s | entries | logs | KB |", "|---|---|---|---|"]  # fmt: skip
        for s in samples:
            if layer == "memory":
                store = s.get("memory_store") or {}
                entries, logs, kb = store.get("entries"), store.get("logs"), None
            else:
                store = s.get("redis") or {}
                entries, logs = store.get("entries"), store.get("keys")
                kb = (store.get("bytes") or 0) / 1024
            lines.append(f"| {s['t']:.0f} | {_fmt(entries)} | {_fmt(logs)} | {_fmt(kb, 1)} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", default="100,1000", help="comma-separated N")
    parser.add_argument("--users", default="one,distinct", help="one,distinct,projects")
    parser.add_argument("--changes", type=int, default=100, help="committed changes per run")
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second")
    parser.add_argument("--tasks", type=int, default=50, help="bench tasks (round-robin)")
    parser.add_argument("--drain", type=float, default=15.0, help="s allowed after the writes")
    parser.add_argument("--warmup", type=float, default=120.0, help="warm-up budget, s")
    parser.add_argument("--setup-timeout", type=float, default=300.0, help="connect+warm-up, s")
    parser.add_argument("--database", choices=["sqlite", "env"], default="sqlite",
                        help="env: use DATABASE_URL (seed_demo --flush empties it)")  # fmt: skip
    parser.add_argument("--window", type=float, default=0,
                        help="RESUME_WINDOW of the cost runs (0: the default)")  # fmt: skip
    parser.add_argument("--bound-seconds", type=float, default=40.0,
                        help="bounded-memory check: seconds of changes (0: skip)")  # fmt: skip
    parser.add_argument("--bound-window", type=float, default=10.0, help="its RESUME_WINDOW")
    parser.add_argument("--bound-subscribers", type=int, default=100, help="its N")
    parser.add_argument("--bound-users", default="distinct", help="its users")
    parser.add_argument("--bound-layers", default="memory,redis", help="memory,redis")
    parser.add_argument("--out", help="results JSON (default benchmarks/results/<ts>-resume.json)")
    args = parser.parse_args(argv)
    args.subscribers = [int(n) for n in str(args.subscribers).split(",") if n]
    args.users = [u for u in args.users.split(",") if u]
    args.bound_layers = [layer for layer in args.bound_layers.split(",") if layer]
    # what benchmarks.run's Bench reads
    args.modes, args.mixes, args.projects = ["ours"], ["same"], 50
    args.writes, args.gc, args.ws = "control", "default", "auto"
    if args.database == "env" and not os.environ.get("DATABASE_URL"):
        parser.error("--database env needs DATABASE_URL")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _stamp, out, logdir, report = new_report("benchmarks.resume", args.out, "-resume")
    report["bounded"] = []
    bound_users = [args.bound_users] if args.bound_seconds else []
    with (
        tempfile.TemporaryDirectory(prefix="dgl-resume-") as tmp,
        redis_server(logdir) as (
            url,
            client,
            pid,
        ),
    ):
        report["redis"] = {"version": client.info("server")["redis_version"], "pid": pid}
        # prepare.py makes users for the largest N of any configuration
        args.users_all = list(dict.fromkeys([*args.users, *bound_users]))
        prep_args = argparse.Namespace(**vars(args))
        prep_args.users = args.users_all
        prep_args.subscribers = [*args.subscribers, args.bound_subscribers]
        bench = ResumeBench(prep_args, Path(tmp), logdir)
        report["prep"] = prep = bench.prepare()
        bench.args = args
        print(f"# {report['machine']['cpu']}, {report['machine']['cores']} cores; "
              f"{prep['vendor']}; redis-server {report['redis']['version']} at {url}; "
              f"logs in {logdir}", file=sys.stderr)  # fmt: skip
        bench.use_redis(url, client)
        bench.with_window(args.window)
        for n in args.subscribers:
            for users in args.users:
                for cursor in (False, True):
                    print(f"# users={users} N={n} cursor={cursor} ...", file=sys.stderr, flush=True)
                    result = bench.run_one("ours", "same", n, users, cursor=cursor)
                    report["results"].append(result)
                    f = figures(result)
                    print(f"  delivered {f['delivered']}/{f['expected']}, p99 {f['p99_ms']}, "
                          f"redis {f['redis_cpu_us_per_change']} us/change, "
                          f"{f['redis_commands_per_change']} cmds/change", file=sys.stderr,
                          flush=True)  # fmt: skip
                    out.write_text(json.dumps(report, indent=1))
        if args.bound_seconds:
            base_changes = args.changes
            args.changes = round(args.bound_seconds * args.rate)
            for layer in args.bound_layers:
                on_redis = layer == "redis"
                bench.use_redis(url if on_redis else None, client if on_redis else None)
                bench.with_window(args.bound_window)
                bench.sample_every = 1.0
                n = args.bound_subscribers
                print(f"# bounded memory: {layer} layer, window {args.bound_window:g} s, "
                      f"{args.bound_seconds:g} s of changes ...", file=sys.stderr,
                      flush=True)  # fmt: skip
                result = bench.run_one("ours", "same", n, args.bound_users, cursor=True)
                report["bounded"].append({"layer": layer, "window": args.bound_window,
                                          "result": result})  # fmt: skip
                out.write_text(json.dumps(report, indent=1))
            bench.sample_every = 0.0
            args.changes = base_changes
    print(tables(report["results"]))
    print(bound_table(report["bounded"]))
    print(f"\nResults: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
