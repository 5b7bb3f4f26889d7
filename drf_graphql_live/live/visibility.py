"""Which objects a subscriber may see, and how they render: the viewset, per event.

A subscription is re-checked on every change *as its subscriber*: authentication,
``has_permission``, ``get_queryset()``, every filter backend and
``has_object_permission``, exactly as ``GET /tasks/?status=todo`` or
``GET /tasks/7/`` would run them (throttles excepted: events are not requests)::

    visible = evaluate(operation, pks=["7", "9"])
    # {"7": {...node...}, "9": None}     9 is gone, filtered out or forbidden

One call per subscription group and event, whatever the number of subscribers in it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar, overload

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import exceptions as drf_exceptions
from rest_framework.viewsets import GenericViewSet

from schema_gen import Operation

from ..api.representation import to_json
from ..api.request import OperationRequest
from ..api.viewsets import run_view
from ..exceptions import to_graphql_error
from .dependencies import LIVE
from .kept import Keep, unthrottled
from .reads import QueryRecorder, gate_models, recording

__all__ = [
    "AccessLost",
    "Complete",
    "CredentialsRefused",
    "Refused",
    "admit",
    "evaluate",
    "snapshot",
    "subscribe_view",
]

T = TypeVar("T")

_REFUSED = (
    drf_exceptions.NotAuthenticated,
    drf_exceptions.AuthenticationFailed,
    drf_exceptions.PermissionDenied,
)
#: What an object permission raises for an object the user may not see: DRF's
#: ``DjangoObjectPermissions`` answers 404 rather than reveal that it exists.
_HIDDEN = (*_REFUSED, Http404, drf_exceptions.NotFound)


class Refused(Exception):
    """The subscriber may no longer use the endpoint at all (token revoked, permission lost)."""


class CredentialsRefused(Refused):
    """Authentication refused the subscriber's credentials: its subscriptions end."""


class AccessLost(Refused):
    """``has_permission`` refuses the subscriber now: every object it had is REMOVED."""


@overload
def subscribe_view(
    operation: OperationRequest,
    work: Callable[[GenericViewSet], T],
    *,
    initial: bool,
    authenticated: dict[Hashable, tuple[Any, Any, Any]] | None = None,
    render: bool = True,
    recorder: QueryRecorder | None = None,
) -> T: ...


@overload
def subscribe_view(
    operation: OperationRequest,
    work: None = None,
    *,
    initial: bool,
    authenticated: dict[Hashable, tuple[Any, Any, Any]] | None = None,
    render: bool = True,
    recorder: QueryRecorder | None = None,
) -> GenericViewSet: ...


def subscribe_view(
    operation: OperationRequest,
    work: Callable[[GenericViewSet], Any] | None = None,
    *,
    initial: bool,
    authenticated: dict[Hashable, tuple[Any, Any, Any]] | None = None,
    render: bool = True,
    recorder: QueryRecorder | None = None,
) -> Any:
    """``work(view)`` on a viewset instance as the subscriber, for ``list`` or ``retrieve``.

    It runs inside the project's middleware, as the REST request would
    (:func:`~drf_graphql_live.api.viewsets.run_view`). Without ``work`` the view itself is
    returned, set up inside the middleware: attributes they set on the request stay,
    but what lasts only while they run (a ``with scope(...)`` around ``get_response``)
    does not cover its later use.

    The viewset's whole ``initial()`` runs (authentication, permissions, throttles, and
    what the project adds there) as the subscribe request runs it; event re-checks
    (``initial=False``) skip the throttles only. ``authenticated`` shares authentication
    between the groups evaluated for one event (see :func:`.batch.evaluate_batch`).
    ``render=False``: the view only checks and filters, so its serializer is not trimmed
    nor its queryset joined for rendering. ``recorder`` records the queries run past
    authentication (rows ``initial()``/``get_queryset()`` read in Python: :mod:`.reads`).
    """
    action = "list" if operation.field.operation is Operation.SUBSCRIBE_LIST else "retrieve"

    def checked(view: GenericViewSet, drf_request: Any) -> Any:
        _authenticate(view, drf_request, operation, authenticated)
        if recorder is not None:
            recorder.active = True  # what initial() and the work read past authentication
        if not initial:
            view.check_throttles = unthrottled  # type: ignore[method-assign]
        _as_generic(view)
        # The viewset's own initial(), where many apps restrict the queryset to the user
        # (NetBox: ``self.queryset = self.queryset.restrict(request.user, "view")``).
        view.initial(drf_request)
        return view if work is None else work(view)

    if recorder is None:
        return run_view(operation, action, checked, render=render)
    recorder.active = False  # not the middleware's queries, nor authentication's
    with recording(recorder):
        return run_view(operation, action, checked, render=render)


