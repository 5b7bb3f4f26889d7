"""Run the benchmark matrix and print a table (see benchmarks/README.md).

    .venv/bin/python -m benchmarks.run --quick
    .venv/bin/python -m benchmarks.run --subscribers 1,100,1000,5000 --changes 50 --rate 10

For every configuration (mode x mix x users x subscribers): a fresh copy of the prepared
SQLite database (or the DATABASE_URL database), a fresh uvicorn process serving
``benchmarks.asgi:application`` on 127.0.0.1 with ``BENCH_MODE=<mode>``, the load
generator and the writer in their own processes. Every child is stopped by its PID,
every wait is bounded. Results: a markdown table on stdout and
``benchmarks/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MODES = ("ours", "naive", "bare")
USERS = ("one", "distinct", "projects")  # workloads.py: who the N sockets are


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen | None, grace: float = 10) -> None:
    """Stop one child we started, by its PID: SIGTERM, then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _raise_fd_limit() -> tuple[int, int]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def machine() -> dict[str, Any]:
    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpu = next(
        (line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem = next(
        (line.split()[1] for line in read("/proc/meminfo").splitlines()
         if line.startswith("MemTotal")),
        "0",
    )  # fmt: skip
    versions = {}
    for dist in ("django", "channels", "strawberry-graphql", "uvicorn", "websockets", "asgiref"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[dist] = version(dist)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
    }


def code_version() -> str:
    """The package's git trees at HEAD (+dirty): commits elsewhere do not change it."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD:drf_graphql_live", "HEAD:schema_gen"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "drf_graphql_live", "schema_gen"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return "/".join(tree[:10] for tree in commit) + ("+dirty" if dirty else "")


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path, logdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.logdir = logdir
        self.template = workdir / "template.sqlite3"
        self.database_url = os.environ.get("DATABASE_URL") if args.database == "env" else None
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "sample_site.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.env.pop("REDIS_URL", None)  # in-memory layer: the configuration under test
        if self.database_url:
            self.env["DATABASE_URL"] = self.database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.prep_path = workdir / "prep.json"
        #: more environment for the server processes (benchmarks/resume.py: REDIS_URL, ...)
        self.server_env: dict[str, str] = {}

    def measure_start(self, name: str, control: str) -> None:
        """Called when the load generator is READY, just before the writer starts."""

    def measure_end(self, name: str, control: str) -> dict[str, Any] | None:
        """Called when the load generator is done, server still up: extra results."""
        return None

    def _env(self, **extra: str) -> dict[str, str]:
        return {**self.env, **extra}

    def prepare(self) -> dict[str, Any]:
        env = self._env(SQLITE_PATH=str(self.template))
        a = self.args
        users = max(a.subscribers) if set(a.users) - {"one"} else 0
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.prepare", "--tasks", str(a.tasks),
             "--users", str(users), "--projects", str(a.projects)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"prepare failed:\n{out.stderr}")
        prep = json.loads(out.stdout.strip().splitlines()[-1])
        self.prep_path.write_text(json.dumps(prep))
        return prep

    @contextlib.contextmanager
    def server(self, mode: str, name: str) -> Iterator[tuple[str, str, subprocess.Popen]]:
        db = self.workdir / f"{name}.sqlite3"
        if not self.database_url:
            shutil.copyfile(self.template, db)
        port, control_port = _free_port(), _free_port()
        log = open(self.logdir / f"{name}.server.log", "w")
        process = None
        try:
            process = self.launch(mode, db, port, control_port, log)
            yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{control_port}", process
        finally:
            _stop(process)
            log.close()
            if not self.database_url:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)

    def launch(
        self, mode: str, db: Path, port: int, control_port: int, log: IO[str],
        ready: str | None = None,
    ) -> subprocess.Popen:  # fmt: skip
        """One server process on these ports and database, returned once ``ready`` (a
        URL; default its /bench/stats/) answers (else stopped, and an error raised).
        benchmarks/storm.py starts a second one on the same ports and database to restart
        the server under its clients, and asks the control port (a thread of its own:
        the ASGI port is then busy with a thousand handshakes)."""
        command = [
            sys.executable, "-m", "uvicorn", "benchmarks.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
            "--log-level", "warning", "--no-access-log", "--ws", self.args.ws,
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=ROOT, env=self._env(
                SQLITE_PATH=str(db), BENCH_MODE=mode, BENCH_CONTROL_PORT=str(control_port),
                BENCH_GC=self.args.gc, DGL_GC_FREEZE="1" if self.args.gc == "default" else "0",
                **self.server_env,
            ),
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early, see {log.name}")
                with contextlib.suppress(httpx.HTTPError):
                    httpx.get(ready or url + "/bench/stats/", timeout=1)
                    return process
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start, see {log.name}")
                time.sleep(0.1)
        except BaseException:
            _stop(process)
            raise

    def run_one(
        self, mode: str, mix: str, n: int, users: str = "one", profile: str | None = None,
        cursor: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        a = self.args
        name = f"{mode}-{mix}-{users}-{n}" + ("-cursor" if cursor else "")
        name += f"-profile-{Path(profile).suffix[1:]}" if profile else ""
        lg_out = self.workdir / f"{name}.loadgen.json"
        wr_out = self.workdir / f"{name}.writer.json"
        config = {"mode": mode, "mix": mix, "users": users, "subscribers": n,
                  "projects": a.projects if users == "projects" else None, "changes": a.changes,
                  "rate": a.rate, "tasks": a.tasks, "gc": a.gc, "ws": a.ws, "writes": a.writes,
                  "code": code_version(), "cursor": cursor}  # fmt: skip
        started = time.monotonic()
        background = _background_cpu()
        loadgen = writer = spy = None
        extra = None
        with self.server(mode, name) as (url, control, server):
            try:
                common = ["--prep", str(self.prep_path), "--changes", str(a.changes),
                          "--rate", str(a.rate), "--users", users,
                          "--subscribers", str(n)]  # fmt: skip
                writer = subprocess.Popen(
                    [sys.executable, "-m", "benchmarks.writer", *common, "--via", a.writes,
                     "--url", url if a.writes == "rest" else control,
                     "--deadline", str(a.drain), "--out", str(wr_out)],
                    env=self.env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=open(self.logdir / f"{name}.writer.log", "w"), text=True,
                )  # fmt: skip
                loadgen = subprocess.Popen(
                    [sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--control", control,
                     *common, "--mode", mode, "--mix", mix, "--out", str(lg_out),
                     "--drain", str(a.drain), "--warmup", str(a.warmup),
                     *(["--hold"] if profile else []), *(["--cursor"] if cursor else [])],
                    env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                    stderr=open(self.logdir / f"{name}.loadgen.log", "w"), text=True,
                )  # fmt: skip
                assert writer.stdout is not None
                assert loadgen.stdout is not None
                writer.stdout.readline()  # "WRITER READY"
                ready = _readline(loadgen, timeout=a.setup_timeout)
                if ready == "READY":
                    self.measure_start(name, control)
                    if profile:
                        spy = _py_spy(server.pid, profile, a, self.logdir / f"{name}.py-spy.log")
                    assert writer.stdin is not None
                    writer.stdin.write("GO\n")
                    writer.stdin.flush()
                    budget = a.changes / (a.rate or 100) + a.drain + 30
                    if profile:  # stop the profiler before the sockets close
                        _readline(loadgen, timeout=budget)  # "DONE"
                        assert spy is not None
                        spy.send_signal(signal.SIGINT)
                        spy.wait(timeout=120)
                        assert loadgen.stdin is not None
                        loadgen.stdin.write("\n")
                        loadgen.stdin.flush()
                    elif _readline(loadgen, timeout=budget) == "DONE":  # sockets still open
                        extra = self.measure_end(name, control)
                    loadgen.wait(timeout=budget)
                    writer.wait(timeout=a.drain + 30)
                else:
                    _stop(loadgen)
            except subprocess.TimeoutExpired:
                pass
            finally:
                for child in (loadgen, writer):
                    _stop(child, grace=5)
                if spy is not None:
                    spy.wait(timeout=120)
        result = {
            "config": config,
            "wall_s": time.monotonic() - started,
            # other work on the machine skews everything: say so
            "background_cpu_cores": background,
        }
        for key, path in (("loadgen", lg_out), ("writer", wr_out)):
            try:
                result[key] = json.loads(path.read_text())
            except (OSError, ValueError):
                result[key] = {"error": f"no output (see {self.logdir}/{name}.{key}.log)"}
        if extra is not None:
            result["extra"] = extra
        result["derived"] = derive(result)
        return result


def _background_cpu(seconds: float = 1.0) -> float | None:
    """Cores busy on the machine over ``seconds`` while none of our processes runs."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    try:
        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)


def _readline(process: subprocess.Popen, timeout: float) -> str | None:
    """One line of the child's stdout, or None after ``timeout`` seconds or at its exit."""
    import selectors

    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        return None
    line = process.stdout.readline()
    return line.strip() if line else None


def _py_spy(pid: int, path: str, a: argparse.Namespace, log: Path) -> subprocess.Popen:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    duration = 120  # stopped with SIGINT when the measurement ends
    fmt = "raw" if path.endswith(".txt") else "flamegraph"
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200",
         "--threads", "--format", fmt, "--output", path, "--nonblocking"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def derive(result: dict[str, Any]) -> dict[str, Any]:
    lg, wr = result.get("loadgen", {}), result.get("writer", {})
    server = lg.get("server") or {}
    delivered = lg.get("delivered") or 0
    writes = server.get("commits") or wr.get("written") or 0
    fanout_cpu = (server.get("cpu_s") or 0) - (server.get("write_cpu_s") or 0)
    notes = []
    background = result.get("background_cpu_cores")
    if background is not None and background > 0.25:
        notes.append(f"other processes used {background:.2f} cores just before the run")
    if "error" in lg:
        notes.append(lg["error"])
    if lg.get("timed_out"):
        notes.append("deadline reached: late = not delivered yet; † SQL done by then")
    if lg.get("connected") is not None and lg["connected"] < lg.get("subscribers", 0):
        notes.append(f"{lg['subscribers'] - lg['connected']} connections failed")
    probed = lg.get("probe_target", lg.get("connected", 0))  # streams that can see the probe
    if lg.get("ready") is not None and lg["ready"] < probed:
        notes.append(f"{probed - lg['ready']} never got a warm-up probe")
    if wr.get("failed"):
        notes.append(f"{wr['failed']} writes failed")
    if wr.get("unconfirmed"):
        notes.append(f"{wr['unconfirmed']} writes unanswered at the deadline (publish waiting)")
    if (lg.get("loadgen_cpu_util") or 0) > 0.85:
        notes.append("load generator CPU-bound")
    if lg.get("other_messages"):
        notes.append(f"other messages {lg['other_messages']}")
    full_gcs = (server.get("gc_collections") or [0, 0, 0])[2]
    if full_gcs:
        notes.append(f"{full_gcs} full GC(s); GC {server.get('gc_s', 0):.2f} s in all")
    if lg.get("closed"):
        notes.append(f"closed {lg['closed']}")
    if lg.get("unexpected"):
        notes.append(f"LEAK: {lg['unexpected']} receipts of changes the stream may not see")
    if lg.get("streams") and lg["streams"] != lg.get("subscribers"):
        notes.append(f"{lg['streams']} subscriptions on {lg['subscribers']} sockets")
    return {
        "cpu_us_per_delivery": fanout_cpu / delivered * 1e6 if delivered else None,
        "cpu_ms_per_change": fanout_cpu / writes * 1000 if writes else None,
        "groups": (server.get("hub") or {}).get("groups"),
        "server_cpu_s": fanout_cpu,
        "write_cpu_ms_per_change": (server.get("write_cpu_s") or 0) / writes * 1000
        if writes
        else None,
        "sql_per_change": (server.get("queries") or 0) / writes if writes else None,
        "gc_share_of_cpu": (server.get("gc_s") or 0) / server["cpu_s"]
        if server.get("cpu_s")
        else None,
        "rss_peak_mb": (server.get("rss_peak_kb") or 0) / 1024,
        "notes": notes,
    }


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


COLUMNS = (
    "mode", "mix", "users", "N", "delivered/expected", "lost", "late", "dup", "coalesced",
    "p50 ms", "p95 ms", "p99 ms", "max ms", "deliveries/s", "CPU µs/delivery",
    "CPU ms/change", "peak RSS MB", "SQL/change", "groups", "connect s",
)  # fmt: skip


def row(result: dict[str, Any]) -> list[str]:
    c, lg, d = result["config"], result.get("loadgen", {}), result["derived"]
    lat = lg.get("latency_ms") or {}
    delivered = f"{_fmt(lg.get('delivered'))}/{_fmt(lg.get('expected'))}"
    return [
        c["mode"], c["mix"], c.get("users", "one"), _fmt(c["subscribers"]), delivered,
        _fmt(lg.get("lost")), _fmt(lg.get("late")), _fmt(lg.get("duplicated")),
        _fmt(lg.get("coalesced")),
        _fmt(lat.get("p50"), 1), _fmt(lat.get("p95"), 1), _fmt(lat.get("p99"), 1),
        _fmt(lat.get("max"), 1), _fmt(lg.get("deliveries_per_s")),
        _fmt(d["cpu_us_per_delivery"]), _fmt(d.get("cpu_ms_per_change"), 1),
        _fmt(d["rss_peak_mb"]),
        _fmt(d["sql_per_change"], 1) + ("†" if lg.get("timed_out") else ""),
        _fmt(d.get("groups")), _fmt(lg.get("connect_s"), 1),
    ]  # fmt: skip


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    notes = [
        f"- {r['config']['mode']}/{r['config']['mix']}/{r['config']['subscribers']}: "
        + "; ".join(r["derived"]["notes"])
        for r in results
        if r["derived"]["notes"]
    ]
    return "\n".join(lines + (["", *notes] if notes else []) + ratios(results))


RATIO_COLUMNS = (
    ("CPU µs/delivery", lambda r: r["derived"]["cpu_us_per_delivery"]),
    ("CPU ms/change", lambda r: r["derived"].get("cpu_ms_per_change")),
    ("p50 ms", lambda r: (r.get("loadgen", {}).get("latency_ms") or {}).get("p50")),
    ("p99 ms", lambda r: (r.get("loadgen", {}).get("latency_ms") or {}).get("p99")),
    ("deliveries/s", lambda r: r.get("loadgen", {}).get("deliveries_per_s")),
    ("SQL/change", lambda r: r["derived"]["sql_per_change"]),
    ("groups", lambda r: r["derived"].get("groups")),
)


def _ratio(value: Any, base: Any) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:,.1f}x"


