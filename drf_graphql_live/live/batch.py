"""Visibility for every group of a change at once: one SQL statement, one rendering.

With one group per subscriber's user, running the viewset per group and change costs
one authentication query, one queryset and one rendering per user. This module does
the same checks for all the groups a change concerns together::

    evaluate_batch(Work([group, ...], [("7",), ...]))

* **Authentication once per group**, at its first evaluation, kept in its
  :class:`GroupCache` (DRF's ``request.user``/``request.auth``); the credentials that can
  end are re-checked by :mod:`.credentials`, which drops the cache of the groups of the
  users concerned. ``has_permission`` still runs for every group and change.
* **Membership in one statement**: each group's ``filter_queryset(get_queryset())`` is
  compiled to SQL once and kept; per change the statements of all groups (one per
  distinct subscriber scope and arguments) are joined with ``UNION ALL``, each filtered
  to the changed primary keys, in chunks (SQLite allows 500 compound terms). SQL that
  ``get_queryset()`` or a filter built by reading rows (django-filter validating
  ``?project=``) is kept until a change of one of the models it read (:mod:`.reads`).
* **One rendering per distinct representation**: groups with the same serializer and
  selection share the rendering when the representation cannot depend on the request
  (:mod:`.sharing`); the objects are fetched once through ``_base_manager`` with the
  serializer's joins. Object permissions still run per group.

What does not fit (a ``get_queryset()`` that does not return a QuerySet, a statement
the database refuses) takes the exact per-group path of :func:`.visibility.evaluate`,
and says so once in the log. A viewset whose ``get_queryset()`` reads what no change
announces (the clock, another service) opts out with ``live_batch = False``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

from django.db import connections, models
from rest_framework import exceptions as drf_exceptions
from rest_framework.viewsets import GenericViewSet

from ..api.middleware import through_middleware
from ..api.prefetch import optimize_queryset
from ..api.representation import to_json
from ..api.request import OperationRequest, apply_identity
from ..api.sync import close_stale_connections
from .group_cache import GroupCache
from .kept import PK_ALIAS, keep_view, membership_values, render_key
from .lateral import Term, statements
from .permission_checks import PermissionChecks
from .reads import QueryRecorder, models_read, recording
from .stored_keys import database_keys, event_key
from .visibility import AccessLost, CredentialsRefused, evaluate, subscribe_view

__all__ = ["evaluate_batch"]

logger = logging.getLogger("drf_graphql_live")


class Evaluated(Protocol):
    """What a group shows the worker: its subscribe request and what it keeps."""

    operation: OperationRequest
    cache: GroupCache


G = TypeVar("G", bound=Evaluated)


@dataclasses.dataclass(slots=True)
class Work(Generic[G]):
    """The groups of one change and, at the same index, the pks each re-checks.

    Parallel lists rather than a tuple per group: a thousand groups' work then makes no
    object per group that could outlive the change in the collector's old generation.
    """

    groups: list[G] = dataclasses.field(default_factory=list)
    pks: list[tuple[str, ...]] = dataclasses.field(default_factory=list)

    def add(self, group: G, pks: tuple[str, ...]) -> None:
        self.groups.append(group)
        self.pks.append(pks)

    def __len__(self) -> int:
        return len(self.groups)


_NONE: frozenset[str] = frozenset()


@dataclasses.dataclass(slots=True)
class _Entry:
    index: int
    operation: OperationRequest
    cache: GroupCache
    pks: tuple[str, ...]
    view: GenericViewSet
    #: the pks of ``pks`` its queryset holds (shared frozensets: nothing made per group)
    visible: frozenset[str] = _NONE


def evaluate_batch(work: Work[Any]) -> list[dict[str, Any] | Exception]:
    """``{pk: node or None}`` (or the exception) for each work item, in order.

    Groups that share a representation get the *same* node objects, which lets the hub
    fingerprint and render each once (:class:`~.scratch.ChangeScratch`); groups with the
    same outcome get the same dict (read-only): a change seen by 1,000 users allocates
    one result, not 1,000, so it promotes less to the collector's old generation.
    """
    results: list[dict[str, Any] | Exception | None] = [None] * len(work)
    entries = _prepare(work, results)
    batched = [e for e in entries if e.cache.batchable]
    try:
        _membership(batched)
        for entry in entries:
            if not entry.cache.batchable:  # found out while compiling its membership
                results[entry.index] = _exactly(entry)
        _render_and_check([e for e in batched if e.cache.batchable], results)
    except Exception:
        logger.exception("Batched live evaluation failed; evaluating each group on its own")
        close_stale_connections()
        for entry in batched:
            results[entry.index] = _exactly(entry)
    return [result if result is not None else RuntimeError("not evaluated") for result in results]


def _prepare(work: Work[Any], results: list[Any]) -> list[_Entry]:
    """Each group's view (authenticated once) with ``has_permission`` checked now."""
    shared_auth: dict[Hashable, tuple[Any, Any, Any]] = {}
    entries = []
    for index, group in enumerate(work.groups):
        operation, cache, pks = group.operation, group.cache, work.pks[index]
        try:
            if cache.view is None or cache.permissions is None:
                recorder = QueryRecorder()  # what its initial() reads: kept until they change
                view = subscribe_view(
                    operation, initial=False, authenticated=shared_auth, recorder=recorder
                )
                keep_view(cache, view, recorder.sqls)
            elif not cache.permissions.constant:  # DRF's own: fixed while the view is kept
                cache.view.check_permissions(cache.view.request)
        except (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed) as exc:
            cache.reset()
            results[index] = CredentialsRefused(str(exc))
            continue
        except drf_exceptions.PermissionDenied as exc:
            results[index] = AccessLost(str(exc))
            continue
        except Exception as exc:
            cache.reset()
            results[index] = exc
            close_stale_connections()
            continue
        assert cache.view is not None  # kept just above, or by the snapshot (:mod:`.kept`)
        entry = cache.entry
        if entry is None:
            entry = cache.entry = _Entry(index, operation, cache, pks, cache.view)
        else:
            entry.index, entry.operation, entry.pks = index, operation, pks
            entry.view, entry.visible = cache.view, _NONE
        entries.append(entry)
    return entries


