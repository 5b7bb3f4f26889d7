"""The declared dependency floors are the tested ones (issue 24).

``constraints/floors.txt`` pins every runtime dependency to the lowest version
pyproject.toml allows. A fresh virtualenv gets the package with those pins (pip resolving
the metadata down to them), then runs a focused subset of the suite there:
:data:`FLOOR_SUBSET` (settings, checks, the ASGI app, every query/mutation path, the SDL
snapshot, WebSocket protocols and subscriptions, HTTP streams and the third-party seams;
about 30 s). The main virtualenv (``make setup``: the newest versions the caps allow) runs
the whole suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "constraints" / "floors.txt"
FLOOR_SUBSET = [
    "tests/test_settings.py",
    "tests/test_checks.py",
    "tests/test_asgi.py",
    "tests/test_third_party_seams.py",
    "tests/api",
    "tests/schema_gen/test_sdl_snapshot.py",
    "tests/live/test_subscriptions.py",
    "tests/transport/test_strawberry_seams.py",
    "tests/transport/test_protocols.py",
    "tests/transport/test_http_streams.py",
]
TIMEOUT = 900


def pinned() -> dict[str, str]:
    """``{normalized name: version}`` of constraints/floors.txt."""
    pins = {}
    for line in FLOORS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_normal(name)] = version
    return pins


def declared_floors() -> dict[str, str]:
    """``{normalized name: floor}`` of pyproject.toml's runtime dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        [floor] = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        floors[_normal(requirement.name)] = floor
    return floors


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_constraints_pin_every_dependency_at_its_declared_floor():
    floors = {name: Version(version) for name, version in declared_floors().items()}
    assert {name: Version(version) for name, version in pinned().items()} == floors


@pytest.fixture(scope="module")
def floors_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    place = tmp_path_factory.mktemp("floors")
    subprocess.run([sys.executable, "-m", "venv", place / "venv"], check=True, timeout=TIMEOUT)
    python = str(place / "venv" / "bin" / "python")
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run(
        [*install, "-c", str(FLOORS), f"{ROOT}[dev]"],
        cwd=place, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return python


def test_the_floors_install_and_pass_the_focused_subset(floors_python: str):
    freeze = subprocess.run(
        [floors_python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    installed = {_normal(n): v for n, v in re.findall(r"^([\w.-]+)==(\S+)$", freeze, re.M)}
    for name, version in pinned().items():
        assert installed.get(name) == version, (name, installed.get(name), version)
    # SQLite and the in-memory layer: the outer run may hold PostgreSQL's test database.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("DGL_REQUIRE_SERVICES", None)
    result = subprocess.run(
        [floors_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FLOOR_SUBSET],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    tail = "\n".join(result.stdout.splitlines()[-30:])
    assert result.returncode == 0, tail + result.stderr[-2000:]
    assert re.search(r"\d+ passed", tail), tail
