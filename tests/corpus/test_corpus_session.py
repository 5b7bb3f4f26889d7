"""Runs the corpus under its own settings from the main test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A whole pytest session of ~60 tests; generous, bounded.
TIMEOUT = 900


def test_corpus_passes_under_its_own_settings():
    # The corpus runs on SQLite and the in-memory layer by design: no service to require.
    unset = ("DATABASE_URL", "REDIS_URL", "DGL_REQUIRE_SERVICES")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--ds=tests.corpus.settings", "tests/corpus"]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
