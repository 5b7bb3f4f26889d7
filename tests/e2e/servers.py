"""Real ASGI servers in subprocesses, for end-to-end tests.

    with SampleSite(tmp_path) as site:            # migrated + seeded database
        with site.server("uvicorn") as url:       # http://127.0.0.1:<port>
            httpx.post(url + "/graphql/", ...)

The database is a fresh SQLite file per site, or PostgreSQL when ``database_url`` is
given; every process gets the same environment, so a change written by one is seen by
the server.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis

__all__ = [
    "RedisServer", "SampleSite", "free_port", "fresh_postgres_database", "stop_process",
    "wait_until_up",
]  # fmt: skip

ROOT = Path(__file__).resolve().parents[2]
SERVER_COMMANDS = {
    "uvicorn": [
        sys.executable,
        "-m",
        "uvicorn",
        "sample_site.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
    ],
    "daphne": [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "sample_site.asgi:application",
        "-p",
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SampleSite:
    """sample_site with its own database, for servers and writer processes."""

    def __init__(
        self, tmp_path: Path, database_url: str | None = None, redis_url: str | None = None
    ):
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "sample_site.settings",
            "SQLITE_PATH": str(tmp_path / "site.sqlite3"),
            "DEBUG": "1",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            self.env["REDIS_URL"] = redis_url
            self.env["REDIS_PREFIX"] = f"dgl-test-{uuid.uuid4().hex[:8]}"  # its own channels
        self.tokens: dict[str, str] = {}
        self.logs = tmp_path
        self.processes: dict[str, subprocess.Popen] = {}  # base URL -> running server

    def __enter__(self) -> SampleSite:
        self.manage("migrate", "--noinput")
        output = self.manage("seed_demo", "--flush")
        self.tokens = dict(re.findall(r"^(\w+) token: (\w+)$", output, re.MULTILINE))
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def manage(self, *args: str) -> str:
        """Run ``manage.py`` in its own process (a writer outside the server)."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "sample_site" / "manage.py"), *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def python(self, code: str) -> str:
        """Run Django ORM code in a separate process (``django.setup()`` done)."""
        prelude = "import django; django.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"ORM writer failed:\n{result.stderr}")
        return result.stdout

    @contextlib.contextmanager
    def server(self, kind: str = "uvicorn", port: int | None = None) -> Iterator[str]:
        """Start ``kind`` on 127.0.0.1, yield its base URL, stop it by PID."""
        port = port or free_port()
        log = open(self.logs / f"{kind}-{port}.log", "w+")
        process = subprocess.Popen(
            [*SERVER_COMMANDS[kind], str(port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        self.processes[url] = process
        try:
            wait_until_up(url, process, log)
            yield url
        finally:
            self.processes.pop(url, None)
            stop_process(process)
            log.close()


def stop_process(process: subprocess.Popen) -> None:
    """Stop a process we started, by its PID: terminate, then kill after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited early:\n{log.read()}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url + "/", timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start within 30 s")


def _require(what: str) -> None:
    message = f"NEEDS {what}"
    if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
        import pytest

        pytest.fail(message)
    import pytest

    pytest.skip(message)


class RedisServer:
    """A private redis-server on a free loopback port: ours to count, stop and restart.

    Tests that count Redis commands or restart Redis must not share the machine's
    Redis with anything else.
    """

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @classmethod
    @contextlib.contextmanager
    def running(cls, workdir: Path) -> Iterator[RedisServer]:
        if not shutil.which("redis-server"):
            _require("REDIS: the redis-server binary is not installed")
        server = cls(workdir)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                redis.Redis(port=self.port).ping()
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    @contextlib.contextmanager
    def monitor(self) -> Iterator[list[str]]:
        """Every command Redis executes while the block runs (MONITOR, bounded)."""
        lines: list[str] = []
        process = subprocess.Popen(
            ["redis-cli", "-p", str(self.port), "monitor"],
            stdout=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "OK"
        try:
            yield lines
        finally:
            time.sleep(0.3)
            process.terminate()
            out, _ = process.communicate(timeout=10)
            lines.extend(line for line in out.splitlines() if line.strip())


@contextlib.contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database on the server ``url`` points at, dropped afterwards.

    End-to-end sites run migrate and ``seed_demo --flush``: never on a database that
    anything else (pytest-django, another test run) uses.
    """
    import psycopg

    name = f"dgl_e2e_{uuid.uuid4().hex[:10]}"
    parsed = urlsplit(url)
    admin = urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
