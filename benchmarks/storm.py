"""Reconnect storms (issue 26): every client drops at once and resumes with ``after:``.

    .venv/bin/python -m benchmarks.storm --subscribers 1000 --layer memory,redis \\
        --drop restart,client                                  # ~1 minute a configuration

Per configuration (layer x drop x N): a fresh copy of the prepared database, a fresh
uvicorn (``benchmarks.asgi:application``; the Redis layer on a private
``redis-server``, as benchmarks/resume.py runs it), N sockets as N distinct users
(benchmarks/storm_clients.py) subscribed with ``cursor``. Phases, every one bounded:

1. *first*: once the hub holds the N subscriptions, the first ``--first`` changes at
   ``--rate`` (no warm-up probe: they are the first each group evaluates), then wait
   until every client has them: their server CPU per change against the steady one;
2. changes at ``--rate`` from then on, to the end; ``--settle`` s, then *steady*
   (``--steady`` s);
3. the drop: ``restart`` stops the server by its PID (SIGTERM, SIGKILL after 10 s) and
   starts a new one on the same ports and database; ``client``: every client closes its
   socket at once. Clients reconnect after uniform [0, ``--jitter``] s with ``after:``,
   and ``initial: true`` after a RESUME_EXPIRED; *storm* runs until 5 s after the last
   one subscribed again, then *after* (``--after`` s);
4. the writer stops; each task's final state is read through REST; the clients wait
   (``--drain`` s at most) until every view equals it; then lost, stale, duplicated.

Server CPU and RSS are read from ``/proc/<pid>`` every 0.25 s by this process (no
request to the server); a restarted server's start-up CPU is left out of the windows
and reported apart. Prints a markdown table; writes
``benchmarks/results/<timestamp>-storm.json`` (logs in ``results/logs-<timestamp>/``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx

from benchmarks import writer as writes
from benchmarks.loadgen import DELIVERY
from benchmarks.resume import redis_server
from benchmarks.run import ROOT, Bench, _background_cpu, _free_port, _readline, _stop, new_report
from benchmarks.storm_report import table

_TICK = os.sysconf("SC_CLK_TCK")


def _proc(pid: int) -> tuple[float, int, int] | None:
    """(CPU seconds, RSS KB, peak RSS KB) of a live process, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    lines = (line.partition(":") for line in status.splitlines())
    memory = {k: int(v.split()[0]) for k, _, v in lines if k in ("VmRSS", "VmHWM")}
    return (int(fields[11]) + int(fields[12])) / _TICK, memory["VmRSS"], memory["VmHWM"]


class Sampler(threading.Thread):
    """The server's CPU and RSS every 0.25 s: ``(time, pid, cpu_s, rss_kb, hwm_kb)``."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.done = pid, threading.Event()
        self.samples: list[tuple[float, int, float, int, int]] = []

    def sample(self) -> None:
        now, pid = time.time(), self.pid
        if (got := _proc(pid)) is not None:
            self.samples.append((now, pid, *got))

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.sample()

    def cpu(self, start: float, end: float) -> float:
        """Server CPU seconds in [start, end] (a process started later: from its first
        sample, so not its start-up)."""
        total = 0.0
        for pid in dict.fromkeys(s[1] for s in self.samples):
            series = [(t, cpu) for t, p, cpu, _r, _h in self.samples if p == pid]
            upto = [cpu for t, cpu in series if t <= end]
            before = [cpu for t, cpu in series if t <= start]
            if upto:
                total += upto[-1] - (before[-1] if before else series[0][1])
        return total

    def last(self, pid: int) -> tuple[float, int, int] | None:
        return next(((c, r, h) for _t, p, c, r, h in reversed(self.samples) if p == pid), None)


class Writer:
    """Changes at a rate from a thread of this process: writer.py's REST PATCH or control
    write, per seq; stopped when told. Records every write (seq, task, stamp, error)."""

    def __init__(self, url: str, via: str, token: str, tasks: list[int], rate: float) -> None:
        self.url, self.via, self.token, self.tasks, self.rate = url, via, token, tasks, rate
        self.records: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def write(self, first: int, count: int | None) -> Future[int]:
        """Changes ``first``, ``first + 1``... (``count``, or until stop()); the next seq."""
        return asyncio.run_coroutine_threadsafe(self._run(first, count), self.loop)

    async def _one(self, http: httpx.AsyncClient, seq: int) -> None:
        task = self.tasks[seq % len(self.tasks)]
        write = writes._patch if self.via == "rest" else writes._write
        self.records.append({**await write(http, task, seq), "task": task})

    async def _run(self, first: int, count: int | None) -> int:
        headers = {"Authorization": f"Token {self.token}"} if self.via == "rest" else {}
        async with httpx.AsyncClient(base_url=self.url, timeout=30, headers=headers) as http:
            start, pending, seq = time.monotonic(), [], first
            while (count is None or seq < first + count) and not self.stopping.is_set():
                await asyncio.sleep(max(0.0, start + (seq - first) / self.rate - time.monotonic()))
                pending.append(asyncio.create_task(self._one(http, seq)))
                seq += 1
            if pending:
                await asyncio.wait(pending, timeout=40)
        return seq

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)


def _final_state(url: str, token: str, tasks: list[int]) -> dict[int, int]:
    """Each task's seq as committed (its title, through REST): -1 if never written."""
    state = {}
    with httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}) as http:
        for task in tasks:
            match = DELIVERY.search(http.get(f"/api/tasks/{task}/", timeout=30).json()["title"])
            state[task] = int(match[1]) if match else -1
    return state


