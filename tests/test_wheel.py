"""The release artefact: ``python -m build``'s sdist and wheel, installed where the checkout
is out of reach, serving a project built from the README (issue 24).

The wheel goes into a fresh virtualenv (its dependencies from the package index, as
``pip install drf-graphql-live`` will fetch them once published); a ``startproject`` made
from README.md's snippets, outside the checkout and with nothing of it on ``sys.path``,
then answers a query, a mutation and a live subscription under uvicorn, and serves the
GraphiQL page from the package's own template.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.independent.recipe import ROOT, FreshProject
from tests.independent.test_readme_recipe import query_and_mutation, subscribe_then_create

#: What the package serves or ships beside its modules, as wheel paths.
PACKAGE_DATA = [
    "drf_graphql_live/templates/drf_graphql_live/graphiql.html",
    "drf_graphql_live/py.typed",
    "schema_gen/py.typed",
    "drf_graphql_live/management/commands/export_schema.py",
]
#: What the sdist carries beside the package: the contract, licence and changes.
SDIST_FILES = ["LICENSE", "README.md", "CHANGELOG.md", "docs/DESIGN.md", "pyproject.toml"]
INSTALL_TIMEOUT = 600


def run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


@pytest.fixture(scope="module")
def wheel_python(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh virtualenv's python with only the built wheel (and its dependencies)."""
    place = tmp_path_factory.mktemp("wheel-venv")
    run(sys.executable, "-m", "venv", place / "venv", cwd=place)
    python = place / "venv" / "bin" / "python"
    [wheel] = dist.glob("*.whl")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, cwd=place)
    return str(python)


def test_build_makes_an_sdist_and_a_wheel_with_everything_the_package_serves(dist: Path):
    [wheel] = dist.glob("drf_graphql_live-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names, sorted(set(PACKAGE_DATA) - names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    [sdist] = dist.glob("drf_graphql_live-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(SDIST_FILES) <= members, sorted(set(SDIST_FILES) - members)
    assert "drf_graphql_live/templates/drf_graphql_live/graphiql.html" in members


def test_the_installed_wheel_is_imported_from_the_virtualenv_not_the_checkout(
    wheel_python: str, tmp_path: Path
):
    where = run(wheel_python, "-c", "import drf_graphql_live; print(drf_graphql_live.__file__)",
                cwd=tmp_path)  # fmt: skip
    assert "site-packages" in where
    assert str(ROOT) not in where


def test_a_readme_project_on_the_wheel_serves_schema_query_mutation_and_subscription(
    wheel_python: str, tmp_path: Path
):
    project = FreshProject.from_readme(tmp_path, python=wheel_python)
    schema = project.manage("export_schema")
    assert "postsChanged" in schema
    assert "createPost" in schema
    with project.server("uvicorn") as url:
        query_and_mutation(url, project.token, "Hello from the wheel")
        event = asyncio.run(subscribe_then_create(url, project.token, "Live from the wheel"))
        page = httpx.get(url + "/graphql/", headers={"Accept": "text/html"})
    assert event["data"]["postsChanged"] == {
        "kind": "ADDED",
        "node": {"title": "Live from the wheel"},
    }
    assert page.status_code == 200
    assert "GraphiQL" in page.text
