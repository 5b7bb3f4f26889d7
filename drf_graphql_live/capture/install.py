"""Installing, checking and removing the triggers: what ``migrate`` and the command run.

``post_migrate`` (re)creates the function and the triggers of every watched table and
drops those of tables no longer watched, so a model added to the schema later is picked
up by the next ``migrate``. Each table in its own savepoint: a table the role may not
alter (not its owner, a read replica) keeps signal capture and is reported by the check
(W007), and never breaks ``migrate``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction

from ..live.dependencies import LIVE
from . import state
from .state import supported
from .tables import WatchedTable, watched_tables
from .triggers import (
    create_function_sql,
    drop_function_sql,
    drop_table_sql,
    installed,
    trigger_sql,
)

__all__ = ["Report", "expected", "install", "missing", "on_post_migrate", "remove"]

logger = logging.getLogger("drf_graphql_live")


@dataclass
class Report:
    installed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def expected() -> dict[str, WatchedTable]:
    return watched_tables(LIVE.watched_models())


def install(using: str = "default") -> Report:
    """Create the shared function, each watched table's function and triggers; drop the
    stale ones."""
    report = Report()
    connection = connections[using]
    tables = expected()
    if not tables:  # no schema (it failed to load): change nothing rather than drop all
        return report
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute(create_function_sql())
    except Exception as exc:  # no right to create functions: signal capture stays
        report.failed["(function)"] = str(exc)
        state.forget(using)
        return report
    present = installed(connection)
    for name, table in sorted(tables.items()):
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for statement in trigger_sql(connection, table):
                    cursor.execute(statement)
            report.installed.append(name)
        except Exception as exc:
            report.failed[name] = str(exc).strip().splitlines()[0]
    for name in sorted(set(present) - set(tables)):
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for statement in drop_table_sql(connection, name):
                    cursor.execute(statement)
            report.dropped.append(name)
        except Exception as exc:
            report.failed[name] = str(exc).strip().splitlines()[0]
    state.forget(using)
    return report


def remove(using: str = "default") -> None:
    """Drop the functions and with them every trigger (``manage.py live_capture --remove``)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(drop_function_sql())
    state.forget(using)


def missing(using: str = "default") -> dict[str, str]:
    """Watched tables whose triggers are absent or out of date -> why (the check's list)."""
    connection = connections[using]
    present = installed(connection)
    out: dict[str, str] = {}
    for name, table in expected().items():
        columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
        if name not in present:
            out[name] = "no capture triggers"
        elif present[name] != columns:
            out[name] = "capture triggers out of date"
    return out


def on_post_migrate(sender: Any, using: str = "default", **_: Any) -> None:
    """``post_migrate``: install what the watched tables need (never failing migrate)."""
    if not supported(using):
        return
    try:
        report = install(using)
    except Exception:
        logger.exception("Capture triggers could not be installed; signal capture stays")
        return
    for name, why in report.failed.items():
        logger.warning(
            "drf_graphql_live: no database capture for %s (%s): its changes are announced "
            "by model signals only, so update(), bulk writes and raw SQL go unseen there",
            name,
            why,
        )
