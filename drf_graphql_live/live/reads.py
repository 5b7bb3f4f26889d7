"""What building a queryset read from the database, so that what is kept is kept honestly.

The batched path (:mod:`.batch`) keeps each group's membership SQL between changes. A
``get_queryset()`` or filter backend may read rows while it builds it (django-filter
validating ``?project=7`` against the user's projects, a list of ids read in Python):
the SQL then depends on those rows. The queries run while building are recorded, the
models their tables belong to are named, and the kept SQL is dropped when a change of
one of those models comes by (``GroupCache.changed``)::

    recorder = QueryRecorder()
    with recording(recorder):
        sql = build()
    models_read(recorder.sqls)      # frozenset({"board.project", "auth.user"}) or None
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import connections

__all__ = ["QueryRecorder", "gate_models", "models_read", "recording"]


@contextlib.contextmanager
def recording(counter: Callable[..., Any]) -> Iterator[None]:
    """``counter`` (an execute wrapper: a :class:`QueryRecorder`, or one that refuses)
    sees every query run on any database while building a queryset."""
    with contextlib.ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(counter))
        yield


class QueryRecorder:
    """Records the queries ``get_queryset()``/the filter backends run while building.

    ``active``: False lets queries pass unrecorded (authentication, rendering).
    """

    def __init__(self, *, active: bool = True) -> None:
        self.count = 0
        self.sqls: list[str] = []
        self.active = active

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.active:
            self.count += 1
            self.sqls.append(sql)
        return execute(sql, params, many, context)


_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+[`"\[]?(\w+)', re.IGNORECASE)


def models_read(sqls: Iterable[str]) -> frozenset[str] | None:
    """The models (``app_label.model``) whose tables ``sqls`` read; None if one is unknown.

    An m2m table stands for both models it joins: changes to it are announced as
    changes of those (``m2m_changed``).
    """
    tables = _tables()
    labels: set[str] = set()
    for sql in sqls:
        for table in _TABLE.findall(sql):
            if table not in tables:
                return None
            labels |= tables[table]
    return frozenset(labels)


def gate_models(sqls: Iterable[str]) -> frozenset[str]:
    """The models ``sqls`` read whose rows may decide what a subscriber sees (gates).

    All the known ones but those the credentials re-check covers per user
    (:mod:`.credentials`: the user model, groups, permissions, tokens, sessions) and
    content types: a permission class reads them at every request, and as gates every
    user's save would resynchronise every group.
    """
    known = [sql for sql in sqls if models_read([sql]) is not None]
    return (models_read(known) or frozenset()) - _credential_models()


@functools.cache
def _credential_models() -> frozenset[str]:
    from django.contrib.auth import get_user_model

    return frozenset(
        {
            get_user_model()._meta.label_lower,
            "auth.group",
            "auth.permission",
            "authtoken.token",
            "sessions.session",
            "contenttypes.contenttype",
        }
    )


@functools.cache
def _tables() -> dict[str, frozenset[str]]:
    tables: dict[str, frozenset[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:  # its table is its concrete model's (Token, not TokenProxy)
            continue
        labels = {model._meta.label_lower}
        if model._meta.auto_created:  # an m2m's through table
            labels |= {
                field.related_model._meta.label_lower
                for field in model._meta.fields
                if field.related_model is not None
            }
        tables[model._meta.db_table] = frozenset(labels)
    return tables