def _warm(url: str, token: str) -> None:
    """One REST and one GraphQL request: what Django loads lazily is loaded."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}) as http:
        http.get("/api/tasks/", timeout=30)
        http.post("/graphql/", json={"query": "{ __typename }"}, timeout=30)


def _expect(clients: subprocess.Popen, word: str, timeout: float) -> str:
    line = _readline(clients, timeout) or ""
    if not line.startswith(word):
        raise RuntimeError(f"clients: expected {word}, got {line!r}")
    return line.removeprefix(word).strip()


def _tell(clients: subprocess.Popen, line: str) -> None:
    assert clients.stdin is not None
    clients.stdin.write(line + "\n")
    clients.stdin.flush()


class Storm:
    """One configuration (see the module docstring), on benchmarks.run's Bench."""

    def __init__(self, bench: Bench, prep: dict[str, Any], redis_url: str | None) -> None:
        self.bench, self.prep, self.redis_url, self.a = bench, prep, redis_url, bench.args

    def run(self, layer: str, drop: str, n: int) -> dict[str, Any]:
        a, bench = self.a, self.bench
        name = f"storm-{layer}-{drop}-{n}"
        redis_env = {"REDIS_URL": self.redis_url or "", "REDIS_PREFIX": "bench"}
        bench.server_env = redis_env if layer == "redis" else {}
        config = {"layer": layer, "drop": drop, "subscribers": n, "rate": a.rate,
                  "writes": a.writes, "jitter": a.jitter, "database": a.database}  # fmt: skip
        result: dict[str, Any] = {"config": config}
        result["background_cpu_cores"] = _background_cpu()
        db = bench.workdir / f"{name}.sqlite3"
        if not bench.database_url:
            shutil.copyfile(bench.template, db)
        port, control_port = _free_port(), _free_port()
        url, control = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{control_port}"
        logs = [open(bench.logdir / f"{name}.server.log", "w")]
        servers = [bench.launch("ours", db, port, control_port, logs[0])]
        sampler = Sampler(servers[0].pid)
        clients = writer = None
        phases: dict[str, float] = {}
        try:
            _warm(url, self.prep["token"])
            time.sleep(1)  # idle, warmed: what a first request loads is not a socket's
            result["idle_rss_kb"] = (_proc(servers[0].pid) or (0, 0, 0))[1]
            sampler.start()
            out = bench.workdir / f"{name}.clients.json"
            clients = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.storm_clients", "--url", url, "--control",
                 control, "--prep", str(bench.prep_path), "--subscribers", str(n),
                 "--jitter", str(a.jitter), "--first", str(a.first),
                 "--setup-timeout", str(a.setup_timeout), "--out", str(out)],
                cwd=ROOT, env=bench.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(bench.logdir / f"{name}.clients.log", "w"), text=True,
            )  # fmt: skip
            result["live"] = json.loads(_expect(clients, "LIVE", a.setup_timeout))
            writer = Writer(url if a.writes == "rest" else control, a.writes,
                            self.prep["token"], self.prep["tasks"], a.rate)  # fmt: skip
            phases["first"] = time.time()
            next_seq = writer.write(0, a.first)
            first_done = _expect(clients, "FIRST", a.setup_timeout + a.first / a.rate)
            phases["first_done"] = float(first_done) if first_done != "timeout" else time.time()
            phases["settle"] = time.time()
            continuous = writer.write(next_seq.result(timeout=60), None)
            time.sleep(a.settle)
            phases["steady"] = time.time()
            time.sleep(a.steady)
            phases["storm"] = time.time()
            result["before_drop"] = _proc(servers[0].pid)
            _tell(clients, f"DROP {drop} {phases['storm']:.6f}")
            if drop == "restart":
                _stop(servers[0])
                result["stopped"] = {"after_s": time.time() - phases["storm"],
                                     "returncode": servers[0].returncode}  # fmt: skip
                logs.append(open(bench.logdir / f"{name}.server-2.log", "w"))
                servers.append(bench.launch("ours", db, port, control_port, logs[1],
                                            ready=control + "/bench/hub/"))  # fmt: skip
                result["restarted_after_s"] = time.time() - phases["storm"]
                result["restart_startup"] = _proc(servers[1].pid)
                sampler.pid = servers[1].pid
                sampler.sample()
            back = _expect(clients, "RECONNECTED", a.jitter + a.setup_timeout)
            phases["after"] = (float(back) if back != "timeout" else time.time()) + 5
            time.sleep(max(0.0, phases["after"] + a.after - time.time()))
            phases["tail"] = time.time()
            writer.stop()
            continuous.result(timeout=60)
            phases["end"] = time.time()
            final = _final_state(url, self.prep["token"], self.prep["tasks"])
            end = bench.workdir / f"{name}.end.json"
            end.write_text(json.dumps({"writes": writer.records, "final": final,
                                       "drain": a.drain, "windows": phases}))  # fmt: skip
            _tell(clients, f"END {end}")
            _expect(clients, "DONE", a.drain + 120)
            result["clients"] = json.loads(out.read_text())
        except (RuntimeError, subprocess.TimeoutExpired, TimeoutError, OSError) as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            if writer is not None:
                writer.close()
            sampler.done.set()
            if clients is not None:
                _stop(clients, grace=5)
            for server in servers:
                result.setdefault("server_exit", []).append(server.poll())
                _stop(server)
            for log in logs:
                log.close()
            if not bench.database_url:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
        result["phases"] = phases
        result["server"] = self._server_figures(sampler, servers, phases, writer, result, n)
        return result

    def _server_figures(
        self, sampler: Sampler, servers: list[subprocess.Popen], phases: dict[str, float],
        writer: Writer | None, result: dict[str, Any], n: int,
    ) -> dict[str, Any]:  # fmt: skip
        ok = [w for w in (writer.records if writer else []) if "error" not in w]
        committed = (result.get("clients") or {}).get("committed_by_window") or {}
        ends = {"first": "first_done", "settle": "steady", "steady": "storm", "storm": "after",
                "after": "tail"}  # fmt: skip
        windows = {}
        for name, end_name in ends.items():
            start, end = phases.get(name), phases.get(end_name)
            if start is None or end is None:
                continue
            changes = sum(1 for w in ok if start <= w["ts"] < end)
            # the clients know better: a write unanswered in 30 s may have committed
            changes = committed.get(name) or changes
            if name == "first":
                changes = self.a.first  # written, then waited for: all their fan-out
            cpu = sampler.cpu(start, end)
            per_change = cpu / changes * 1000 if changes else None
            windows[name] = {"seconds": end - start, "cpu_s": cpu, "changes": changes,
                             "cpu_ms_per_change": per_change}  # fmt: skip
        idle = result.get("idle_rss_kb") or 0
        peaks = [(sampler.last(s.pid) or (0, 0, 0))[2] for s in servers]
        before = result.get("before_drop") or (0, 0, 0)
        return {
            "windows": windows,
            "idle_rss_kb": idle,
            "peak_rss_kb": peaks,
            "rss_per_socket_kb": (before[2] - idle) / n if before[2] else None,
            "restart_startup_cpu_s": (result.get("restart_startup") or (None,))[0],
            "samples": sampler.samples,
        }


