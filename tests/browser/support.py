"""Helpers shared by the browser tests (and the client tests' skip rule)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.servers import SampleSite

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require(what: str, problem: str, fix: str) -> None:
    """Skip loudly; under ``DGL_REQUIRE_SERVICES=1`` (CI) fail instead."""
    message = f"NEEDS {what}: {problem}; {fix}"
    if os.environ.get("DGL_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (DGL_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(message)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def orm(site: SampleSite, code: str) -> Any:
    """Run ORM ``code`` in a separate process; it must print one JSON value (or nothing)."""
    out = site.python("import json\nfrom sample_site.board.models import Project, Task\n" + code)
    return json.loads(out) if out.strip() else None


def visible_task_ids(site: SampleSite, username: str) -> list[int]:
    return orm(
        site,
        "print(json.dumps(list(Task.objects.filter(project__members__username="
        f"{username!r}).distinct().order_by('id').values_list('id', flat=True))))",
    )
