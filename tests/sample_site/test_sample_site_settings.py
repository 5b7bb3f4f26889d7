"""Environment switches of sample_site.settings and the manage.py entry point.

Settings are evaluated in a fresh interpreter so the environment can be changed
without touching the settings this test session runs with.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

_DUMP = """
import json
from sample_site import settings as s
print(json.dumps({
    "db": {k: str(v) for k, v in s.DATABASES["default"].items() if k in ("ENGINE", "NAME", "HOST")},
    "layer": s.CHANNEL_LAYERS["default"],
    "apps": s.INSTALLED_APPS,
    "debug": s.DEBUG,
    "hosts": s.ALLOWED_HOSTS,
}))
"""


def load_settings(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", _DUMP],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_defaults_are_sqlite_and_in_memory_layer() -> None:
    s = load_settings()
    assert s["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["db"]["NAME"] == str(REPO_ROOT / "sample_site" / "db.sqlite3")
    assert s["layer"] == {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    assert s["debug"] is True
    assert s["hosts"] == ["*"]
    apps = s["apps"]
    assert "daphne" not in apps[:1]
    for app in (
        "channels",
        "rest_framework",
        "rest_framework.authtoken",
        "django_filters",
        "drf_graphql_live",
        "sample_site.board",
    ):
        assert app in apps


def test_database_url_and_redis_url_switch_backends() -> None:
    s = load_settings(
        DATABASE_URL="postgres://board:secret@db.example:5432/board",
        REDIS_URL="redis://cache.example:6379/0",
        DEBUG="false",
    )
    assert s["db"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "board",
        "HOST": "db.example",
    }
    assert s["layer"] == {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": ["redis://cache.example:6379/0"], "prefix": "asgi"},
    }
    assert s["debug"] is False
    assert "*" not in s["hosts"]


@pytest.mark.parametrize("cwd", [REPO_ROOT, REPO_ROOT / "sample_site"])
def test_manage_py_runs_from_any_directory(cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "sample_site" / "manage.py"), "seed_demo", "--help"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--flush" in result.stdout