def _portable(text: str, tmp: str) -> str:
    """No machine's paths in results that get committed: relative to the repository."""
    return text.replace(str(ROOT) + "/", "").replace(tmp, "<tmp>")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", default="1000", help="N, comma-separated")
    parser.add_argument("--layer", default="memory,redis", help="memory,redis")
    parser.add_argument("--drop", default="restart,client", help="restart,client")
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second")
    parser.add_argument("--writes", choices=["rest", "control"], default="rest",
                        help="REST PATCH (as the issue measured) or the control port")  # fmt: skip
    parser.add_argument("--tasks", type=int, default=50, help="bench tasks (round-robin)")
    parser.add_argument("--first", type=int, default=10, help="first changes measured apart")
    parser.add_argument("--settle", type=float, default=3.0, help="s between first and steady")
    parser.add_argument("--steady", type=float, default=10.0, help="steady window, s")
    parser.add_argument("--jitter", type=float, default=3.0, help="reconnect delay max, s")
    parser.add_argument("--after", type=float, default=10.0, help="window after the storm, s")
    parser.add_argument("--drain", type=float, default=30.0, help="s for views to converge")
    parser.add_argument("--setup-timeout", type=float, default=300.0, help="connect+live, s")
    parser.add_argument("--database", choices=["sqlite", "env"], default="sqlite",
                        help="env: DATABASE_URL (seed_demo --flush empties it)")  # fmt: skip
    parser.add_argument("--out", help="results JSON (default results/<ts>-storm.json)")
    parser.add_argument("--table", metavar="JSON", help="only print the table of a results file")
    args = parser.parse_args(argv)
    args.subscribers = [int(n) for n in str(args.subscribers).split(",") if n]
    args.layer = [x for x in args.layer.split(",") if x]
    args.drop = [x for x in args.drop.split(",") if x]
    if set(args.layer) - {"memory", "redis"} or set(args.drop) - {"restart", "client"}:
        parser.error("--layer memory,redis; --drop restart,client")
    if args.database == "env" and not os.environ.get("DATABASE_URL"):
        parser.error("--database env needs DATABASE_URL")
    # what benchmarks.run's Bench reads
    args.users, args.projects, args.gc, args.ws = ["distinct"], 1, "default", "auto"
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.table:
        print(table(json.loads(Path(args.table).read_text())["results"]))
        return
    _stamp, out, logdir, report = new_report("benchmarks.storm", args.out, "-storm")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="dgl-storm-"))
        redis_url, client = None, None
        if "redis" in args.layer:
            redis_url, client, _pid = stack.enter_context(redis_server(logdir))
            report["redis"] = {"version": client.info("server")["redis_version"]}
        bench = Bench(args, Path(tmp), logdir)
        report["prep"] = prep = bench.prepare()
        print(f"# {report['machine']['cpu']}, {report['machine']['cores']} cores; "
              f"{prep['vendor']}; logs in {logdir}", file=sys.stderr)  # fmt: skip
        storm = Storm(bench, prep, redis_url)
        for n in args.subscribers:
            for layer in args.layer:
                for drop in args.drop:
                    print(f"# {layer} {drop} N={n} ...", file=sys.stderr, flush=True)
                    if client is not None:
                        client.flushall()  # nothing of the previous configuration
                    result = storm.run(layer, drop, n)
                    report["results"].append(result)
                    print(table([result], header=False), file=sys.stderr, flush=True)
                    out.write_text(_portable(json.dumps(report, indent=1), tmp))
    print(table(report["results"]))
    print(f"\nResults: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