def _as_generic(view: Any) -> None:
    """A plain ``ViewSet`` with a ``get_queryset()`` has no ``filter_queryset()``,
    ``get_serializer()`` nor ``get_object()``: its hand-written list and detail read the
    queryset whole, render with ``serializer_class`` and look the object up by pk, so do
    we (GenericAPIView's hooks, minus the filters it does not have)."""
    if not hasattr(view, "filter_queryset"):
        view.filter_queryset = lambda queryset: queryset
    if not hasattr(view, "get_serializer") and hasattr(view, "serializer_class"):
        context = {"request": view.request, "format": None, "view": view}
        view.get_serializer = lambda *a, **kw: view.serializer_class(*a, context=context, **kw)
    if not hasattr(view, "get_object"):

        def get_object() -> Any:
            kwarg = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
            field = getattr(view, "lookup_field", "pk")
            obj = get_object_or_404(view.get_queryset(), **{field: view.kwargs[kwarg]})
            view.check_object_permissions(view.request, obj)
            return obj

        view.get_object = get_object


def _authenticate(
    view: GenericViewSet,
    request: Any,
    operation: OperationRequest,
    shared: dict[Hashable, tuple[Any, Any, Any]] | None,
) -> None:
    """DRF's authentication, once per credentials and authentication classes in ``shared``.

    Token authentication is a query: ten groups of one user would run it ten times per
    change. The same credentials through the same classes give the same user within
    one event, so the result is reused (DRF's ``request.user``/``request.auth`` setters).
    """
    if shared is None:
        view.perform_authentication(request)
        return
    context = operation.context
    user = context.scope.get("user")
    key = (
        tuple(type(authenticator) for authenticator in request.authenticators),
        tuple(sorted(context.headers.items())),
        getattr(user, "pk", None),
    )
    if key in shared:
        # and which class authenticated (read by initial()'s unread-credentials check)
        request.user, request.auth, request._authenticator = shared[key]
        return
    view.perform_authentication(request)
    shared[key] = (request.user, request.auth, request.successful_authenticator)


def _rendered(view: GenericViewSet, objects: list[Any]) -> list[Any]:
    return to_json(view.get_serializer(objects, many=True).data)


def _visible(view: GenericViewSet, objects: Iterable[Any]) -> list[Any]:
    visible = []
    for obj in objects:
        try:
            view.check_object_permissions(view.request, obj)
        except _HIDDEN:
            continue
        visible.append(obj)
    return visible


def evaluate(
    operation: OperationRequest,
    pks: list[str],
    *,
    authenticated: dict[Hashable, tuple[Any, Any, Any]] | None = None,
) -> dict[str, Any]:
    """``{pk: node or None}`` for ``pks``, as the subscriber sees them now.

    A list whose ``get_queryset()`` is no unsliced QuerySet (``qs[:1000]``) answers
    :class:`Complete`: a row enters a slice when another leaves it, whichever changed.
    """
    whole = operation.field.operation is Operation.SUBSCRIBE_LIST

    def nodes(view: GenericViewSet) -> dict[str, Any]:
        nonlocal whole
        queryset = view.filter_queryset(view.get_queryset())
        whole = whole and not _narrowable(queryset)
        if whole:
            objects = _visible(view, queryset)
        elif _narrowable(queryset):
            objects = _visible(view, queryset.filter(pk__in=pks))
        else:  # a detail's object among a slice: looked for in it
            keys = set(pks)
            objects = _visible(view, [obj for obj in queryset if str(obj.pk) in keys])
        rendered = _rendered(view, objects)
        return {str(obj.pk): node for obj, node in zip(objects, rendered, strict=True)}

    try:
        found = subscribe_view(operation, nodes, initial=False, authenticated=authenticated)
    except (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed) as exc:
        raise CredentialsRefused(str(exc)) from exc
    except drf_exceptions.PermissionDenied as exc:
        raise AccessLost(str(exc)) from exc
    if whole:
        return Complete({**dict.fromkeys(pks), **found})
    return {pk: found.get(pk) for pk in pks}


