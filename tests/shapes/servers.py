"""The shapes project served by real uvicorn processes, with a writer process beside them.

    with ShapesSite(tmp_path, database_url, redis_url) as site:
        with site.server() as a, site.server() as b:      # base URLs
            site.write({"op": "save", ...})                # another program's ORM write
            site.restart(b)                                # same port, a new process

SQLite (a file shared by every process) or PostgreSQL; the channel layer is Redis, so a
change made in any process reaches the hubs of both servers.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.e2e.servers import free_port, stop_process, wait_until_up

__all__ = ["ShapesSite"]

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = "tests.shapes.asgi:application"


class ShapesSite:
    def __init__(self, tmp_path: Path, database_url: str | None, redis_url: str) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.shapes.settings",
            "SQLITE_PATH": str(tmp_path / "shapes.sqlite3"),
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": f"dgl-conv-{uuid.uuid4().hex[:8]}",
            "DEBUG": "1",
            "USER_THROTTLE_RATE": "100000/minute",
        }
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.logs = tmp_path
        self.servers: dict[str, tuple[int, subprocess.Popen, Any]] = {}
        self._writer: subprocess.Popen | None = None

    def __enter__(self) -> ShapesSite:
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput"],
            env=self.env, cwd=ROOT, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        self._writer = subprocess.Popen(
            [sys.executable, "-m", "tests.shapes.writer"], env=self.env, cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        for url in list(self.servers):
            self._stop(url)
        if self._writer is not None:
            assert self._writer.stdin is not None
            self._writer.stdin.close()
            try:
                self._writer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._writer.kill()

    def write(self, command: dict[str, Any]) -> Any:
        """Run one command in the writer process; its answer (fails the test on error)."""
        assert self._writer is not None
        assert self._writer.stdin is not None
        assert self._writer.stdout is not None
        self._writer.stdin.write(json.dumps(command) + "\n")
        self._writer.stdin.flush()
        line = self._writer.stdout.readline()
        if not line:
            raise RuntimeError("the writer process exited")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"writer: {command} -> {answer['error']}")
        return answer["ok"]

    @contextlib.contextmanager
    def server(self) -> Iterator[str]:
        url = self._start(free_port())
        try:
            yield url
        finally:
            self._stop(url)

    def restart(self, url: str) -> None:
        """Stop the server at ``url`` and start a new process on the same port."""
        port = self.servers[url][0]
        self._stop(url)
        self._start(port)

    def _start(self, port: int) -> str:
        url = f"http://127.0.0.1:{port}"
        log = open(self.logs / f"uvicorn-{port}.log", "a+")
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", APPLICATION, "--host", "127.0.0.1",
             "--port", str(port)],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.servers[url] = (port, process, log)
        wait_until_up(url, process, log)
        return url

    def _stop(self, url: str) -> None:
        _, process, log = self.servers.pop(url)
        stop_process(process)
        log.close()
