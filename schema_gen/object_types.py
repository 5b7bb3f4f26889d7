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

from collections.abc import Mapping
from typing import Any

import strawberry
from django.db import models
from rest_framework import fields, relations, serializers

from . import enums
from .converters import Direction, map_field, method_field_type, read_only_type
from .input_types import build_input_type
from .introspection import (
    declared_field,
    dotted,
    own_doc,
    python_name,
)
from .model_fields import model_attribute
from .naming import NameRegistry, camel, pascal, refuse_clash, type_name
from .variants import is_generated_nested, readable_fields, request_dependent

__all__ = ["EMPTY_FIELD", "TypeBuilder", "is_generated_nested", "request_dependent"]

#: The one field of a type whose serializer renders no readable field (REST gives ``{}``):
#: GraphQL has no empty object types, and leaving the type out would take the viewset's
#: list, detail and subscriptions with it. Always null.
EMPTY_FIELD = "_empty"
#: Names the schema has whatever the serializers: the root types, the scalars (Strawberry's
#: ``Upload`` and ``JSON``, GraphQL's own) and the events' enum. A serializer's type named
#: so (``UploadSerializer``, ``QuerySerializer``) is ``<Name>Type``.
ROOT_TYPES = (
    "Query", "Mutation", "Subscription", "Upload", "JSON", "ChangeKind",
    "String", "Int", "Float", "Boolean", "ID",
)  # fmt: skip


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
        if model_field.is_relation and model_field.related_model is None:
            return True  # a GenericForeignKey: its target may be gone
        model = model_field.related_model
    return False


def _reader(key: str) -> Any:
    """The resolver of a field whose name is no Python attribute (``2fa``, ``first-name``,
    ``class``): the default one reads the attribute name, the representation has ``key``.
    Its type is the class annotation's."""

    def resolve(root: Any) -> Any:
        return root.get(key) if isinstance(root, Mapping) else getattr(root, key, None)

    return resolve


