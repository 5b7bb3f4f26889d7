"""Which tables the database captures, as the writers see it: so a change is announced
once (by the trigger), not again by the model signals or the ORM's bulk writes.

Read from ``pg_trigger`` at most every ``TTL`` seconds per process and database (a
query per save would cost more than the save), and at once after this process
installed or removed triggers.
"""

from __future__ import annotations

import threading
import time

from django.db import connections, models, transaction

from ..settings import live_settings
from .triggers import installed

__all__ = ["captured", "captured_tables", "forget", "supported"]

#: Seconds a process trusts what it read of the installed triggers.
TTL = 30.0

_known: dict[str, tuple[float, frozenset[str]]] = {}
_lock = threading.Lock()


def supported(using: str = "default") -> bool:
    """Whether database capture applies: PostgreSQL, and ``CAPTURE`` not ``"signals"``."""
    return connections[using].vendor == "postgresql" and live_settings.CAPTURE != "signals"


def captured_tables(using: str = "default") -> frozenset[str]:
    if not supported(using):
        return frozenset()
    now = time.monotonic()
    with _lock:
        known = _known.get(using)
    if known is not None and now - known[0] < TTL:
        return known[1]
    connection = connections[using]
    try:
        # In a savepoint when inside the writer's transaction: a failure here (no
        # access to the catalogue) must not abort the host's transaction.
        with transaction.atomic(using=using, savepoint=connection.in_atomic_block):
            tables = frozenset(installed(connection))
    except Exception:
        tables = frozenset()
    with _lock:
        _known[using] = (now, tables)
    return tables


def captured(model: type[models.Model], using: str = "default") -> bool:
    """Whether every table ``model``'s rows live in reports its writes."""
    tables = captured_tables(using)
    if not tables:
        return False
    concrete = model._meta.concrete_model or model
    owners = (concrete, *concrete._meta.get_parent_list())
    return all(owner._meta.db_table in tables for owner in owners)


def forget(using: str = "default") -> None:
    with _lock:
        _known.pop(using, None)
