"""Root fields for a viewset's custom ``@action`` routes, as docs/DESIGN.md names them.

A GET action is a query field, any other a mutation, named from the action and the
registration (the detail singular, or the list prefix)::

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None): ...      # publishPost(id: ID!, input: JSON): JSON
    @action(detail=False)
    def recent(self, request): ...                # recentPosts(<list filters>): JSON

Arguments: the detail lookup; the body as ``input`` for non-GET actions, typed from the
action's own serializer (``@action(serializer_class=...)`` or drf-spectacular's
``@extend_schema(request=...)``) and JSON where it declares none; a non-detail GET
action takes the list's filter arguments. The result is typed from the response
declared to drf-spectacular (``@extend_schema(responses=...)``), else, as
drf-spectacular documents it, from the action view's ``get_serializer_class()`` (a
list for a non-detail GET action of an unpaginated viewset; JSON, warned, where that
shape is unknown: a paginated viewset's action may or may not paginate). A project
whose action answers another shape (DRF's ``set_password`` example answers
``{"status": ...}``) declares it, as its OpenAPI document needs anyway. An action
with GET and other methods is a mutation, run with its first non-GET method.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from strawberry.scalars import JSON

from . import spectacular
from .arguments import Argument, filter_arguments
from .declared import declared_input
from .fallbacks import json_fallback
from .introspection import dotted
from .naming import camel, pascal
from .root_fields import (
    Endpoint,
    Operation,
    RootField,
    build_planned,
    lookup_argument,
    method_allowed,
)
from .types import list_of

if TYPE_CHECKING:
    from .root_fields import Planned
    from .skipped import SkippedList
    from .types import Builder

__all__ = ["ActionField", "action_fields"]

_WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclasses.dataclass(frozen=True)
class ActionField(RootField):
    """A root field running one extra action: its handler name, method and route kind."""

    handler: str = ""
    method: str = "GET"
    detail: bool = False
    #: Typed from the serializer ``retrieve`` answers with: a committed answer's holes can
    #: be filled by reading the object again (``drf_graphql_live.api.payload``).
    rereads: bool = False

    @property
    def action(self) -> str:
        return self.handler


def action_fields(
    endpoint: Endpoint, builder: Builder, skipped: SkippedList | None = None
) -> list[RootField]:
    """One field per ``@action`` REST serves for ``endpoint``, each built on its own."""
    planned: list[Planned] = []
    viewset: Any = endpoint.viewset
    for extra in viewset.get_extra_actions():
        method, handler = _chosen_method(extra.mapping)
        if method is None or not _allowed(endpoint, extra, method, handler):
            continue
        suffix = pascal(endpoint.singular if extra.detail else endpoint.list_name)
        name = camel(extra.__name__) + suffix

        def make(
            extra: Any = extra, method: str = method, handler: str = handler, name: str = name
        ) -> RootField:
            return _field(endpoint, builder, extra, method, handler, name)

        planned.append((name, handler, make))
    return build_planned(endpoint, planned, skipped)


def _chosen_method(mapping: dict[str, str]) -> tuple[str | None, str]:
    """(method, handler name): the first write method, else GET; (None, "") if neither."""
    for method in (*_WRITE_METHODS, "get"):
        if method in mapping:
            return method, mapping[method]
    return None, ""


def _allowed(endpoint: Endpoint, extra: Any, method: str, handler: str) -> bool:
    """Whether REST answers ``method`` on the action's route (``http_method_names``...)."""
    view = endpoint.viewset(**_initkwargs(endpoint, extra))
    setattr(view, method, getattr(view, handler))  # what as_view() binds for the route
    return method_allowed(view, method)


def _initkwargs(endpoint: Endpoint, extra: Any) -> dict[str, Any]:
    """What the router passes to ``as_view()`` for this action's route."""
    return {"basename": endpoint.basename, "detail": extra.detail, **extra.kwargs}


def action_view(endpoint: Endpoint, handler: str) -> Any:
    """The action's viewset with the attributes its ``@action(...)`` kwargs set."""
    extra = getattr(endpoint.viewset, handler)
    view = endpoint.view(handler)
    for key, value in getattr(extra, "kwargs", {}).items():
        setattr(view, key, value)
    return view


def _field(
    endpoint: Endpoint, builder: Builder, extra: Any, method: str, handler: str, name: str
) -> ActionField:
    view = action_view(endpoint, handler)
    where = f"{dotted(endpoint.viewset)}.{handler}"
    arguments: list[Argument] = [lookup_argument(endpoint)] if extra.detail else []
    if method != "get":
        arguments.append(_input_argument(view, handler, method, builder))
    elif not extra.detail:
        arguments += filter_arguments(view, endpoint.model)
    path = f"/{endpoint.prefix}/" + ("<id>/" if extra.detail else "") + f"{extra.url_path}/"
    many = method == "get" and not extra.detail
    output = _output(view, handler, method, builder, where, many=many)
    return ActionField(
        name,
        Operation.ACTION_QUERY if method == "get" else Operation.ACTION_MUTATION,
        endpoint,
        output | None,
        tuple(arguments),
        f"{method.upper()} {path} as REST runs it.",
        handler=handler,
        method=method.upper(),
        detail=bool(extra.detail),
        rereads=bool(extra.detail) and _typed_as_retrieve(endpoint, view, handler, method),
    )


def _input_argument(view: Any, handler: str, method: str, builder: Builder) -> Argument:
    """``input``: the action's own serializer's input type, else any JSON object."""
    declared = getattr(getattr(view, handler), "kwargs", {}).get("serializer_class")
    if declared is None:
        declared = spectacular.declared_request(view, handler, method.upper())
    input_type = None
    if declared is not None:
        input_type = declared_input(declared, builder, f"{dotted(type(view))}.{handler}")
    return Argument("input", "input", (input_type or JSON) | None, "")


def _output(
    view: Any, handler: str, method: str, builder: Builder, where: str, *, many: bool
) -> Any:
    """The declared response type, else the viewset's serializer's (see the module doc)."""
    declared = spectacular.declared_response(view, handler, method.upper())
    if declared is None:
        return _viewset_serializer_output(view, many, builder, where)
    # A serializer (a list of them), an OpenApiTypes member, a PolymorphicProxySerializer...
    return spectacular.override_type(declared, builder, where)[0]


def _typed_as_retrieve(endpoint: Endpoint, view: Any, handler: str, method: str) -> bool:
    """Whether the action is typed from the serializer ``retrieve`` answers with."""
    if spectacular.declared_response(view, handler, method.upper()) is not None:
        return False
    try:
        return bool(view.get_serializer_class() is endpoint.serializer_class("retrieve"))
    except Exception:  # no serializer for one of them: nothing to read again with
        return False


def _viewset_serializer_output(view: Any, many: bool, builder: Builder, where: str) -> Any:
    """drf-spectacular's default: the action view's serializer (a list for list GETs)."""
    try:
        serializer_class = view.get_serializer_class()
    except Exception:  # a plain ViewSet, or a hook that needs a real request
        serializer_class = None
    undeclared = "the action's response is not declared (@extend_schema(responses=...))"
    if serializer_class is None:
        return json_fallback(where, undeclared)
    if many and getattr(view, "pagination_class", None) is not None:
        return json_fallback(where, f"{undeclared} and the viewset paginates")
    node = builder.output_type(serializer_class)
    return list_of(node) if many else node
