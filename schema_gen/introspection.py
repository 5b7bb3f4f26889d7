"""Small helpers for reading serializer classes at schema-build time.

Shared by the output and input builders::

    fields = instantiate(PostSerializer).fields
    python_name("class")   # "f_class": a valid dataclass attribute
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import MutableMapping
from typing import cast

from rest_framework import fields, serializers

__all__ = ["declared_field", "dotted", "instantiate", "own_doc", "python_name", "serializer_fields"]


def instantiate(serializer_class: type[serializers.BaseSerializer]) -> serializers.BaseSerializer:
    """An unbound serializer instance to read ``.fields`` from (no request exists yet)."""
    return serializer_class(context={})


def serializer_fields(serializer: serializers.BaseSerializer) -> MutableMapping[str, fields.Field]:
    """The bound fields of ``serializer`` (of its child, for a ``ListSerializer``)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = cast(serializers.BaseSerializer, serializer.child)
    return cast(serializers.Serializer, serializer).fields


def python_name(field_name: str) -> str:
    """A valid dataclass attribute for a serializer field name."""
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in field_name)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"f_{name}"
    return name


def dotted(cls: type) -> str:
    """``module.QualName``: how error messages name a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def own_doc(cls: type) -> str | None:
    """The class's own docstring, not ModelSerializer's inherited one."""
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def declared_field(field: fields.Field) -> fields.Field:
    """The serializer field the user declared that ``field`` belongs to.

    DRF binds a ``ListField``'s ``child`` (and a ``ManyRelatedField``'s ``child_relation``)
    with ``field_name=""`` and the container as ``parent``; names derived from the
    field (enum names, warnings) must come from the container, which has the real
    serializer as parent and the real field name.
    """
    while (
        not field.field_name
        and isinstance(field.parent, fields.Field)
        and not isinstance(field.parent, serializers.BaseSerializer)
    ):
        field = field.parent
    return field