class TypeBuilder:
    """Builds and caches output types, input types and enums for one schema."""

    def __init__(self) -> None:
        self.names = NameRegistry()
        for root in ROOT_TYPES:
            self.names.claim(root, "the schema itself (a root type or a scalar)")
        #: a serializer class, or (class, its fields) for an instance with fewer fields
        self._outputs: dict[Any, type] = {}
        #: serializer class -> the readable field names of an instance made without arguments
        self._default_fields: dict[type, frozenset[str]] = {}
        self._inputs: dict[tuple[type, bool, bool], type | None] = {}
        self._choices: dict[tuple[type, str | None], Any] = {}
        self.pages: dict[type, type] = {}
        self.events: dict[type, type] = {}
        self.typed_dicts: dict[type, type] = {}
        #: DRF's generated ``NestedSerializer`` classes -> (name, owner): parent + field
        self._nested: dict[type, tuple[str, str]] = {}

    def output_type(self, serializer_class: type[serializers.BaseSerializer]) -> type:
        """The GraphQL object type for ``serializer_class``'s representation.

        The type is claimed (and cached) before its fields are typed, so a serializer
        that nests itself (a tree) refers to the type being built instead of recursing.
        """
        if serializer_class not in self._outputs:
            self._build_output(serializer_class)
        return self._outputs[serializer_class]

    def nested_type(self, serializer: serializers.BaseSerializer) -> type:
        """The GraphQL object type of a nested serializer *instance*, by the fields it has.

        Init arguments may drop fields (NetBox's ``FooSerializer(nested=True)`` keeps
        ``Meta.brief_fields``; DRF's "dynamic fields" mixin keeps ``fields=``): such an
        instance has a type of its own fields, ``<Name>Brief`` for the brief fields,
        else ``<Name>`` and the field names (``TagName``); one field set, one type.
        """
        serializer_class = type(serializer)
        if not request_dependent(serializer_class):  # no __init__/get_fields: class fields
            return self.output_type(serializer_class)
        own = readable_fields(serializer_class, True, serializer)
        if serializer_class not in self._default_fields:
            default = readable_fields(serializer_class, True)
            self._default_fields[serializer_class] = frozenset(default)
        if frozenset(own) == self._default_fields[serializer_class]:
            return self.output_type(serializer_class)
        key = (serializer_class, frozenset(own))
        if key not in self._outputs:
            self._build_output(serializer_class, own)
        return self._outputs[key]

    def input_type(
        self,
        serializer_class: type[serializers.BaseSerializer],
        partial: bool = False,
        linked: bool = False,
    ) -> type | None:
        """``<Name>Input`` (create) or ``<Name>PartialInput`` (partial update); ``linked``:
        ``<Name>NestedInput``, with the primary key drf-writable-nested links a row by."""
        key = (serializer_class, partial, linked)
        if key not in self._inputs:
            self._inputs[key] = build_input_type(self, serializer_class, partial, linked)
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
        for attr in owner.source_attrs:  # reverse accessors (``task_set``) included
            target = model_attribute(model, attr) if model else None
            model = getattr(target, "related_model", None)
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

    def _build_output(
        self,
        serializer_class: type[serializers.BaseSerializer],
        variant: dict[str, fields.Field] | None = None,
    ) -> None:
        """The class's type, or with ``variant`` (an instance's own readable fields) its
        type of those fields."""
        name, owner = self._nested.get(serializer_class) or (
            type_name(serializer_class),
            dotted(serializer_class),
        )
        meta = getattr(serializer_class, "Meta", None)
        if name in ROOT_TYPES and not getattr(meta, "graphql_name", None):
            name += "Type"  # QuerySerializer: the schema's Query is the root type
        key: Any = serializer_class
        if variant is not None:
            key = (serializer_class, frozenset(variant))
            brief = set(getattr(meta, "brief_fields", None) or ()) == set(variant)
            name += "Brief" if brief else "".join(pascal(n) for n in sorted(variant))
            owner += f" with the fields {', '.join(sorted(variant))}"
        self.names.claim(name, owner)
        klass = type(name, (), {"__module__": serializer_class.__module__})
        self._outputs[key] = klass  # claimed before its fields (trees)
        try:
            self._fill_output(klass, serializer_class, variant)
        except BaseException:
            del self._outputs[key]
            raise
        strawberry.type(klass, name=name, description=own_doc(serializer_class))

    def _fill_output(
        self,
        klass: type,
        serializer_class: type[serializers.BaseSerializer],
        readable: dict[str, fields.Field] | None = None,
    ) -> None:
        """Set ``klass``'s annotated fields from ``readable`` (default: the class's)."""
        annotations: dict[str, Any] = {}
        graphql_to_field: dict[str, str] = {}
        per_request = request_dependent(serializer_class)
        if readable is None:
            readable = readable_fields(serializer_class, per_request)
        for field_name, field in readable.items():
            self._name_nested(klass.__name__, serializer_class, field_name, field)
            attr = python_name(field_name)
            graphql_name = camel(field_name)
            refuse_clash(serializer_class, graphql_to_field.get(graphql_name), field_name)
            annotation = map_field(field, self, Direction.OUTPUT)
            nullable = per_request or self._output_nullable(field)
            annotations[attr] = annotation | None if nullable else annotation
            setattr(
                klass,
                attr,
                strawberry.field(
                    name=graphql_name,
                    description=str(field.help_text) if field.help_text else None,
                    **({} if attr == field_name else {"resolver": _reader(field_name)}),
                ),
            )
            graphql_to_field[graphql_name] = field_name
        if not annotations:
            annotations[EMPTY_FIELD] = bool | None
            setattr(klass, EMPTY_FIELD, strawberry.field(name=EMPTY_FIELD, description=(
                "Always null: the serializer renders no readable field (REST answers {})."
            )))  # fmt: skip
        klass.__annotations__ = annotations
        klass.__drf_serializer__ = serializer_class  # type: ignore[attr-defined]
        klass.__drf_fields__ = graphql_to_field  # type: ignore[attr-defined]

    def _name_nested(self, parent: str, parent_class: type, field_name: str, field: Any) -> None:
        """Name a ``Meta.depth`` nested type after its place: ``Task.project`` -> TaskProject."""
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(child, serializers.BaseSerializer) and is_generated_nested(type(child)):
            owner = f"{dotted(parent_class)}.{field_name}"
            self._nested.setdefault(type(child), (parent + pascal(field_name), owner))

    def _output_nullable(self, field: fields.Field) -> bool:
        """Non-null only where DRF's representation provably never gives None."""
        if field.allow_null:
            return True
        if isinstance(field, serializers.ListSerializer | relations.ManyRelatedField):
            return False
        if isinstance(field, fields.SerializerMethodField):  # before source == "*": it is "*"
            return method_field_type(field, self)[1]
        if isinstance(field, fields.ReadOnlyField) and field.source != "*":
            typed = read_only_type(field, self)
            return True if typed is None else typed[1]  # a model source is always there
        if isinstance(field, relations.HyperlinkedIdentityField) or field.source == "*":
            return False
        if isinstance(field, fields.FileField):  # DRF renders an empty file as null
            return True
        model = _parent_model(field)
        known = _source_nullable(model, field.source_attrs)
        if known is None:  # a plain Serializer's field is provably nothing: DRF renders
            return model is None or not field.required  # None for a None attribute
        return known
