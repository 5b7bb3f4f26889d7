"""Which rows affect which registered objects: the live registry.

A subscriber to ``tasksChanged`` must hear when a task row changes, but also when the
user nested as its assignee is renamed, or a comment it shows is added. Those
dependencies are read off the serializers (every relation their representation walks,
as the query optimizer sees them) plus what a serializer declares itself where
nothing can be derived (a ``SerializerMethodField``)::

    class TaskSerializer(serializers.ModelSerializer):
        class Meta:
            model = Task
            live_depends_on = ["project__members"]   # extra paths from Task

    LIVE.dependents(User)    # [(Task, "assignee"), (Task, "comments__author"), ...]

:data:`LIVE` is filled by ``build_schema``; a process that never built a schema (a
management command) loads the project's schema the first time a model signal fires.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connections, models

from schema_gen import Endpoint
from schema_gen.introspection import instantiate, introspecting

from ..api.prefetch import related_lookups
from ..registry import load_project_schema
from .reads import gate_models, models_read, recording

__all__ = ["LIVE", "LiveRegistry", "model_label"]

logger = logging.getLogger("drf_graphql_live")


def model_label(model: type[models.Model]) -> str:
    """``"app_label.modelname"``: how events name a model across processes."""
    return model._meta.label_lower


class LiveRegistry:
    """Registered endpoints, their models, and the reverse dependency paths."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []
        self._dependents: dict[type, set[tuple[type[models.Model], str]]] = defaultdict(set)
        self._roots: set[type] = set()
        #: label of a model a root's queryset reads (joins, subqueries) -> labels of the
        #: roots whose *visibility* its rows decide, where no representation shows it
        self._gates: dict[str, set[str]] = defaultdict(set)
        self._loaded = False
        self._lock = threading.Lock()

    def add(self, endpoints: list[Endpoint]) -> None:
        """Register ``endpoints`` (called by ``build_schema``)."""
        for endpoint in endpoints:
            if endpoint.model is None or endpoint in self.endpoints:
                continue
            self.endpoints.append(endpoint)
            self._roots.add(endpoint.model)
            for path in _paths(endpoint):
                related = _follow(endpoint.model, path)
                if related is not None:
                    self._dependents[related].add((endpoint.model, path))
        for endpoint in endpoints:
            if endpoint.model is not None:
                self.add_gates(endpoint.model, _list_reads(endpoint))
        self._loaded = True

    def add_gates(self, root: type[models.Model], labels: Iterable[str]) -> None:
        """Models whose rows ``root``'s queryset reads: their changes may show or hide
        ``root`` objects (an object permission row, a share, a membership).

        Those the representation shows already announce the roots they affect
        (:meth:`affected`); the others — django-guardian's permission rows, a sharing
        table — are *gates*: a change of one brings the hub to resynchronise the
        root's groups (:meth:`gated`). Called with what the mock request's queryset
        reads when the schema is built, and with each group's own queryset when it is
        primed or resynchronised (:func:`~.visibility.snapshot`).
        """
        root_label = model_label(root)
        shown = {
            model_label(model)
            for model, paths in self._dependents.items()
            if any(r is root for r, _ in paths)
        }
        for label in set(labels) - shown - {root_label}:
            self._gates[label].add(root_label)

    def add_gates_of(self, queryset: models.QuerySet) -> None:
        """:meth:`add_gates` for what ``queryset`` (a subscriber's list) reads."""
        try:
            sql = str(queryset.query)
        except Exception:  # EmptyResultSet: reads nothing
            return
        self.add_gates(queryset.model, models_read([sql]) or ())

    def gated(self, labels: Iterable[str]) -> set[str]:
        """The roots (labels) whose visibility a change of these models may change."""
        return {root for label in labels for root in tuple(self._gates.get(label, ()))}

    def ensure_loaded(self) -> None:
        """Build the project's schema once if no ``build_schema`` ran in this process."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            self._loaded = True  # even if loading fails: never retry on every save
            try:
                with _host_transactions_kept():
                    load_project_schema()
            except Exception:
                # Called from the host app's save path (migrate, REST, admin): a schema
                # that cannot be built must never break it. Say so once, and go on.
                logger.exception(
                    "The GraphQL schema could not be loaded, so this process publishes "
                    "no model changes to subscribers. `manage.py check` and `manage.py "
                    "export_schema` show the error."
                )

    def watches(self, model: type[models.Model]) -> bool:
        """Whether a change of a ``model`` row may matter to some subscriber."""
        self.ensure_loaded()
        return (
            model in self._roots
            or model in self._dependents
            or model._meta.label_lower in self._gates
        )

    def is_root(self, model: type[models.Model]) -> bool:
        return model in self._roots

    def affected(self, model: type[models.Model], pk: Any) -> dict[str, set[str]]:
        """Primary keys of registered objects whose representation shows row ``pk``.

        Runs in the writer, inside its transaction: one ``values_list`` query per
        dependency path, however many subscribers there are. Through ``_base_manager``:
        a default manager may filter on request-scoped state (a tenant) that a save
        outside a request does not have, and every affected row must be found anyway.
        """
        affected: dict[str, set[str]] = defaultdict(set)
        for root, path in sorted(
            self._dependents.get(model, ()), key=lambda d: (model_label(d[0]), d[1])
        ):
            # ``__pk``: a foreign key with ``to_field`` holds another column than the pk
            pks = root._base_manager.filter(**{f"{path}__pk": pk}).values_list("pk", flat=True)
            affected[model_label(root)].update(str(p) for p in pks)
        return affected

    def affected_many(self, model: type[models.Model], pks: Iterable[Any]) -> dict[str, set[str]]:
        """:meth:`affected` for many rows of ``model`` at once: one query per path.

        What a bulk write (``update()`` of 10,000 rows) or a captured statement costs:
        the same number of queries as one save, not one per row.
        """
        keys = list(pks)
        affected: dict[str, set[str]] = defaultdict(set)
        if not keys:
            return affected
        for root, path in sorted(
            self._dependents.get(model, ()), key=lambda d: (model_label(d[0]), d[1])
        ):
            found = root._base_manager.filter(**{f"{path}__pk__in": keys}).values_list(
                "pk", flat=True
            )
            affected[model_label(root)].update(str(p) for p in found.distinct())
        return affected

    def paths_to(self, model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
        """(root, path) pairs whose representation walks to ``model`` rows."""
        return sorted(self._dependents.get(model, ()), key=lambda d: (model_label(d[0]), d[1]))

    def watched_models(self) -> set[type[models.Model]]:
        """Every model whose rows may matter to a subscriber: roots, the rows their
        representations show, and the gates (what database capture installs triggers for)."""
        from django.apps import apps

        self.ensure_loaded()
        watched = set(self._roots) | set(self._dependents)
        for label in tuple(self._gates):
            try:
                watched.add(apps.get_model(label))
            except LookupError:  # a table the SQL names that no model of this project is
                continue
        return watched

    def concerned_roots(self, model: type[models.Model]) -> set[str]:
        """Labels of the roots a change of ``model`` rows may concern (a resync's scope)."""
        label = model_label(model)
        roots = {label} if model in self._roots else set()
        roots |= {model_label(root) for root, _ in self._dependents.get(model, ())}
        return roots | self.gated([label])


@contextlib.contextmanager
def _host_transactions_kept() -> Iterator[None]:
    """A savepoint on every connection inside a transaction, around the schema's build.

    The build runs the host's code (``get_serializer_context()``, ``get_queryset()``)
    and catches what it raises; a query among it may fail (paperless-ngx's read
    ``django_content_type`` while ``migrate`` is at ``contenttypes.0001``). On
    PostgreSQL that aborts the transaction, and its ``COMMIT`` then silently rolls
    back: the migration was lost and the next one failed. A savepoint that cannot be
    released is rolled back, so the host's transaction goes on as it was.
    """
    kept = [
        (connection, connection.savepoint(), connection.needs_rollback)
        for connection in connections.all(initialized_only=True)
        if connection.in_atomic_block
    ]
    try:
        yield
    finally:
        for connection, sid, needs_rollback in kept:
            if sid is None:
                continue
            try:
                connection.savepoint_commit(sid)
            except DatabaseError:
                connection.savepoint_rollback(sid)
                connection.needs_rollback = needs_rollback
                _forget_content_types()
                logger.warning(
                    "A query failed while the GraphQL schema was built on database %r "
                    "(inside a transaction, during a save): what the build did there was "
                    "rolled back; the transaction goes on.",
                    connection.alias,
                )


def _forget_content_types() -> None:
    """``ContentType.objects.get_for_model`` caches rows it created: some were rolled back."""
    if apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def _paths(endpoint: Endpoint) -> set[str]:
    paths: set[str] = set()
    for action in ("list", "retrieve"):
        if not endpoint.has_action(action):
            continue
        serializer_class = endpoint.serializer_class(action)
        with introspecting(endpoint.view(action)):  # the serializer's request, as at build time
            selects, prefetches = related_lookups(instantiate(serializer_class), endpoint.model)
        paths |= selects | prefetches
        meta = getattr(serializer_class, "Meta", None)
        paths |= set(getattr(meta, "live_depends_on", ()))
    return paths


def _list_reads(endpoint: Endpoint) -> frozenset[str]:
    """The models the list's queryset reads, as the mock request builds it (best effort).

    Only compiled, never run: any query ``get_queryset()`` would execute is refused
    before it reaches the database (this may run inside a migration's transaction);
    what the refused one would read counts (permission rows read in Python).
    """
    if not endpoint.has_action("list"):
        return frozenset()
    refused: list[str] = []

    def refuse(_execute: Any, sql: str, *_: Any) -> Any:
        refused.append(sql)
        raise _NotNow

    reads: set[str] = set()
    for user in (None, _stand_in_user()):  # anonymous, then signed in: the usual branches
        try:
            with recording(refuse):
                view = endpoint.view("list")
                if user is not None:
                    view.request.user = user
                sql = str(view.filter_queryset(view.get_queryset()).query)
        except Exception:  # needs a real user, reads the database, or returns no QuerySet
            continue
        reads |= models_read([sql]) or set()
    return frozenset(reads) | gate_models(refused)


def _stand_in_user() -> Any:
    """An unsaved user (never written, never queried) for ``get_queryset()`` to compile with.

    A ``get_queryset()`` that filters by ``request.user`` fails for the anonymous mock
    request, so a writer process (which primes no subscriber) would not know that a
    membership row gates what users see, and its membership changes would go unheard.
    """
    from django.contrib.auth import get_user_model

    try:
        user = get_user_model()()
        if user.pk is None:
            user.pk = user._meta.pk.to_python("0")
    except Exception:
        return None
    return user


class _NotNow(Exception):
    """A query the build-time look at ``get_queryset()`` refuses to run."""


def _follow(model: Any, path: str) -> type[models.Model] | None:
    for part in path.split("__"):
        try:
            model = model._meta.get_field(part).related_model
        except Exception:
            logger.warning("live_depends_on path %r does not lead to a model", path)
            return None
    return model


LIVE = LiveRegistry()
