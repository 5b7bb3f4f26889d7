"""The declared dependency floors are the tested ones (issue 24).

``constraints/floors.txt`` pins every runtime dependency to the lowest version
pyproject.toml allows. ``make test`` runs the whole suite twice: in ``.venv`` (the newest
versions the caps allow) and in ``.venv-floors`` (pip resolving the package's metadata
with those pins, ``DGL_FLOORS=1``). These tests hold the two runs to what they claim.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "constraints" / "floors.txt"


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


def test_this_run_has_the_versions_it_says():
    """``make test-floors`` (DGL_FLOORS=1) runs the whole suite on exactly the floors;
    ``make test-newest`` on versions inside pyproject.toml's ranges."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        installed = metadata.version(requirement.name)
        if os.environ.get("DGL_FLOORS") == "1":
            assert installed == pinned()[_normal(requirement.name)], (requirement, installed)
        else:
            assert requirement.specifier.contains(installed, prereleases=True), (
                requirement,
                installed,
            )
