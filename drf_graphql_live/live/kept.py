"""What a group keeps between changes, made from the request that built it.

The batched evaluation (:mod:`.batch`) keeps each group's authenticated view, its
compiled membership query and its rendering key (:class:`~.group_cache.GroupCache`).
Building them is most of the work of a group's first evaluation: the viewset's
``initial()``, django-filter's form, DRF building and trimming the serializer's fields,
about as much as the subscribe request itself. After a mass subscription (a deploy, a
reconnect storm) every group's first evaluation fell on the first changes, which then
cost a thousand groups' set-up each (8.8 s for 1,000 users' groups on this machine,
against 52 ms once they were kept). The first subscriber's snapshot has built all of it
already, as that subscriber, a moment earlier: :func:`keeper` hands it to the group::

    snapshot(operation, keep=keeper(group.cache))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from django.db import models
from django.db.models import F
from rest_framework.viewsets import GenericViewSet

from ..api.request import OperationRequest
from .group_cache import GroupCache
from .permission_checks import PermissionChecks
from .reads import gate_models, models_read
from .sharing import shared_representation

__all__ = [
    "PK_ALIAS",
    "Keep",
    "keep_view",
    "keeper",
    "membership_values",
    "render_key",
    "unthrottled",
]

PK_ALIAS = "dgl_pk"

#: ``keep(view, queryset, serializer, initial_sqls, build_sqls)``, see :func:`keeper`.
Keep = Callable[[GenericViewSet, Any, Any, list[str], list[str]], None]


def membership_values(queryset: Any) -> models.QuerySet | None:
    """The membership query of ``filter_queryset(get_queryset())``: its primary keys only.

    None when it cannot be filtered to some keys (not a QuerySet, or a slice: a row may
    enter the slice as another leaves), which is evaluated per group.
    """
    if not isinstance(queryset, models.QuerySet) or queryset.query.is_sliced:
        return None
    return queryset.order_by().prefetch_related(None).values(**{PK_ALIAS: F("pk")})


def render_key(serializer: Any, operation: OperationRequest) -> Hashable:
    """(serializer class, field, selection) when the representation is shared, else False."""
    child = getattr(serializer, "child", serializer)
    if shared_representation(serializer):
        selection = json.dumps(operation.selection, sort_keys=True)
        return (type(child), operation.field.name, selection)
    return False  # decided: per group


def unthrottled(request: Any) -> None:
    """Event re-checks are not requests: the subscribe request was throttled, not them."""


def keep_view(cache: GroupCache, view: GenericViewSet, initial_sqls: list[str]) -> None:
    """Keep ``view`` (authenticated, ``initial()`` run) for the group's evaluations."""
    view.check_throttles = unthrottled  # type: ignore[method-assign]
    cache.view = view
    cache.view_reads = gate_models(initial_sqls)
    cache.permissions = PermissionChecks.of(view)
    cache.batchable = getattr(view, "live_batch", True) is not False


def keeper(cache: GroupCache, operation: OperationRequest) -> Keep:
    """What the snapshot calls, inside the middleware, once it has rendered the objects.

    ``initial_sqls``: what ``initial()`` read past authentication (the view is made
    anew when one of those models changes); ``build_sqls``: everything read up to the
    filtered queryset (middleware, authentication and filters included: the kept SQL is
    dropped at a change of any of those models, as :mod:`.batch` would keep it).
    """

    def keep(
        view: GenericViewSet, queryset: Any, serializer: Any, initial: list[str], build: list[str]
    ) -> None:
        keep_view(cache, view, initial)
        if not cache.batchable:
            return
        values = membership_values(queryset)
        if values is None:
            return  # the first evaluation finds that out and says so in the log
        sql, params = values.query.sql_with_params()
        reads = models_read(build)
        cache.pk_field = values.model._meta.pk
        if reads is not None:
            cache.membership, cache.reads = (values.db, sql, tuple(params)), reads
        cache.render_key = render_key(serializer, operation)

    return keep
