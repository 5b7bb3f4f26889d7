"""Root fields of one registered viewset: what exists, its name, arguments and type.

Pure description, no execution: the runtime supplies the code that runs each
:class:`RootField` (see :func:`schema_gen.schema.generate_schema`)::

    endpoint = Endpoint("posts", "post", PostViewSet)
    [f.name for f in root_fields(endpoint, builder)]
    # ['posts', 'post', 'createPost', 'updatePost', 'deletePost']

Viewsets are read as drf-spectacular reads them: each :meth:`Endpoint.view` carries a
mock request (:func:`~schema_gen.introspection.mock_request`), and serializers read
while one root field is built get that view's context. Each root field is built on its
own: one that cannot be typed is left out (:mod:`schema_gen.skipped`), not the schema.

Only actions REST serves are generated: the viewset has the action, the router maps
it to its method, and the view allows that method (``http_method_names``,
``allowed_methods``). A ``ReadOnlyModelViewSet`` gets no mutations, and a viewset with
``http_method_names = ["get", "patch"]`` no ``createX``/``deleteX``: a method REST
answers 405 must not be reachable through GraphQL.
"""

from __future__ import annotations

import dataclasses
import enum
import warnings
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import strawberry
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers
from rest_framework.routers import Route, SimpleRouter

from . import spectacular
from .arguments import Argument, filter_arguments, pagination_arguments
from .declared import node_type, type_label, write_types
from .introspection import dotted, introspecting, mock_request, route_path
from .naming import (
    camel,
    detail_field_name,
    list_field_name,
    pascal,
    qualified,
    singular_name,
)
from .pages import list_type

if TYPE_CHECKING:
    from .skipped import SkippedList
    from .types import Builder

__all__ = [
    "ACTION_METHODS",
    "DEFAULT_ROUTES",
    "Endpoint",
    "Operation",
    "Planned",
    "RootField",
    "build_planned",
    "method_allowed",
    "root_fields",
    "routed_actions",
]

#: The HTTP method REST uses for each generated action (permission classes look at it).
ACTION_METHODS: dict[str, str] = {
    "list": "GET",
    "retrieve": "GET",
    "create": "POST",
    "partial_update": "PATCH",
    "destroy": "DELETE",
}


class Operation(enum.Enum):
    """What a root field does; the runtime dispatches on it."""

    LIST = "list"
    RETRIEVE = "retrieve"
    CREATE = "create"
    UPDATE = "partial_update"
    DESTROY = "destroy"
    SUBSCRIBE_ONE = "retrieve_subscription"
    SUBSCRIBE_LIST = "list_subscription"
    # Custom @action routes (issue 11, schema_gen/actions.py): GET ones are queries.
    ACTION_QUERY = "action_query"
    ACTION_MUTATION = "action_mutation"


def routed_actions(routes: Iterable[Any]) -> frozenset[tuple[str, str]]:
    """The (method, action) pairs a router's ``routes`` map, from each ``Route.mapping``."""
    return frozenset(
        (method, action)
        for route in routes
        if isinstance(route, Route)
        for method, action in route.mapping.items()
    )


#: What ``SimpleRouter``/``DefaultRouter`` map: GET/POST on the list, GET/PUT/PATCH/DELETE
#: on the detail.
DEFAULT_ROUTES = routed_actions(SimpleRouter.routes)