def _exactly(entry: _Entry) -> dict[str, Any] | Exception:
    try:
        return evaluate(entry.operation, list(entry.pks))
    except Exception as exc:
        close_stale_connections()
        return exc


def _membership(entries: list[_Entry]) -> None:
    """Fill each entry's ``visible`` pks: one statement per database (:mod:`.lateral`)."""
    terms: dict[str, list[Term]] = defaultdict(list)
    for entry in entries:
        if (statement := _statement(entry)) is not None:
            alias, sql, params = statement
            keys = database_keys(entry.cache.pk_field, entry.pks, connections[alias])
            terms[alias].append((entry.index, sql, params, keys))
    by_index = {entry.index: entry for entry in entries}
    grown: dict[tuple[frozenset[str], str], frozenset[str]] = {}
    for alias, items in terms.items():
        connection = connections[alias]
        column = connection.ops.quote_name(PK_ALIAS)
        for query, values, copies in statements(connection.vendor, column, items):
            with connection.cursor() as cursor:
                cursor.execute(query, values)
                rows = cursor.fetchall()
            for index, raw in rows:
                key = event_key(by_index[index].cache.pk_field, by_index[index].pks, raw)
                _sees(by_index[index], key, grown)
                for copy in copies.get(index, ()):
                    _sees(by_index[copy], key, grown)


def _sees(entry: _Entry, pk: str, grown: dict[tuple[frozenset[str], str], frozenset[str]]) -> None:
    """Add ``pk`` to the entry's visible pks; equal sets are one object for all groups."""
    key = (entry.visible, pk)
    if key not in grown:
        grown[key] = entry.visible | {pk}
    entry.visible = grown[key]


def _statement(entry: _Entry) -> tuple[str, str, tuple[Any, ...]] | None:
    """(database alias, SQL, params) of the group's membership query, kept when safe."""
    if entry.cache.membership is not None:
        return entry.cache.membership
    counter = QueryRecorder()
    with recording(counter):
        queryset = _in_middleware(entry, lambda: _queryset(entry.view))
        if queryset is None:  # a row may enter a slice as another leaves: per group
            entry.cache.batchable = False
            _say_once(type(entry.view), "its get_queryset() is no unsliced QuerySet")
            return None
        sql, params = queryset.query.sql_with_params()
    entry.cache.pk_field = queryset.model._meta.pk
    statement = (queryset.db, sql, tuple(params))
    reads = models_read(counter.sqls)
    if reads is not None:  # rebuilt when a change of one of these models comes (hub)
        entry.cache.membership, entry.cache.reads = statement, reads
    return statement


def _in_middleware(entry: _Entry, work: Callable[[], Any]) -> Any:
    """``work()`` inside the project's middleware again, with the group's kept request.

    The group's view outlives the middleware run that built it; a scope a middleware
    holds only while it runs (django-scopes' ``with scope(...)``, a tenant ContextVar)
    must also cover ``get_queryset()`` at later changes, as it covers each REST request.
    """
    request = entry.view.request._request
    identity = lambda r: apply_identity(r, entry.operation.context)  # noqa: E731
    return through_middleware(request, identity, lambda _: work())


def _queryset(view: GenericViewSet) -> models.QuerySet | None:
    return membership_values(view.filter_queryset(view.get_queryset()))


_said: set[type] = set()


