"""Whether a serializer's representation can depend on who asks for it.

Groups of different users render the same objects; when the representation cannot
differ between requests, rendering once serves them all (:mod:`.batch`). It can
differ when something reads the request or the per-request queryset: a
``SerializerMethodField``, a hyperlinked field (absolute URLs from the request), a
field class or serializer method written by the project (``to_representation``,
``get_fields``, ``__init__`` may read ``context["request"]``), or a source that is not a
model field or attribute (an annotation that ``get_queryset()`` adds per user)::

    shared_representation(TaskSerializer(...))   # True: DRF's own fields, model sources

A serializer decides itself with ``Meta.live_shared_representation = True`` (it promises
its output depends on the object alone) or ``False``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import fields, relations, serializers

__all__ = ["shared_representation"]

#: Methods a project's serializer may override to read the request.
_HOOKS = ("to_representation", "get_fields", "__init__")
_PER_REQUEST_FIELDS = (
    fields.SerializerMethodField,
    relations.HyperlinkedRelatedField,
    relations.HyperlinkedIdentityField,
    fields.HiddenField,
)


def shared_representation(serializer: Any) -> bool:
    """True when the (trimmed) serializer renders an object the same for every request."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    declared = getattr(getattr(type(serializer), "Meta", None), "live_shared_representation", None)
    if declared is not None:
        return bool(declared)
    if _overrides_hooks(type(serializer)):
        return False
    model = getattr(getattr(type(serializer), "Meta", None), "model", None)
    for field in serializer.fields.values():
        if not _field_is_shared(field, model):
            return False
    return True


def _field_is_shared(field: Any, model: Any) -> bool:
    if isinstance(field, serializers.BaseSerializer):
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        return _source_on_model(field, model) and shared_representation(child)
    if isinstance(field, relations.ManyRelatedField):
        field = field.child_relation
    if isinstance(field, _PER_REQUEST_FIELDS) or _project_class(type(field)):
        return False
    return _source_on_model(field, model)


def _project_class(cls: type) -> bool:
    """A class defined outside DRF (the project's own field or serializer)."""
    return not cls.__module__.startswith("rest_framework.")


def _overrides_hooks(cls: type) -> bool:
    for klass in cls.__mro__:
        if not _project_class(klass) or klass is object:
            continue
        if any(hook in vars(klass) for hook in _HOOKS) and klass.__module__ != "builtins":
            return True
    return False


def _source_on_model(field: Any, model: Any) -> bool:
    """Every step of the source is a model field, relation or class attribute."""
    if field.source == "*":
        return False
    for attr in field.source_attrs:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            if not hasattr(model, attr):  # an annotation: per-request queryset
                return False
            return True  # a property or method of the model: of the object alone
        model = model_field.related_model
    return True