def method_allowed(view: Any, method: str) -> bool:
    """Whether ``view`` (its handlers bound) allows ``method``, by DRF's own attributes.

    ``dispatch()`` answers 405 for a method outside ``http_method_names`` or without a
    handler; ``allowed_methods`` is DRF's list of the others (the ``Allow`` header).
    """
    return method.lower() in view.http_method_names and method.upper() in view.allowed_methods


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One router registration: ``router.register(prefix, viewset, basename)``."""

    prefix: str
    basename: str
    viewset: type
    #: (method, action) pairs the router maps (:func:`routed_actions` of its ``routes``).
    routes: frozenset[tuple[str, str]] = DEFAULT_ROUTES
    #: another router reuses the names: they start with this (:func:`.naming.name_apart`)
    qualifier: str = ""
    #: the singular too (detail, mutations, subscriptions), not only the list
    qualify_singular: bool = False

    def view(self, action: str) -> Any:
        """A viewset instance set up as for ``action``, its request a mock one.

        As drf-spectacular's: the action's method to the list path (the detail path
        for detail actions), anonymous, with the default version.
        """
        method = ACTION_METHODS.get(action, "GET")
        detail = action in ("retrieve", "partial_update", "destroy")
        # The router's as_view() initkwargs: hooks may read self.basename / self.detail.
        view = self.viewset(
            basename=self.basename, detail=detail, suffix="Instance" if detail else "List"
        )
        view.action_map = {method.lower(): action}  # read by ViewSetMixin.initialize_request
        view.args, view.kwargs, view.format_kwarg = (), {}, None
        view.request = None
        lookup = self.lookup_argument[1] if detail else None
        path = route_path(self.basename, self.prefix, lookup, self.viewset)
        view.request = mock_request(view, method, path)
        view.action = action
        view.swagger_fake_view = True  # drf-spectacular's (and drf-yasg's) flag, read by hooks
        return view

    def serializer_class(self, action: str) -> type:
        """``get_serializer_class()`` for ``action``, read with the mock request."""
        error: Exception | None = None
        try:
            serializer_class = self.view(action).get_serializer_class()
        except Exception as exc:  # no such hook (a plain ViewSet), or it needs a real user
            serializer_class, error = getattr(self.viewset, "serializer_class", None), exc
        if serializer_class is None:
            serializer_class = self._declared_serializer(action)
        if serializer_class is None:
            cause = (
                f"get_serializer_class() raised {type(error).__name__}: {error} for an "
                "anonymous mock request"
                if error is not None and not isinstance(error, AttributeError | TypeError)
                else "it has no serializer_class"
            )
            raise ImproperlyConfigured(
                f"no serializer for {action!r}: {cause}. Set `serializer_class` on the "
                "viewset, or make get_serializer_class() work for an anonymous request."
            )
        return serializer_class

    def _declared_serializer(self, action: str) -> type | None:
        """What ``@extend_schema(responses=...)`` (``request=...`` for writes) declares.

        drf-spectacular documents such viewsets from the declaration alone, so can we.
        """
        method = ACTION_METHODS.get(action, "GET")
        view = self.view(action)
        if method == "GET":
            declared = spectacular.declared_response(view, action, method)
        else:
            declared = spectacular.declared_request(view, action, method)
        if isinstance(declared, serializers.ListSerializer):
            declared = declared.child
        if isinstance(declared, serializers.BaseSerializer):
            declared = type(declared)
        if spectacular.opaque_serializer(declared) is not None:
            return None  # typed from the declaration itself (schema_gen.declared)
        if isinstance(declared, type) and issubclass(declared, serializers.BaseSerializer):
            return declared
        return None

    def has_action(self, action: str) -> bool:
        """Whether REST serves ``action``, so GraphQL may: a refused method is refused here too.

        As DRF: the viewset has the action, the router maps the action's method to it
        (``get_method_map``), and the view allows that method once ``as_view()`` has
        bound it (:func:`method_allowed`).
        """
        method = ACTION_METHODS[action].lower()
        if not callable(getattr(self.viewset, action, None)) or (method, action) not in self.routes:
            return False
        view = self.view(action)
        setattr(view, method, getattr(view, action))  # what as_view() binds for the route
        return method_allowed(view, method)

    @cached_property
    def model(self) -> Any:
        queryset = getattr(self.viewset, "queryset", None)
        if queryset is not None:
            return queryset.model
        for action in ACTION_METHODS:  # the first action with a serializer tells
            try:
                meta = getattr(self.serializer_class(action), "Meta", None)
            except ImproperlyConfigured:
                continue
            return getattr(meta, "model", None)
        return None

    @property
    def lookup_argument(self) -> tuple[str, str]:
        """(GraphQL argument name, URL kwarg) of the detail lookup: ``id`` for ``pk``."""
        kwarg = str(
            getattr(self.viewset, "lookup_url_kwarg", None)
            or getattr(self.viewset, "lookup_field", "pk")
        )
        return ("id" if kwarg == "pk" else camel(kwarg)), kwarg

    @property
    def paginated(self) -> bool:
        return getattr(self.viewset, "pagination_class", None) is not None

    @property
    def list_name(self) -> str:
        """The list query field: the prefix in camelCase (``posts``)."""
        return qualified(self.qualifier, list_field_name(self.prefix))

    @property
    def singular(self) -> str:
        """camelCase singular for mutations and subscriptions (see :func:`singular_name`)."""
        singular = singular_name(self.basename, self.model)
        return qualified(self.qualifier, singular) if self.qualify_singular else singular

    @property
    def detail_name(self) -> str:
        """The detail query field (``post``; ``usersDetail`` where prefix == basename)."""
        if not self.qualifier:
            return detail_field_name(self.prefix, self.basename, self.model)
        singular = self.singular
        return f"{singular}Detail" if singular.lower() == self.list_name.lower() else singular


@dataclasses.dataclass(frozen=True)
class RootField:
    """One generated Query/Mutation field."""

    name: str
    operation: Operation
    endpoint: Endpoint
    return_type: Any
    arguments: tuple[Argument, ...]
    description: str

    @property
    def action(self) -> str:
        return self.operation.value


#: (GraphQL name, viewset action, what builds the field)
Planned = tuple[str, str, Callable[[], "RootField | None"]]


def build_planned(
    endpoint: Endpoint, planned: list[Planned], skipped: SkippedList | None
) -> list[RootField]:
    """Build each planned field with its action's view introspected, each on its own.

    With ``skipped``, a field that raises is recorded there and left out; without,
    the exception propagates.
    """
    fields: list[RootField] = []
    for name, action, make in planned:

        def build(action: str = action, make: Callable[[], RootField | None] = make) -> Any:
            with introspecting(endpoint.view(action)):
                return make()

        field = build() if skipped is None else skipped.attempt(endpoint, name, build)
        if field is not None:
            fields.append(field)
    return fields


def root_fields(
    endpoint: Endpoint, builder: Builder, skipped: SkippedList | None = None
) -> list[RootField]:
    """Query and mutation fields for ``endpoint``, in a stable order."""
    planned: list[Planned] = []
    if endpoint.has_action("list"):
        planned.append((endpoint.list_name, "list", lambda: _list_field(endpoint, builder)))
    if endpoint.has_action("retrieve"):
        planned.append(
            (endpoint.detail_name, "retrieve", lambda: _retrieve_field(endpoint, builder))
        )
    planned += _mutation_fields(endpoint, builder)
    return build_planned(endpoint, planned, skipped)


def list_arguments(endpoint: Endpoint) -> tuple[Argument, ...]:
    """Filter and search arguments of the list (shared with list subscriptions)."""
    return tuple(filter_arguments(endpoint.view("list"), endpoint.model))


def _list_field(endpoint: Endpoint, builder: Builder) -> RootField:
    node = node_type(endpoint, "list", builder)
    arguments = list_arguments(endpoint)
    return_type = list_type(builder, node, endpoint.viewset, endpoint.paginated)
    if endpoint.paginated:
        # A filter named like the paginator's parameter (``start``) is one REST query
        # parameter both read: one argument fills it.
        taken = {argument.graphql_name for argument in arguments}
        paging = pagination_arguments(endpoint.view("list"))
        arguments += tuple(a for a in paging if a.graphql_name not in taken)
    return RootField(
        endpoint.list_name,
        Operation.LIST,
        endpoint,
        return_type,
        arguments,
        f"List of {type_label(node)} as GET /{endpoint.prefix}/ returns it.",
    )


def _retrieve_field(endpoint: Endpoint, builder: Builder) -> RootField:
    node = node_type(endpoint, "retrieve", builder)
    argument = lookup_argument(endpoint)
    return RootField(
        endpoint.detail_name,
        Operation.RETRIEVE,
        endpoint,
        node,
        (argument,),
        f"One {type_label(node)} as GET /{endpoint.prefix}/<{argument.query_param}>/ returns it.",
    )


def lookup_argument(endpoint: Endpoint) -> Argument:
    """``id: ID!`` (or the viewset's lookup field), filling the URL kwarg."""
    graphql_name, kwarg = endpoint.lookup_argument
    return Argument("lookup", graphql_name, strawberry.ID, kwarg)


def _write_field(
    endpoint: Endpoint, builder: Builder, operation: Operation, name: str, description: str
) -> RootField | None:
    """``createX(input)`` or ``updateX(id, input)``; None (warned) if nothing is writable."""
    partial = operation is Operation.UPDATE
    input_type, output = write_types(endpoint, operation.value, builder, partial=partial)
    if input_type is None:
        _warn_no_input(endpoint, operation.value)
        return None
    argument = Argument("input", "input", input_type, "")
    arguments = (lookup_argument(endpoint), argument) if partial else (argument,)
    return RootField(name, operation, endpoint, output, arguments, description)


def _mutation_fields(endpoint: Endpoint, builder: Builder) -> list[Planned]:
    suffix = pascal(endpoint.singular)
    planned: list[Planned] = []
    if endpoint.has_action("create"):
        planned.append((f"create{suffix}", "create", lambda: _write_field(
            endpoint, builder, Operation.CREATE, f"create{suffix}",
            f"POST /{endpoint.prefix}/: create a {suffix}.",
        )))  # fmt: skip
    if endpoint.has_action("partial_update"):
        planned.append((f"update{suffix}", "partial_update", lambda: _write_field(
            endpoint, builder, Operation.UPDATE, f"update{suffix}",
            f"PATCH /{endpoint.prefix}/<id>/: change some fields of a {suffix}.",
        )))  # fmt: skip
    if endpoint.has_action("destroy"):
        planned.append((f"delete{suffix}", "destroy", lambda: RootField(
            f"delete{suffix}", Operation.DESTROY, endpoint, strawberry.ID,
            (lookup_argument(endpoint),),
            f"DELETE /{endpoint.prefix}/<id>/: returns the deleted {suffix}'s id.",
        )))  # fmt: skip
    return planned


def _warn_no_input(endpoint: Endpoint, action: str) -> None:
    warnings.warn(
        f"{dotted(endpoint.viewset)}.{action}: its serializer has no writable fields, so "
        "no GraphQL mutation is generated for it.",
        stacklevel=3,
    )