def _say_once(viewset: type, why: str) -> None:
    if viewset not in _said:
        _said.add(viewset)
        logger.info(
            "Live subscriptions of %s are evaluated per group, not batched: %s",
            viewset.__qualname__,
            why,
        )


def _render_and_check(entries: list[_Entry], results: list[Any]) -> None:
    """Render once per shared representation; per group where it may differ."""
    shared: dict[Hashable, list[_Entry]] = defaultdict(list)
    nothing: dict[tuple[str, ...], dict[str, None]] = {}
    for entry in entries:
        if not entry.visible:  # nothing it may see changed: no rendering, one shared dict
            if entry.pks not in nothing:
                nothing[entry.pks] = dict.fromkeys(entry.pks)
            results[entry.index] = nothing[entry.pks]
            continue
        key = _render_key(entry)
        if key is not None:
            shared[key].append(entry)
        else:
            results[entry.index] = _own_rendering(entry)
    for key, group_entries in shared.items():
        nodes, objects = _shared_rendering(key, group_entries)
        _shared_results(group_entries, nodes, objects, results)


def _shared_results(
    entries: list[_Entry], nodes: dict[str, Any], objects: dict[str, Any], results: list[Any]
) -> None:
    """Each group's ``{pk: node or None}`` from one rendering, its object checks applied.

    The usual change is one object: groups with the same outcome (shown or not) then
    share one result dict.
    """
    outcomes: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for entry in entries:
        if len(entry.pks) != 1:
            seen = {pk: objects[pk] for pk in entry.visible if pk in objects}
            if seen:
                seen = {pk: seen[pk] for pk in _object_checked(entry, seen)}
            results[entry.index] = {pk: nodes[pk] if pk in seen else None for pk in entry.pks}
            continue
        pk = entry.pks[0]
        obj = objects.get(pk) if pk in entry.visible else None
        checks = entry.cache.permissions or PermissionChecks.of(entry.view)
        shown = obj is not None and (not checks.checks_objects or checks.allows(entry.view, obj))
        same = outcomes[shown]
        if pk not in same:
            same[pk] = {pk: nodes[pk] if shown else None}
        results[entry.index] = same[pk]


def _render_key(entry: _Entry) -> Hashable | None:
    """(serializer class, field, selection) when the representation is shared, else None."""
    cache = entry.cache
    if cache.render_key is None:
        cache.render_key = render_key(entry.view.get_serializer(), entry.operation)
    return cache.render_key or None


#: The shared renderings' fetches (every row by pk, with the serializer's joins), per
#: render key: one queryset for all the groups that share a representation, not one
#: each (a compiled query is ~30 objects the collector scans at every full collection).
_FETCHES: dict[Hashable, models.QuerySet] = {}
_FETCHES_MAX = 1024


def _shared_rendering(
    key: Hashable, entries: list[_Entry]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fetch the union of visible objects once, render them once."""
    wanted = sorted({pk for entry in entries for pk in entry.visible})
    if not wanted:
        return {}, {}
    view = entries[0].view
    fetch = _FETCHES.get(key)
    if fetch is None:  # the joins the trimmed serializer needs, found once
        # The registration's model; get_queryset() may need the middleware's scope.
        model = entries[0].operation.field.endpoint.model or _in_middleware(
            entries[0], lambda: view.get_queryset().model
        )
        if len(_FETCHES) >= _FETCHES_MAX:
            _FETCHES.clear()
        fetch = _FETCHES[key] = optimize_queryset(model._base_manager.all(), view.get_serializer())
    objects = {str(obj.pk): obj for obj in fetch.filter(pk__in=wanted)}
    ordered = list(objects.values())
    rendered = to_json(view.get_serializer(ordered, many=True).data)
    nodes = {str(obj.pk): node for obj, node in zip(ordered, rendered, strict=True)}
    return nodes, objects


def _own_rendering(entry: _Entry) -> dict[str, Any]:
    view = entry.view
    if not entry.visible:
        return dict.fromkeys(entry.pks)
    # Fetched inside the middleware: a tenant-scoped get_queryset() needs its scope.
    objects = _in_middleware(entry, lambda: {
        str(obj.pk): obj
        for obj in view.filter_queryset(view.get_queryset()).filter(pk__in=sorted(entry.visible))
    })  # fmt: skip
    visible = _object_checked(entry, objects)
    ordered = [objects[pk] for pk in objects if pk in visible]
    rendered = to_json(view.get_serializer(ordered, many=True).data)
    nodes = {str(obj.pk): node for obj, node in zip(ordered, rendered, strict=True)}
    return {pk: nodes.get(pk) for pk in entry.pks}


def _object_checked(entry: _Entry, objects: dict[str, Any]) -> set[str]:
    """The pks whose objects pass the group's object permissions (:mod:`.permission_checks`)."""
    checks = entry.cache.permissions or PermissionChecks.of(entry.view)
    return checks.allowed(entry.view, objects)
