"""Python type hints -> GraphQL types, for method fields, properties and TypedDicts.

A ``SerializerMethodField`` renders whatever its method returns; the method's return
hint says what that is. Hints name scalars, serializer classes (the value is that
serializer's ``.data``), TypedDicts (an object type of their keys) and lists of
those::

    def get_author(self, obj) -> UserSerializer: ...        # author: User!
    def get_stats(self, obj) -> Stats: ...                  # a TypedDict: stats: Stats!
    def get_tags(self, obj) -> list[str] | None: ...        # tags: [String!]
    hint_type(list[UserSerializer], builder, "PostSerializer.readers")   # ([User], False)

Anything else is JSON, with a warning naming the field and the hint
(:func:`schema_gen.fallbacks.json_fallback`).
"""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import TYPE_CHECKING, Any

import strawberry
from rest_framework import serializers
from strawberry.scalars import JSON

from .fallbacks import json_fallback
from .introspection import dotted, python_name
from .model_fields import wire_type
from .naming import camel
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["hint_type", "return_hint", "typed_dict_type"]

_LISTS = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable)
_MAPPINGS = (dict, collections.abc.Mapping)


def return_hint(function: Any) -> Any:
    """``function``'s return hint; ``typing.Any`` when missing or unresolvable."""
    try:
        return typing.get_type_hints(function).get("return", typing.Any)
    except Exception:  # a forward reference that does not resolve
        return typing.Any


def hint_type(hint: Any, builder: Builder, where: str) -> tuple[Any, bool]:
    """(GraphQL type in its non-null form, nullable) of a value typed ``hint``."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return hint_type(typing.get_args(hint)[0], builder, where)
    if origin in (typing.Union, types.UnionType):
        return _union(hint, builder, where)
    if origin in _LISTS or hint in _LISTS:
        return _list(hint, builder, where), False
    if origin in _MAPPINGS or hint in _MAPPINGS:
        return JSON, False  # a free-form object: JSON is its precise type
    if isinstance(hint, type) and issubclass(hint, serializers.BaseSerializer):
        return builder.output_type(hint), False
    if typing.is_typeddict(hint):
        return typed_dict_type(builder, hint), False
    scalar = wire_type(hint)
    if scalar is not None:
        return scalar, False
    if hint is typing.Any:
        return json_fallback(where, "no return type hint"), True
    return json_fallback(where, f"the hint {hint!r} has no GraphQL type"), True


def _union(hint: Any, builder: Builder, where: str) -> tuple[Any, bool]:
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(args) != 1:
        return json_fallback(where, f"the hint {hint!r} is a union of several types"), True
    return hint_type(args[0], builder, where)[0], True


def _list(hint: Any, builder: Builder, where: str) -> Any:
    items = [arg for arg in typing.get_args(hint) if arg is not Ellipsis]
    if len(set(items)) != 1:
        return list_of(json_fallback(where, f"the items of {hint!r} have no single type"))
    item, nullable = hint_type(items[0], builder, where)
    return list_of(item | None if nullable else item)


def typed_dict_type(builder: Builder, typed_dict: type) -> Any:
    """The object type of a TypedDict: one field per key, NotRequired keys nullable."""
    if typed_dict in builder.typed_dicts:
        return builder.typed_dicts[typed_dict]
    name = typed_dict.__name__
    builder.names.claim(name, dotted(typed_dict))
    klass = type(name, (), {"__module__": typed_dict.__module__})
    builder.typed_dicts[typed_dict] = klass  # claimed before its keys: it may nest itself
    annotations: dict[str, Any] = {}
    optional = set(getattr(typed_dict, "__optional_keys__", frozenset()))
    for key, hint in typing.get_type_hints(typed_dict, include_extras=True).items():
        if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
            # Stringified annotations hide NotRequired from ``__optional_keys__``.
            optional |= {key} if typing.get_origin(hint) is typing.NotRequired else set()
            hint = typing.get_args(hint)[0]
        annotation, nullable = hint_type(hint, builder, f"{name}.{key}")
        attr = python_name(key)
        annotations[attr] = annotation | None if nullable or key in optional else annotation
        setattr(klass, attr, strawberry.field(name=camel(key)))
    klass.__annotations__ = annotations
    return strawberry.type(klass, name=name, description=typed_dict.__doc__)
