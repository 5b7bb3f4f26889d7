"""Output types from serializers, and the TypeBuilder that caches every generated type.

One serializer class is one GraphQL type, whatever viewset or parent serializer uses
it, so the builder caches by class::

    builder = TypeBuilder()
    Post = builder.output_type(PostSerializer)     # type Post { id: Int! title: String! ... }
    PostInput = builder.input_type(PostSerializer) # input PostInput { title: String! ... }

Generated output types resolve their fields from DRF's representation dict (see
:func:`schema_gen.schema.dict_resolver`); each carries ``__drf_fields__``
(GraphQL name -> serializer field name) and ``__drf_serializer__`` so the runtime can
compute only the selected serializer fields.
"""

from __future__ import annotations

import typing
from typing import Any

import strawberry
from django.db import models
from rest_framework import fields, relations, serializers

from . import enums
from .converters import Direction, map_field, python_type_to_graphql
from .input_types import build_input_type
from .introspection import (
    declared_field,
    dotted,
    instantiate,
    own_doc,
    python_name,
    serializer_fields,
)
from .naming import NameRegistry, camel, pascal, type_name

__all__ = ["TypeBuilder"]


def _parent_model(field: fields.Field) -> type[models.Model] | None:
    meta = getattr(field.parent, "Meta", None)
    return getattr(meta, "model", None)


def _source_nullable(model: type[models.Model] | None, source_attrs: list[str]) -> bool | None:
    """Whether following ``source_attrs`` from ``model`` can give None; None if unknowable."""
    for attr in source_attrs:
        if model is None:
            return None
        try:
            model_field = model._meta.get_field(attr)
        except Exception:  # a property, a method or an annotation: type unknown
            return None
        if getattr(model_field, "null", False) and not model_field.many_to_many:
            return True
        model = model_field.related_model
    return False


class TypeBuilder:
    """Builds and caches output types, input types and enums for one schema."""

    def __init__(self) -> None:
        self.names = NameRegistry()
        self._outputs: dict[type, type] = {}
        self._inputs: dict[tuple[type, bool], type | None] = {}
        self._choices: dict[tuple[type, str | None], Any] = {}
        self.pages: dict[type, type] = {}
        self.events: dict[type, type] = {}

    def output_type(self, serializer_class: type[serializers.BaseSerializer]) -> type:
        """The GraphQL object type for ``serializer_class``'s representation."""
        if serializer_class not in self._outputs:
            self._outputs[serializer_class] = self._build_output(serializer_class)
        return self._outputs[serializer_class]

    def input_type(
        self, serializer_class: type[serializers.BaseSerializer], partial: bool = False
    ) -> type | None:
        """``<Name>Input`` (create) or ``<Name>PartialInput`` (partial update)."""
        key = (serializer_class, partial)
        if key not in self._inputs:
            self._inputs[key] = build_input_type(self, serializer_class, partial)
        return self._inputs[key]

    def choice_type(self, field: fields.ChoiceField) -> Any:
        """The enum for a choice field (shared by output and input), or its fallback scalar."""
        # A ListField's child is bound as ``field_name=""`` under the ListField: name and
        # cache the enum after the declared field, not after the ListField class.
        owner = declared_field(field)
        key = (type(owner.parent), owner.field_name)
        if key not in self._choices:
            self._choices[key] = self._build_choice(field, owner)
        return self._choices[key]

    def related_model(self, field: relations.RelatedField) -> type[models.Model] | None:
        """The model a relation points to, from its queryset or the parent's model."""
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            return queryset.model
        owner = field.parent if isinstance(field.parent, relations.ManyRelatedField) else field
        model = _parent_model(owner)
        for attr in owner.source_attrs:
            try:
                model = model._meta.get_field(attr).related_model if model else None
            except Exception:
                return None
        return model

    def _build_choice(self, field: fields.ChoiceField, owner: fields.Field) -> Any:
        choices = list(field.choices.items())
        if field.allow_blank and "" not in field.choices:
            # DRF accepts and renders "" for such a field: it cannot be an enum member.
            choices.append(("", ""))
        members = enums.choice_members(choices)
        if members is None:
            return enums.scalar_for_choices(choices)
        name = type_name(type(owner.parent)) + pascal(owner.field_name or "")
        self.names.claim(name, f"{dotted(type(owner.parent))}.{owner.field_name}")
        return enums.make_enum(name, members, dict(choices))

    def _build_output(self, serializer_class: type[serializers.BaseSerializer]) -> type:
        name = type_name(serializer_class)
        self.names.claim(name, dotted(serializer_class))
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {}
        graphql_to_field: dict[str, str] = {}
        for field_name, field in serializer_fields(instantiate(serializer_class)).items():
            if field.write_only or isinstance(field, fields.HiddenField):
                continue
            attr = python_name(field_name)
            graphql_name = camel(field_name)
            annotation = map_field(field, self, Direction.OUTPUT)
            annotations[attr] = annotation | None if self._output_nullable(field) else annotation
            namespace[attr] = strawberry.field(
                name=graphql_name,
                description=str(field.help_text) if field.help_text else None,
            )
            graphql_to_field[graphql_name] = field_name
        namespace.update(
            __annotations__=annotations,
            __module__=serializer_class.__module__,
            __drf_serializer__=serializer_class,
            __drf_fields__=graphql_to_field,
        )
        klass = type(name, (), namespace)
        return strawberry.type(klass, name=name, description=own_doc(serializer_class))

    def _output_nullable(self, field: fields.Field) -> bool:
        """Non-null only where DRF's representation provably never gives None."""
        if field.allow_null:
            return True
        if isinstance(field, serializers.ListSerializer | relations.ManyRelatedField):
            return False
        if isinstance(field, fields.SerializerMethodField):  # before source == "*": it is "*"
            method = getattr(type(field.parent), field.method_name, None)
            try:
                annotation = typing.get_type_hints(method).get("return", typing.Any)
            except Exception:
                return True
            return annotation is typing.Any or python_type_to_graphql(annotation)[1]
        if isinstance(field, relations.HyperlinkedIdentityField) or field.source == "*":
            return False
        if isinstance(field, fields.FileField):  # DRF renders an empty file as null
            return True
        known = _source_nullable(_parent_model(field), field.source_attrs)
        if known is None:
            return not field.required
        return known