class Complete(dict[str, Any]):
    """An evaluation holding every object the subscriber sees now: anything else its
    group had is gone (REMOVED), whether or not the change named it."""


def _narrowable(queryset: Any) -> bool:
    """Whether ``queryset`` can be filtered to some primary keys (a slice cannot)."""
    return isinstance(queryset, models.QuerySet) and not queryset.query.is_sliced


def snapshot(operation: OperationRequest, keep: Keep | None = None) -> list[tuple[str, Any]]:
    """Every object the subscriber sees now, in queryset order: (pk, node).

    Raises the GraphQL error a refused subscribe request gets (NOT_AUTHENTICATED,
    PERMISSION_DENIED, NOT_FOUND, THROTTLED...). ``keep`` (:func:`.kept.keeper`) is
    handed the view, queryset and serializer it used, for the group's evaluations.
    """

    recorder = QueryRecorder()
    built = QueryRecorder()  # everything read until the queryset is built: its SQL's reads

    def current(view: GenericViewSet) -> list[tuple[str, Any]]:
        initial_sqls = list(recorder.sqls)  # what initial() read past authentication
        queryset = view.filter_queryset(view.get_queryset())
        built.active = False
        if operation.field.operation is Operation.SUBSCRIBE_ONE:
            objects = [view.get_object()]
        else:
            objects = _visible(view, queryset)
        recorder.active = False  # the rendering reads what the representation shows
        # The rows that decided what this user sees: the list's SQL, and what initial(),
        # get_queryset() and the permissions read in Python (a permission's constraints).
        model = getattr(queryset, "model", None) or operation.field.endpoint.model
        if model is not None:
            LIVE.add_gates(model, gate_models(recorder.sqls))
        serializer = view.get_serializer(objects, many=True)
        rendered = to_json(serializer.data)
        if keep is not None:
            keep(view, queryset, serializer, initial_sqls, built.sqls)
        return [(str(obj.pk), node) for obj, node in zip(objects, rendered, strict=True)]

    with _refused_as_graphql_error(), recording(built):
        return subscribe_view(operation, current, initial=True, recorder=recorder)


def followed_pk(operation: OperationRequest) -> str:
    """The pk of the one object a detail subscription follows, whoever may see it now.

    A client resuming ``xChanged(id: X, after:)`` while X is hidden from it hears
    REMOVED, and must hear ADDED once X is visible again: its group has to know X's pk
    although ``get_object()`` refuses it. Only the pk is read (through
    ``_base_manager``: no representation, nothing the user may not see leaves here);
    every event for it is still decided by the viewset. "" when no row has that key.
    """
    viewset = operation.field.endpoint.viewset
    model = operation.field.endpoint.model
    if model is None or not operation.lookup:
        return ""
    value = next(iter(operation.lookup.values()))
    field = getattr(viewset, "lookup_field", "pk") or "pk"
    try:
        found = model._base_manager.filter(**{field: value}).values_list("pk", flat=True)
        pk = found.first()
    except (ValueError, TypeError, ValidationError):  # a key the field cannot hold
        return ""
    return "" if pk is None else str(pk)


def admit(operation: OperationRequest, *, ordered: bool) -> list[str]:
    """The subscribe request's checks for one more subscriber of a live group.

    Authentication, permissions and throttles as :func:`snapshot` runs them (and, for one
    object, ``get_object()``: NOT_FOUND, object permissions), without fetching and
    rendering the objects its group already has. With ``ordered``, the primary keys of
    the list in its order (for ``initial``); raises the GraphQL error a refused
    subscriber gets.
    """

    def pks(view: GenericViewSet) -> list[str]:
        if operation.field.operation is Operation.SUBSCRIBE_ONE:
            return [str(view.get_object().pk)]
        if not ordered:
            return []
        queryset = view.filter_queryset(view.get_queryset()).prefetch_related(None)
        return [str(pk) for pk in queryset.values_list("pk", flat=True)]  # no prefetch on pks

    with _refused_as_graphql_error():
        return subscribe_view(operation, pks, initial=True, render=False)


@contextlib.contextmanager
def _refused_as_graphql_error() -> Iterator[None]:
    """A refused subscribe request raises the GraphQL error (with its code) it answers."""
    try:
        yield
    except (Http404, ObjectDoesNotExist, drf_exceptions.APIException) as exc:
        raise to_graphql_error(exc) from exc
