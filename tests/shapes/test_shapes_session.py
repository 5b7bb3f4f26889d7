"""Runs the model-shape matrix under its own settings, on SQLite and on PostgreSQL + Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: A whole pytest session (the matrix and the convergence runs); generous, bounded.
TIMEOUT = 900
SERVICES = ("DATABASE_URL", "REDIS_URL")


def _run(env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--ds=tests.shapes.settings", "tests/shapes"]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]


def test_shapes_converge_on_sqlite_and_the_in_memory_layer():
    # In-process tests on the embedded default; the convergence test's two server
    # processes still need a Redis between them (the machine's, or a private one).
    env = {k: v for k, v in os.environ.items() if k not in (*SERVICES, "DGL_REQUIRE_SERVICES")}
    if os.environ.get("REDIS_URL"):
        env["DGL_CONVERGENCE_REDIS_URL"] = os.environ["REDIS_URL"]
    if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
        env["DGL_CONVERGENCE_REQUIRED"] = "1"
    _run(env)


def test_shapes_converge_on_postgresql_and_redis():
    missing = [name for name in SERVICES if not os.environ.get(name)]
    if missing:
        message = f"NEEDS {' and '.join(missing)}: the shape matrix on PostgreSQL + Redis"
        if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    _run({**os.environ, "REDIS_PREFIX": f"dgl-shapes-{uuid.uuid4().hex[:8]}"})