def ratios(results: list[dict[str, Any]]) -> list[str]:
    """Each distinct-users row divided by the one-user row of the same mode, mix, N."""
    one = {
        (r["config"]["mode"], r["config"]["mix"], r["config"]["subscribers"]): r
        for r in results
        if r["config"].get("users", "one") == "one"
    }
    lines = []
    for r in results:
        c = r["config"]
        base = one.get((c["mode"], c["mix"], c["subscribers"]))
        if c.get("users", "one") == "one" or base is None:
            continue
        cells = [_ratio(get(r), get(base)) for _name, get in RATIO_COLUMNS]
        lines.append(f"| {c['mode']} | {c['mix']} | {c['users']} | {c['subscribers']:,} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    if not lines:
        return []
    head = ["mode", "mix", "users", "N", *(name for name, _get in RATIO_COLUMNS)]
    return ["", "Ratios to the one-user run (same mode, mix, N; late rows count only "
            "what was done by the deadline):", "", "| " + " | ".join(head) + " |",
            "|" + "---|" * len(head), *lines]  # fmt: skip


def matrix(args: argparse.Namespace) -> list[tuple[str, str, str, int]]:
    """(mode, mix, users, N); distinct users only for ours (the baselines have no
    per-user visibility), the projects mix once per N (it brings its own documents)."""
    configs = []
    for mix in args.mixes:
        for n in args.subscribers:
            for users in args.users:
                for mode in args.modes:
                    if mix == "mixed" and (mode == "bare" or n == 1):
                        continue  # bare has no selection; one subscriber cannot mix
                    if users != "one" and mode != "ours":
                        continue
                    if users == "projects" and mix != args.mixes[0]:
                        continue
                    configs.append((mode, mix, users, n))
    return configs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fan-out benchmark: ours vs naive vs bare.")
    parser.add_argument("--subscribers", default="1,100,1000,5000", help="comma-separated N")
    parser.add_argument("--modes", default=",".join(MODES), help="ours,naive,bare")
    parser.add_argument("--mixes", default="same,mixed", help="same,mixed")
    parser.add_argument("--users", default="one",
                        help="one,distinct,projects: alice on every socket, one user per "
                        "socket in one project, or the 50-project mix (ours only)")  # fmt: skip
    parser.add_argument("--projects", type=int, default=50, help="projects of the mix")
    parser.add_argument("--changes", type=int, default=50, help="committed changes per run")
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second (0: max)")
    parser.add_argument("--tasks", type=int, default=50, help="bench tasks (round-robin)")
    parser.add_argument("--drain", type=float, default=20.0, help="s allowed after the writes")
    parser.add_argument("--warmup", type=float, default=60.0, help="warm-up budget, s")
    parser.add_argument("--setup-timeout", type=float, default=240.0, help="connect+warm-up, s")
    parser.add_argument("--database", choices=["sqlite", "env"], default="sqlite",
                        help="env: use DATABASE_URL (seed_demo --flush empties it)")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="N = 1,100,1000 (the CI-sized matrix)")  # fmt: skip
    parser.add_argument("--profile", action="store_true",
                        help="also profile ours/same with py-spy (2 more runs)")  # fmt: skip
    parser.add_argument("--profile-only", action="store_true", help="skip the matrix")
    parser.add_argument("--profile-subscribers", type=int, default=1000, help="N when profiling")
    parser.add_argument("--writes", choices=["control", "rest"], default="control",
                        help="ORM via the control port, or REST PATCH")  # fmt: skip
    parser.add_argument("--gc", choices=["default", "cpython", "freeze", "off"],
                        default="default",
                        help="server's cyclic GC: sample_site's GC_FREEZE (default), "
                        "CPython's as is, or experiments once warmed up (gc.freeze() once, "
                        "or off)")  # fmt: skip
    parser.add_argument("--ws", default="auto",
                        help="uvicorn's WebSocket implementation (its --ws): auto, "
                        "websockets, websockets-sansio")  # fmt: skip
    parser.add_argument("--out", help="results JSON (default benchmarks/results/<ts>.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.subscribers = "1,100,1000"
    args.subscribers = [int(n) for n in str(args.subscribers).split(",") if n]
    args.modes = [m for m in args.modes.split(",") if m]
    args.mixes = [m for m in args.mixes.split(",") if m]
    args.users = [u for u in args.users.split(",") if u]
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown modes {unknown}")
    if unknown := set(args.users) - set(USERS):
        parser.error(f"unknown users {unknown}")
    if args.database == "env" and not os.environ.get("DATABASE_URL"):
        parser.error("--database env needs DATABASE_URL")
    return args


def new_report(
    module: str, out_arg: str | None, suffix: str = ""
) -> tuple[str, Path, Path, dict[str, Any]]:
    """(stamp, results path, log directory, report header) a benchmark command starts with.

    Raises the fd limit (``report["fd_limit"]``); logs go next to an ``--out`` elsewhere
    (a test's temporary directory), else in results/.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    out = Path(out_arg) if out_arg else RESULTS / f"{stamp}{suffix}.json"
    logdir = (out.parent if out_arg else RESULTS) / f"logs-{stamp}"
    logdir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, "-m", module, *sys.argv[1:]]),
        "started": stamp,
        "machine": machine(),
        "head": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "code": code_version(),
        "fd_limit": _raise_fd_limit(),
        "results": [],
    }
    return stamp, out, logdir, report


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    stamp, out, logdir, report = new_report("benchmarks.run", args.out)
    limits, need = report["fd_limit"], max(args.subscribers) + 64
    if limits[0] < need:
        print(f"warning: RLIMIT_NOFILE is {limits}; {need} descriptors are needed", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="dgl-bench-") as tmp:
        bench = Bench(args, Path(tmp), logdir)
        report["prep"] = prep = bench.prepare()
        print(f"# {report['machine']['cpu']}, {report['machine']['cores']} cores; "
              f"{prep['vendor']}; {prep['visible_tasks']} tasks visible; logs in {logdir}",
              file=sys.stderr)  # fmt: skip
        configs = [] if args.profile_only else matrix(args)
        for mode, mix, users, n in configs:
            print(f"# {mode} {mix} users={users} N={n} ...", file=sys.stderr, flush=True)
            result = bench.run_one(mode, mix, n, users)
            report["results"].append(result)
            print("  " + " | ".join(row(result)), file=sys.stderr, flush=True)
            out.write_text(json.dumps(report, indent=1))
        if args.profile or args.profile_only:
            n = args.profile_subscribers
            svg = str(RESULTS / f"profile-{stamp}.svg")
            raw = str(RESULTS / f"profile-{stamp}.txt")
            print(f"# profiling ours same N={n} (py-spy) ...", file=sys.stderr, flush=True)
            report["profile"] = {  # paths relative to the repository: results get committed
                "svg": str(Path(svg).relative_to(ROOT)),
                "raw": str(Path(raw).relative_to(ROOT)),
                "runs": [
                    bench.run_one("ours", "same", n, users=args.users[-1], profile=p)
                    for p in (raw, svg)
                ],
            }
            out.write_text(json.dumps(report, indent=1))
    versions = sorted({r["config"]["code"] for r in report["results"]})
    if len(versions) > 1:
        print(f"warning: the code changed during the run: {versions}", file=sys.stderr)
    print(table(report["results"]))
    print(f"\nResults: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
