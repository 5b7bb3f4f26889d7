"""The ORM's bulk writes announced like saves: ``update()``, ``bulk_create()``, ``bulk_update()``.

Django sends no signal for them, so without this a subscriber keeps a stale row after
``Task.objects.filter(project=p).update(status="done")``. Wrapped once for every
model (``AppConfig.ready``); a model no subscriber can see, a table the database
captures itself (PostgreSQL triggers), and the historical models of a migration pass
through untouched. The keys an ``update()`` will touch are read *before* it runs (its
filter may no longer match after), and announced after the commit, in chunks: one
message per chunk, with what they show computed in one query per dependency path.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import models, transaction
from django.db.models.query import QuerySet

from ..live.dependencies import LIVE, model_label
from ..live.events import resync_message, rows_event
from ..live.signals import publish
from .state import captured

__all__ = ["CHUNK", "announce_rows", "install"]

#: Rows per announcement of a bulk write.
CHUNK = 500

#: Set while a bulk write announces its own rows: the ``update()`` that Django's
#: ``bulk_update()`` runs per batch must not announce them again.
_announcing: contextvars.ContextVar[bool] = contextvars.ContextVar("dgl_bulk", default=False)
_installed = False


def announce_rows(
    model: type[models.Model], pks: Iterable[Any], *, using: str, deleted: bool = False
) -> None:
    """Announce ``pks`` of ``model`` after the commit (at once outside a transaction)."""
    keys = [str(model._meta.pk.to_python(pk)) for pk in pks if pk is not None]
    label = model_label(model)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        affects = LIVE.affected_many(model, chunk)
        event = rows_event(label, chunk, deleted=deleted and LIVE.is_root(model), affects=affects)
        transaction.on_commit(partial(publish, event), using=using)


def _watched(queryset: QuerySet) -> bool:
    return (
        not _announcing.get()
        and LIVE.watches(queryset.model)
        and not captured(queryset.model, queryset.db)
    )


def _update(original: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(original)
    def update(self: QuerySet, **kwargs: Any) -> int:
        if not _watched(self):
            return original(self, **kwargs)
        with transaction.atomic(using=self.db):  # the keys read and the write agree
            pks = list(self.values_list("pk", flat=True))
            count = original(self, **kwargs)
            announce_rows(self.model, pks, using=self.db)
        return count

    return update


def _bulk_create(original: Callable[..., list]) -> Callable[..., list]:
    @functools.wraps(original)
    def bulk_create(
        self: QuerySet, objs: Iterable[models.Model], *args: Any, **kwargs: Any
    ) -> list:
        if not _watched(self):
            return original(self, objs, *args, **kwargs)
        token = _announcing.set(True)
        try:
            created = original(self, objs, *args, **kwargs)
        finally:
            _announcing.reset(token)
        pks = [obj.pk for obj in created]
        if any(pk is None for pk in pks):  # the database returned no keys (ignore_conflicts)
            roots = LIVE.concerned_roots(self.model)
            transaction.on_commit(partial(publish, resync_message(roots)), using=self.db)
        else:
            announce_rows(self.model, pks, using=self.db)
        return created

    return bulk_create


def _bulk_update(original: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(original)
    def bulk_update(self: QuerySet, objs: Iterable[models.Model], *args: Any, **kwargs: Any) -> int:
        if not _watched(self):
            return original(self, objs, *args, **kwargs)
        objs = list(objs)
        token = _announcing.set(True)
        try:
            count = original(self, objs, *args, **kwargs)
        finally:
            _announcing.reset(token)
        announce_rows(self.model, [obj.pk for obj in objs], using=self.db)
        return count

    return bulk_update


def install() -> None:
    """Wrap ``QuerySet``'s bulk writes (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    QuerySet.update = _update(QuerySet.update)  # type: ignore[method-assign]
    QuerySet.bulk_create = _bulk_create(QuerySet.bulk_create)  # type: ignore[method-assign]
    QuerySet.bulk_update = _bulk_update(QuerySet.bulk_update)  # type: ignore[method-assign]
