"""The paperless probe on PostgreSQL (``--database-url``): database capture on its tables.

paperless reads its database from ``PAPERLESS_DB*`` variables (set from the URL); the
schema is named in ``DRF_GRAPHQL_LIVE["SCHEMA"]`` (a module building it from
``paperless.urls.api_router``), so ``migrate`` knows the watched tables. Checks::

    migrate (timed) -> W007? triggers on which tables -> migrate again (idempotent)
    -> raw SQL and QuerySet.update() on documents_tag heard by alice's tagsChanged
    -> migrate paperless_mail zero, then migrate: triggers back, W007 gone
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["SCHEMA_MODULE", "capture_after_migrate", "configure", "raw_writes", "unmigrate"]

SCHEMA_MODULE = """
from drf_graphql_live import build_schema
from paperless.urls import api_router

schema = build_schema(api_router)
"""
SETTINGS = '\nDRF_GRAPHQL_LIVE["SCHEMA"] = "dgl_paperless_schema.schema"\n'
#: Seconds to wait for an event (bounded; never a sleep).
EVENT_TIMEOUT = 10


def configure(data: Path, url: str) -> None:
    """paperless' own database variables from ``url``; the schema module beside the settings."""
    parts = urlsplit(url)
    os.environ.update(
        PAPERLESS_DBENGINE="postgresql",
        PAPERLESS_DBHOST=parts.hostname or "127.0.0.1",
        PAPERLESS_DBPORT=str(parts.port or 5432),
        PAPERLESS_DBNAME=unquote(parts.path.lstrip("/")),
        PAPERLESS_DBUSER=unquote(parts.username or "postgres"),
        PAPERLESS_DBPASS=unquote(parts.password or ""),
    )
    (data / "dgl_paperless_schema.py").write_text(SCHEMA_MODULE)
    with (data / "dgl_paperless_settings.py").open("a") as settings:
        settings.write(SETTINGS)


def timed_migrate(*args: str) -> dict[str, Any]:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", *args, verbosity=0, interactive=False)
    return {"seconds": round(time.perf_counter() - start, 2)}


def capture_state() -> dict[str, Any]:
    """W007 (the database checks, as ``manage.py check --database default``), the tables
    with our triggers, what the schema watches, what ``install.missing`` says."""
    from django.core import checks
    from django.db import connection

    from drf_graphql_live.capture import install

    found = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    ours = [m for m in found if (m.id or "").startswith("drf_graphql_live.")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'drf\\_graphql\\_live\\_%%' GROUP BY c.relname ORDER BY 1"
        )
        triggers = dict(cursor.fetchall())
    return {
        "checks": [f"{m.id}: {m.msg[:300]}" for m in ours],
        "watched_tables": sorted(install.expected()),
        "tables_with_triggers": len(triggers),
        "triggers": sum(triggers.values()),
        "missing": install.missing(),
        "without_four_triggers": {t: n for t, n in triggers.items() if n != 4},
    }


def capture_after_migrate(first: dict[str, Any]) -> dict[str, Any]:
    """After the first migrate: its state, a second migrate, the state again."""
    out: dict[str, Any] = {"after_migrate": capture_state()}
    out["second_migrate"] = _guarded(timed_migrate)
    out["after_second_migrate"] = capture_state()
    out["first_migrate_seconds"] = first.get("seconds")
    return out


def unmigrate() -> dict[str, Any]:
    """``migrate paperless_mail zero`` then ``migrate``: nothing breaks, triggers come back."""
    out: dict[str, Any] = {"zero": _guarded(timed_migrate, "paperless_mail", "zero")}
    out["after_zero"] = capture_state()
    out["forward"] = _guarded(timed_migrate)
    out["after_forward"] = capture_state()
    return out


def _guarded(func: Any, *args: Any) -> dict[str, Any]:
    from .report import failure

    try:
        return {"ok": True, **func(*args)}
    except Exception as exc:
        return {"ok": False, **failure(exc)}


async def raw_writes(schema: Any) -> dict[str, Any]:
    """alice's ``tagsChanged``: a raw SQL ``UPDATE`` of her tag, then a
    ``QuerySet.update()`` (neither sends a model signal: only the trigger can tell)."""
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import User
    from django.core.asgi import get_asgi_application
    from django.db import connection
    from documents.models import Tag
    from rest_framework.authtoken.models import Token

    from drf_graphql_live.asgi import live_application
    from drf_graphql_live.testing import GraphQLWSClient

    from .report import failure

    alice = await User.objects.aget(username="alice")
    token, _ = await Token.objects.aget_or_create(user=alice)
    app = live_application(schema, get_asgi_application())

    def raw_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_tag SET name = name || ' (raw SQL)' WHERE owner_id = %s",
                [alice.pk],
            )

    def queryset_update() -> None:
        Tag.objects.filter(owner=alice).update(color="#123456")

    out: dict[str, Any] = {}
    query = "subscription { tagsChanged { kind id node { name color } } }"
    try:
        async with GraphQLWSClient(app, {"Authorization": f"Token {token.key}"}) as ws:
            if not await ws.acknowledged():
                return {"why": f"closed {ws.close_code}"}
            op = await ws.subscribe(query)
            await ws.assert_nothing()
            for name, write in (("raw_sql", raw_sql), ("queryset_update", queryset_update)):
                start = time.perf_counter()
                await sync_to_async(write)()
                try:
                    payloads = [await ws.receive_next(op, timeout=EVENT_TIMEOUT)]
                    ms = round((time.perf_counter() - start) * 1000, 1)
                    payloads += await _rest(ws, op)
                    delivered = all("errors" not in p for p in payloads)
                    out[name] = {"delivered": delivered, "ms": ms, "payloads": payloads}
                except Exception as exc:
                    out[name] = {"delivered": False, **failure(exc)}
    except Exception as exc:
        out["error"] = failure(exc)
    return out


async def _rest(ws: Any, op: str) -> list[Any]:
    """What else arrives for ``op`` until a second passes quietly (``receive_nothing``:
    a receive that times out cancels the application)."""
    more = []
    while not await ws.communicator.receive_nothing(1.0):
        more.append(await ws.receive_next(op))
    return more
