"""A fresh project built from README.md's own snippets, served by real servers.

    project = FreshProject.from_readme(tmp_path)            # startproject + the snippets
    with project.server("runserver") as url:                # or "uvicorn"
        httpx.post(url + "/graphql/", json={"query": "{ posts { id } }"},
                   headers={"Authorization": f"Token {project.token}"})

The snippets are the code blocks after ``<!-- recipe: NAME -->`` in README.md (settings,
urls, schema, asgi, daphne), written where their first comment line says. The project's
own API (a ``blog`` app with a ``Post`` model and a ``PostViewSet``) is the part the
README leaves to the reader.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.e2e.servers import free_port, stop_process

__all__ = ["README", "FreshProject", "readme_client", "readme_recipe"]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
STARTUP_TIMEOUT = 30.0

BLOG = {
    "blog/__init__.py": "",
    "blog/models.py": (
        "from django.db import models\n\n\n"
        "class Post(models.Model):\n"
        "    title = models.CharField(max_length=100)\n"
        "    body = models.TextField(blank=True)\n"
    ),
    "blog/views.py": (
        "from rest_framework import serializers, viewsets\n\n"
        "from blog.models import Post\n\n\n"
        "class PostSerializer(serializers.ModelSerializer):\n"
        "    class Meta:\n"
        "        model = Post\n"
        '        fields = ["id", "title", "body"]\n\n\n'
        "class PostViewSet(viewsets.ModelViewSet):\n"
        '    queryset = Post.objects.order_by("id")\n'
        "    serializer_class = PostSerializer\n"
    ),
}


def readme_recipe() -> dict[str, str]:
    """``{name: code}`` of every ``<!-- recipe: NAME -->`` block of README.md."""
    pattern = re.compile(r"<!-- recipe: (\w+) -->\s*```python\n(.*?)```", re.DOTALL)
    blocks = {name: _dedent(code) for name, code in pattern.findall(README.read_text())}
    assert {"settings", "urls", "schema", "asgi"} <= set(blocks), sorted(blocks)
    return blocks


def readme_client(name: str) -> str:
    """The JavaScript block after ``<!-- client: NAME -->`` in README.md."""
    pattern = re.compile(rf"<!-- client: {name} -->\s*```js\n(.*?)```", re.DOTALL)
    match = pattern.search(README.read_text())
    assert match, f"no <!-- client: {name} --> block in README.md"
    return match.group(1)


def _dedent(code: str) -> str:
    lines = code.splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines) + "\n"


class FreshProject:
    """``django-admin startproject myproject`` in ``path``, plus the README's snippets."""

    def __init__(self, path: Path, python: str = sys.executable) -> None:
        self.path = path
        self.python = python  # another virtualenv's (tests/test_wheel.py: the built wheel's)
        self.token = ""  # alice's DRF token, made by from_readme
        self.env = {**os.environ, "PYTHONPATH": str(path), "PYTHONUNBUFFERED": "1"}
        for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)

    @classmethod
    def from_readme(
        cls, path: Path, *, daphne: bool = False, python: str = sys.executable
    ) -> FreshProject:
        project = cls(path, python)
        project.run(python, "-m", "django", "startproject", "myproject", str(path))
        recipe = readme_recipe()
        settings = path / "myproject" / "settings.py"
        extra = recipe["settings"] + 'INSTALLED_APPS += ["blog"]  # the project\'s own app\n'
        if daphne:
            extra += recipe["daphne"]
        settings.write_text(settings.read_text() + "\n" + extra)
        for name in ("urls", "schema", "asgi"):
            (path / "myproject" / f"{name}.py").write_text(recipe[name])
        for name, text in BLOG.items():
            (path / name).parent.mkdir(exist_ok=True)
            (path / name).write_text(text)
        project.manage("makemigrations", "blog")
        project.manage("migrate", "--noinput")
        project.token = project.create_token("alice")
        return project

    def create_token(self, username: str) -> str:
        """A user and their DRF token, as the README says (``drf_create_token``)."""
        self.run(
            self.python, "manage.py", "shell", "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user({username!r}, password='demo')",
        )  # fmt: skip
        output = self.manage("drf_create_token", username)
        match = re.search(r"Generated token (\w+) for user", output)
        assert match, output
        return match.group(1)

    @contextlib.contextmanager
    def settings_added(self, code: str) -> Iterator[None]:
        """``code`` appended to myproject/settings.py for the block (a user's mistake)."""
        settings = self.path / "myproject" / "settings.py"
        original = settings.read_text()
        settings.write_text(original + "\n" + code + "\n")
        try:
            yield
        finally:
            settings.write_text(original)

    def run(self, *command: str) -> str:
        result = subprocess.run(
            command, cwd=self.path, env=self.env, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout + result.stderr

    def manage(self, *args: str) -> str:
        return self.run(self.python, "manage.py", *args)

    @contextlib.contextmanager
    def server(self, kind: str) -> Iterator[str]:
        """``runserver`` or ``uvicorn`` on a free loopback port; stopped by PID."""
        port = free_port()
        command = {
            "runserver": [self.python, "manage.py", "runserver", f"127.0.0.1:{port}",
                          "--noreload"],
            "uvicorn": [self.python, "-m", "uvicorn", "myproject.asgi:application",
                        "--host", "127.0.0.1", "--port", str(port)],
        }[kind]  # fmt: skip
        log = (self.path / f"{kind}.log").open("w+")
        process = subprocess.Popen(command, cwd=self.path, env=self.env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log)
            yield url
        finally:
            stop_process(process)
            log.close()


def _wait_until_up(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited early:\n{log.read()}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url + "/api/", timeout=1)
            return
        time.sleep(0.1)
    log.seek(0)
    raise RuntimeError(f"server at {url} did not start in {STARTUP_TIMEOUT} s:\n{log.read()}")
