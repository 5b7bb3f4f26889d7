"""The paperless-ngx probe: run by ``run.py paperless <checkout>`` in paperless' virtualenv.

With ``drf_graphql_live`` added to paperless' INSTALLED_APPS and its unchanged
``api_router``: per-viewset builds, the whole router's schema, ``migrate`` on a fresh
SQLite database, three users, GraphQL vs REST on every list and detail endpoint,
mutations, one list subscription, then alice's and bob's at once through a tag's sharing
(``distinct_users``). Prints one JSON document (``RESULT:`` line).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["main"]

SETTINGS = """
from paperless.settings import *  # noqa
INSTALLED_APPS = [*INSTALLED_APPS, "drf_graphql_live"]
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CELERY_TASK_ALWAYS_EAGER = True
# Parity selects every field of every endpoint, nested: far above the default cost limit.
DRF_GRAPHQL_LIVE = {"MAX_QUERY_COST": 10**8}
"""
USERS = ("admin", "alice", "bob")


def configure(checkout: Path, database_url: str | None = None) -> Path:
    """Environment and a wrapper settings module; a fresh data directory each run.
    SQLite in it, or the PostgreSQL database of ``database_url`` (:mod:`.paperless_pg`)."""
    data = Path(tempfile.mkdtemp(prefix="dgl-paperless-"))
    for name in ("media", "consume"):
        (data / name).mkdir()
    os.environ.update(
        PAPERLESS_SECRET_KEY="drf-graphql-live-realworld-harness-key",
        PAPERLESS_DATA_DIR=str(data),
        PAPERLESS_MEDIA_ROOT=str(data / "media"),
        PAPERLESS_CONSUMPTION_DIR=str(data / "consume"),
        DJANGO_SETTINGS_MODULE="dgl_paperless_settings",
    )
    (data / "dgl_paperless_settings.py").write_text(SETTINGS)
    if database_url:
        from .paperless_pg import configure as on_postgresql

        on_postgresql(data, database_url)
    sys.path[:0] = [str(data), str(checkout / "src")]
    return data


def step(report: dict[str, Any], name: str, func: Any, *args: Any) -> Any:
    from .report import failure

    try:
        value = func(*args)
    except BaseException as exc:
        report[name] = {"ok": False, **failure(exc)}
        return None
    report[name] = {"ok": True, **(value if isinstance(value, dict) else {})}
    return value


def migrate() -> dict[str, Any]:
    from .paperless_pg import timed_migrate

    return timed_migrate()


def make_users() -> dict[str, Any]:
    """admin (superuser); alice and bob with every model permission; a few owned objects."""
    from django.contrib.auth.models import Permission, User
    from documents.models import Correspondent, DocumentType, StoragePath, Tag

    users = {"admin": User.objects.create_superuser("admin", "a@example.com", "x")}
    for name in USERS[1:]:
        users[name] = User.objects.create_user(name, password="x")
        users[name].user_permissions.set(Permission.objects.all())
        for model in (Tag, Correspondent, DocumentType):
            model.objects.create(name=f"{name}'s {model.__name__}", owner=users[name])
        StoragePath.objects.create(name=f"{name}'s path", path="{title}", owner=users[name])
    Tag.objects.create(name="unowned")
    return {"users": len(users), "seeded": seed_more(users)}


def seed_more(users: dict[str, Any]) -> dict[str, str]:
    """Rows for more endpoints (documents, saved views, groups, custom fields), each optional."""
    from django.contrib.auth.models import Group
    from documents.models import CustomField, Document, SavedView

    makers = {
        "documents": lambda name, user: Document.objects.create(
            title=f"{name}'s letter",
            content="hello",
            checksum=f"sum-{name}",
            mime_type="application/pdf",
            owner=user,
        ),
        "saved_views": lambda name, user: SavedView.objects.create(
            name=f"{name}'s view", owner=user
        ),
        "groups": lambda name, user: user.groups.add(Group.objects.create(name=f"{name}s")),
        "custom_fields": lambda name, user: CustomField.objects.create(
            name=f"{name}'s field", data_type="string"
        ),
    }
    seeded = {}
    for endpoint, make in makers.items():
        try:
            for name in USERS[1:]:
                make(name, users[name])
            seeded[endpoint] = "ok"
        except Exception as exc:
            seeded[endpoint] = f"{type(exc).__name__}: {exc}"[:200]
    return seeded


def main(checkout: Path, database_url: str | None = None) -> dict[str, Any]:
    configure(checkout, database_url)
    import django

    report: dict[str, Any] = {}
    django.setup()
    first = step(report, "migrate", migrate)
    if database_url:
        from .paperless_pg import capture_after_migrate

        report["capture"] = capture_after_migrate(first or {})
    import paperless.urls as urls

    from .report import build_each

    report["per_viewset"] = build_each(urls.api_router.registry)
    schema = step(report, "build_whole_router", _build, urls.api_router)
    step(report, "users", make_users)
    if schema is not None:
        from .paperless_checks import mutations, parity

        report["parity"] = parity(schema, urls.api_router)
        report["mutations"] = mutations(schema)
        live = asyncio.run(_live(schema, bool(database_url)))
        report["subscription"], report["distinct_users"] = live[:2]
        if database_url:
            from .paperless_pg import unmigrate

            report["capture"]["raw_writes"] = live[2]
            report["capture"]["unmigrate"] = unmigrate()
    return report


async def _live(schema: Any, postgresql: bool) -> tuple[dict[str, Any], ...]:
    """The live checks, in one event loop (the channel layer and hub are the loop's)."""
    from .paperless_checks import distinct_users, subscription
    from .paperless_pg import raw_writes

    done = (await subscription(schema), await distinct_users(schema))
    return (*done, await raw_writes(schema)) if postgresql else done


def _build(router: Any) -> Any:
    from drf_graphql_live import build_schema

    return build_schema(router)


if __name__ == "__main__":
    url = sys.argv[2] if len(sys.argv) > 2 else None
    print("RESULT:" + json.dumps(main(Path(sys.argv[1]), url), default=str))
