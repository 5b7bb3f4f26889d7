"""What the converters need of the type builder, as a Protocol.

:class:`~schema_gen.object_types.TypeBuilder` builds and caches every generated type; the
converters, input types, pages and events call back into it. They depend on this
Protocol, not on the class, so the modules form a tree instead of a circle::

    object_types -> input_types -> converters -> types      (no way back to object_types)
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol

from django.db import models
from rest_framework import fields, relations, serializers

from .naming import NameRegistry

__all__ = ["Builder", "async_generator_of", "list_of"]


def async_generator_of(item: Any) -> Any:
    """``AsyncGenerator[item, None]`` for a type built at run time (a subscription's)."""
    return AsyncGenerator[item, None]


def list_of(item: Any) -> Any:
    """``list[item]`` for a type built at run time (type checkers only take static ones)."""
    return list[item]


class Builder(Protocol):
    """The type builder as the converters see it."""

    names: NameRegistry
    #: node type -> its ``<Type>Page`` (paginated lists)
    pages: dict[type, type]
    #: node type -> its ``<Type>Event`` (subscriptions)
    events: dict[type, type]
    #: TypedDict -> its object type (method fields hinted with a TypedDict)
    typed_dicts: dict[type, type]

    def output_type(self, serializer_class: type[serializers.BaseSerializer]) -> type: ...

    def nested_type(self, serializer: serializers.BaseSerializer) -> type: ...

    def input_type(
        self,
        serializer_class: type[serializers.BaseSerializer],
        partial: bool = False,
        linked: bool = False,
    ) -> type | None: ...

    def choice_type(self, field: fields.ChoiceField) -> Any: ...

    def related_model(self, field: relations.RelatedField) -> type[models.Model] | None: ...
