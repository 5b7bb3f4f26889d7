"""What drf-spectacular annotations declare, read when that package is installed.

Many projects describe their API only to drf-spectacular: a method field's type with
``@extend_schema_field``, filters read by hand with ``@extend_schema(parameters=[...])``,
an action's response with ``@extend_schema(responses=...)``. The generator reads the
same declarations so GraphQL is as precise as the OpenAPI document::

    @extend_schema_field(OpenApiTypes.INT)
    def get_score(self, obj): ...                 # score: Int
    @extend_schema(parameters=[OpenApiParameter("since", OpenApiTypes.DATE)])
    def list(self, request): ...                  # posts(since: String)

Without drf-spectacular nothing here finds an annotation, and nothing is imported.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from rest_framework import fields, relations, serializers
from strawberry.scalars import JSON

from .fallbacks import json_fallback
from .mapping import lookup
from .model_fields import pk_type
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = [
    "NO_OVERRIDE",
    "declared_request",
    "declared_response",
    "field_override",
    "opaque_serializer",
    "override_parameters",
    "override_type",
]

#: ``field_override`` found no ``@extend_schema_field``.
NO_OVERRIDE: Any = object()

_OPENAPI_SCALARS: dict[str, Any] = {"integer": int, "number": float, "boolean": bool, "string": str}
_PYTHON_SCHEMAS: dict[Any, str] = {int: "integer", float: "number", bool: "boolean", str: "string"}


def field_override(obj: Any) -> Any:
    """What ``@extend_schema_field(...)`` declared on a method or field class, or NO_OVERRIDE."""
    annotation = getattr(obj, "_spectacular_annotation", None)
    if not isinstance(annotation, dict) or "field" not in annotation:
        return NO_OVERRIDE
    return annotation["field"]


def override_type(value: Any, builder: Builder, where: str) -> tuple[Any, bool]:
    """(GraphQL type, nullable) of an ``@extend_schema_field`` (or ``responses=``) argument."""
    if (why := opaque_serializer(value)) is not None:
        return json_fallback(where, why), True
    if isinstance(value, serializers.ListSerializer):
        child: Any = value.child
        if not isinstance(child, serializers.BaseSerializer):  # ListSerializer(child=Field)
            return list_of(override_type(child, builder, where)[0]), False
        return list_of(builder.nested_type(child)), False
    queryset: Any = getattr(value, "queryset", None)
    if isinstance(value, relations.PrimaryKeyRelatedField) and queryset is not None:
        # paperless-ngx's ``ListSerializer(child=PrimaryKeyRelatedField(queryset=...))``:
        # the pk's own JSON type, as REST renders it (a field class needs a queryset).
        return pk_type(queryset.model), False
    if isinstance(value, serializers.BaseSerializer):
        return builder.nested_type(value), False
    if isinstance(value, type) and issubclass(value, serializers.BaseSerializer):
        return builder.output_type(value), False
    if isinstance(value, fields.Field) or (
        isinstance(value, type) and issubclass(value, fields.Field)
    ):
        mapped = lookup(value if isinstance(value, type) else type(value))
        return (mapped, True) if mapped is not None else (_fallback(where, value), True)
    schema = openapi_schema(value)
    if schema is None:
        return _fallback(where, value), True
    return _schema_type(schema, where, value), bool(schema.get("nullable"))


def opaque_serializer(value: Any) -> str | None:
    """Why ``value``, a serializer (class or instance), has no object type to build, or None.

    drf-spectacular's ``PolymorphicProxySerializer`` stands for one of several
    serializers (``oneOf``), and a bare ``BaseSerializer`` subclass (a wrapper that
    drf-spectacular documents through an ``OpenApiSerializerExtension``) declares no
    fields: neither can be instantiated and read like a ``Serializer``.
    """
    serializer_class = value if isinstance(value, type) else type(value)
    if not issubclass(serializer_class, serializers.BaseSerializer):
        return None
    with contextlib.suppress(ImportError):
        from drf_spectacular.utils import PolymorphicProxySerializer

        if issubclass(serializer_class, PolymorphicProxySerializer):
            return "a PolymorphicProxySerializer (one of several serializers) has no single type"
    if not issubclass(serializer_class, serializers.Serializer | serializers.ListSerializer):
        return f"{serializer_class.__qualname__} is a BaseSerializer with no declared fields"
    return None


def openapi_schema(value: Any) -> dict[str, Any] | None:
    """The OpenAPI schema dict of an OpenApiTypes member, a raw dict or a Python type."""
    if isinstance(value, dict):
        return value
    if value in _PYTHON_SCHEMAS:
        return {"type": _PYTHON_SCHEMAS[value]}
    with contextlib.suppress(ImportError):
        from drf_spectacular.types import OPENAPI_TYPE_MAPPING, PYTHON_TYPE_MAPPING

        if value in OPENAPI_TYPE_MAPPING:
            return OPENAPI_TYPE_MAPPING[value] or {"nullable": True}
        if value in PYTHON_TYPE_MAPPING:
            return OPENAPI_TYPE_MAPPING[PYTHON_TYPE_MAPPING[value]]
    return None


def _schema_type(schema: dict[str, Any], where: str, value: Any) -> Any:
    kind = schema.get("type")
    if kind == "array":
        item = _schema_type(schema.get("items") or {}, where, value)
        return list_of(item)
    if kind == "object":
        return JSON  # a free-form object: JSON is its precise type
    if kind in _OPENAPI_SCALARS:
        return _OPENAPI_SCALARS[kind]
    return _fallback(where, value)


def _fallback(where: str, value: Any) -> Any:
    return json_fallback(where, f"@extend_schema_field({value!r}) has no GraphQL type")


def _schema_of(view: Any, action: str, method: str) -> Any:
    """drf-spectacular's schema object for ``view``'s ``action``, or None."""
    handler = getattr(type(view), action, None)
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    schema = schema_class() if isinstance(schema_class, type) else getattr(view, "schema", None)
    if schema is None:
        return None
    schema.view = view  # DRF's ViewInspector descriptor protocol, as the generator does
    schema.method = method
    schema.path = ""
    return schema


def override_parameters(view: Any, action: str = "list") -> list[dict[str, Any]]:
    """``@extend_schema(parameters=[...])`` query parameters of ``action``, as OpenAPI dicts."""
    schema = _schema_of(view, action, "GET")
    declared: list[Any] = []
    for klass in type(schema).__mro__ if schema is not None else ():
        # Read from the declaration itself: the schema class's own hook may not exist
        # (DEFAULT_SCHEMA_CLASS left at DRF's AutoSchema).
        found = _closure_value(klass.__dict__.get("get_override_parameters"), "parameters")
        if found is not fields.empty and found:
            declared += list(found)
    parameters: list[dict[str, Any]] = []
    for parameter in declared:
        if isinstance(parameter, type) and issubclass(parameter, serializers.BaseSerializer):
            parameters += _serializer_parameters(parameter)
        elif getattr(parameter, "location", None) == "query" and not parameter.exclude:
            parameters.append(_parameter(parameter))
    return parameters


def _parameter(parameter: Any) -> dict[str, Any]:
    schema = openapi_schema(parameter.type) or {"type": "string"}
    if parameter.enum:
        schema = {"type": "string"}
    if parameter.many:
        schema = {"type": "array", "items": schema}
    return {
        "name": parameter.name,
        "in": "query",
        "schema": schema,
        "description": str(parameter.description or ""),
    }


def _serializer_parameters(serializer_class: type) -> list[dict[str, Any]]:
    """A serializer given as ``parameters``: each of its fields is one query parameter."""
    parameters = []
    for name, field in serializer_class().fields.items():
        kinds: dict[Any, str] = {int: "integer", float: "number", bool: "boolean"}
        kind = kinds.get(lookup(type(field)))
        schema = {"type": kind or "string"}
        parameters.append({"name": name, "in": "query", "schema": schema})
    return parameters


def declared_request(view: Any, action: str, method: str) -> Any:
    """The request serializer ``@extend_schema(request=...)`` declares, or None."""
    schema = _schema_of(view, action, method)
    for klass in type(schema).__mro__ if schema is not None else ():
        request = _closure_value(klass.__dict__.get("get_request_serializer"), "request")
        if request is not fields.empty:
            return request
    return None


def declared_response(view: Any, action: str, method: str) -> Any:
    """The response serializer ``@extend_schema(responses=...)`` declares, or None.

    Only what the project declared: drf-spectacular's default (the viewset's own
    serializer) is a guess that DRF's own ``set_password`` example contradicts.
    """
    schema = _schema_of(view, action, method)
    for klass in type(schema).__mro__ if schema is not None else ():
        responses = _closure_value(klass.__dict__.get("get_response_serializers"), "responses")
        if responses is not fields.empty:
            if isinstance(responses, dict):
                return _success_response(responses)
            return responses
    return None


def _success_response(responses: dict[Any, Any]) -> Any:
    """The 200/201 entry of ``{200: Serializer, 404: ...}``, keys also ``(200, "media/type")``."""
    by_code: dict[str, Any] = {}
    for key, value in responses.items():
        code = key[0] if isinstance(key, tuple) and key else key
        by_code.setdefault(str(code), value)
    return next((by_code[code] for code in ("200", "201") if code in by_code), None)


def _closure_value(function: Any, name: str) -> Any:
    """What ``extend_schema(name=...)`` captured in the schema method it generated.

    drf-spectacular keeps the declaration only in that closure; its default (the
    viewset's serializer) is what an undeclared method returns.
    """
    code, closure = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    if code is None or not closure:
        return fields.empty
    cells = dict(zip(code.co_freevars, closure, strict=False))
    return cells[name].cell_contents if name in cells else fields.empty
