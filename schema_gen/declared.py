"""Root field types of actions that have no serializer, from what they declare instead.

drf-spectacular documents an action from ``@extend_schema(request=..., responses=...)``
when the view has no serializer for it, or when the declaration is not a plain
serializer: a plain ``ViewSet`` answering a list of strings, a
``PolymorphicProxySerializer``, an ``OpenApiTypes`` member. So can we; every JSON
fallback among them warns (:func:`~schema_gen.spectacular.override_type`)::

    @extend_schema_view(list=extend_schema(
        responses={(200, "application/json"): ListSerializer(child=CharField())}))
    class LogViewSet(ViewSet): ...
    node_type(Endpoint("logs", "log", LogViewSet), "list", builder)   # str: [String!]!

An action with a serializer is typed from it, as before; one with neither a serializer
nor a declaration raises the serializer's ``ImproperlyConfigured`` (left out, warned).
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from . import spectacular
from .fallbacks import json_fallback
from .introspection import dotted

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["declared_input", "node_type", "type_label", "write_types"]


class Endpoint(Protocol):  # a Protocol: root_fields imports this module
    """What is read of a :class:`~schema_gen.root_fields.Endpoint`."""

    @property
    def viewset(self) -> type: ...

    def serializer_class(self, action: str) -> type: ...

    def view(self, action: str) -> Any: ...


_SCALAR_NAMES: dict[Any, str] = {str: "String", int: "Int", float: "Float", bool: "Boolean"}
#: The method REST uses for the actions typed here (the rest are GET).
_WRITE_METHODS = {"create": "POST", "partial_update": "PATCH"}


def node_type(endpoint: Endpoint, action: str, builder: Builder) -> Any:
    """The type of what ``list`` (one item) or ``retrieve`` answers."""
    try:
        return builder.output_type(endpoint.serializer_class(action))
    except ImproperlyConfigured:
        declared = spectacular.declared_response(endpoint.view(action), action, "GET")
        if declared is None:
            raise
    if action == "list" and isinstance(declared, serializers.ListSerializer):
        declared = declared.child  # the list field is a list already
    return spectacular.override_type(declared, builder, _where(endpoint, action))[0]


def write_types(
    endpoint: Endpoint, action: str, builder: Builder, *, partial: bool
) -> tuple[Any, Any]:
    """(input type or None, output type) of ``create``/``partial_update``.

    From the serializer when there is one; else the input from ``@extend_schema(
    request=...)`` and the output from its ``responses=`` (JSON, warned, where either
    names no serializer with fields).
    """
    try:
        serializer_class = endpoint.serializer_class(action)
    except ImproperlyConfigured:
        view, method = endpoint.view(action), _WRITE_METHODS[action]
        request = spectacular.declared_request(view, action, method)
        response = spectacular.declared_response(view, action, method)
        if request is None and response is None:
            raise
    else:
        return builder.input_type(serializer_class, partial), builder.output_type(serializer_class)
    where = _where(endpoint, action)
    return (
        declared_input(request, builder, where, partial=partial),
        spectacular.override_type(response, builder, where)[0]
        if response is not None
        else json_fallback(where, "no response is declared (@extend_schema(responses=...))"),
    )


def declared_input(value: Any, builder: Builder, where: str, *, partial: bool = False) -> Any:
    """The input type of a declared request serializer (None: nothing writable); JSON,
    warned, for anything else."""
    if isinstance(value, serializers.BaseSerializer) and not isinstance(
        value, serializers.ListSerializer
    ):
        value = type(value)
    if value is None or spectacular.opaque_serializer(value) is not None:
        why = spectacular.opaque_serializer(value) or "its request body is not declared"
        return json_fallback(where, f"input: {why}")
    if isinstance(value, type) and issubclass(value, serializers.BaseSerializer):
        return builder.input_type(value, partial)
    return json_fallback(where, f"input: @extend_schema(request={value!r}) is not a serializer")


def type_label(node: Any) -> str:
    """How a root field's description names its type: ``Post``, ``String``, ``JSON``."""
    definition = getattr(node, "__strawberry_definition__", None)
    if definition is not None:
        return str(definition.name)
    if typing.get_origin(node) is list:
        return f"[{type_label(typing.get_args(node)[0])}]"
    return _SCALAR_NAMES.get(node, getattr(node, "__name__", "JSON"))


def _where(endpoint: Endpoint, action: str) -> str:
    return f"{dotted(endpoint.viewset)}.{action}"
