"""What a live group keeps between changes for its evaluations (:mod:`.batch`).

The subscriber's authenticated view (its ``initial()`` run once), the compiled
membership query and the decisions made with them. What they were built from may
change: the cache says which models' rows they read, and forgets itself when a change
of one comes by (:meth:`GroupCache.changed`), or when the credentials may have changed
(:meth:`GroupCache.reset`)::

    cache.changed({"users.objectpermission"})   # initial() read one: a new view next time
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from typing import Any

from django.db import models
from rest_framework.viewsets import GenericViewSet

from .permission_checks import PermissionChecks

__all__ = ["GroupCache"]


@dataclasses.dataclass
class GroupCache:
    """What a group keeps between changes; :meth:`reset` when its credentials may change."""

    view: GenericViewSet | None = None
    #: models the view's set-up read past authentication (``initial()`` restricting
    #: ``self.queryset`` by permission rows): the view is made anew after a change of one
    view_reads: frozenset[str] = frozenset()
    #: (database alias, SQL, params) of the membership query, without the pk filter
    membership: tuple[str, str, tuple[Any, ...]] | None = None
    #: False: ``get_queryset()`` is not an unsliced QuerySet; evaluate per group
    batchable: bool = True
    #: models ``get_queryset()``/the filters read while building ``membership`` (kept
    #: until a change of one of them: :meth:`changed`)
    reads: frozenset[str] = frozenset()
    #: groups with equal keys render an object the same (None: per group), decided once
    render_key: Hashable | None = None
    #: which of the view's permission checks run at each change, decided with the view
    permissions: PermissionChecks | None = None
    #: this group's entry in the evaluations, refilled at each: one object per group for
    #: its lifetime instead of one per change (those reached the old generation)
    entry: Any = None  # batch._Entry (batch imports this module)
    #: the primary key of the membership query's model: how a pk is written in its SQL
    pk_field: models.Field | None = None
    #: a list whose queryset is a slice (``qs[:1000]``): each evaluation holds all it
    #: sees (:class:`~.visibility.Complete`), deletions included — a row enters the
    #: slice as another leaves. Set by the snapshot, kept across :meth:`reset`.
    whole: bool = False

    def reset(self) -> None:
        self.view, self.membership, self.batchable, self.pk_field = None, None, True, None
        self.render_key, self.permissions, self.reads, self.entry = None, None, frozenset(), None
        self.view_reads = frozenset()

    def changed(self, models: Iterable[str]) -> None:
        """Rows of ``models`` changed: what was built by reading them is built again."""
        models = frozenset(models)
        if self.view_reads and not self.view_reads.isdisjoint(models):
            self.reset()  # the view itself: its initial() read them
        elif self.reads and not self.reads.isdisjoint(models):
            self.membership, self.reads = None, frozenset()
