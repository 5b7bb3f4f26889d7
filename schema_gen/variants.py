"""The readable fields of a serializer whose fields depend on the request.

Serializers that add or drop fields per request (``__init__``/``get_fields()`` reading
``context["request"]``) are read as the anonymous mock request sees them and as a
staff superuser sees them; the type has the union, and every field of such a
serializer is nullable: REST leaves it out for some requests, GraphQL answers null::

    fields = readable_fields(StaffOnlySerializer)   # "description" too, though the
                                                    # anonymous mock request drops it
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
from typing import Any

from rest_framework import fields, serializers

from .introspection import instantiate, serializer_fields

__all__ = [
    "is_generated_nested", "readable_fields", "request_dependent", "writable_for_some_request",
]  # fmt: skip

#: Hooks through which a serializer adds or drops fields per request (``context``).
_PER_REQUEST_HOOKS = ("__init__", "get_fields")


def is_generated_nested(serializer_class: type) -> bool:
    """Whether DRF generated the class for ``Meta.depth`` (every one is ``NestedSerializer``)."""
    return "build_nested_field.<locals>" in serializer_class.__qualname__


def request_dependent(serializer_class: type) -> bool:
    """Whether the serializer's fields may differ per request: the project overrides
    ``__init__`` or ``get_fields()`` (DRF's own classes and generated nested ones do not).
    """
    for klass in serializer_class.__mro__[:-1]:  # not object
        if klass.__module__.startswith("rest_framework") or is_generated_nested(klass):
            continue
        if any(hook in klass.__dict__ for hook in _PER_REQUEST_HOOKS):
            return True
    return False


def readable_fields(
    serializer_class: type[serializers.BaseSerializer],
    per_request: bool,
    serializer: serializers.BaseSerializer | None = None,
) -> dict[str, fields.Field]:
    """Fields that may appear in the representation (write-only and hidden left out).

    Those of ``serializer`` where given (a nested instance: its init arguments, such as
    NetBox's ``nested=True``, may have dropped some), else of a new instance.
    """
    if serializer is None:
        serializer = instantiate(serializer_class)
    found = dict(_readable(serializer_fields(serializer)))
    if per_request:
        staff = _as_staff(serializer_class, serializer.context, *_init_arguments(serializer))
        for name, field in _readable(serializer_fields(staff) if staff else {}).items():
            found.setdefault(name, field)
    return found


def writable_for_some_request(
    serializer_class: type[serializers.BaseSerializer], context: Mapping[str, Any]
) -> dict[str, fields.Field]:
    """Writable fields a staff request's serializer has: optional in the input type (REST
    ignores them for the others, as it ignores any unknown key of the body)."""
    if not request_dependent(serializer_class):
        return {}
    staff = _as_staff(serializer_class, context)
    bound = serializer_fields(staff) if staff is not None else {}
    return {
        name: field
        for name, field in bound.items()
        if not field.read_only and not isinstance(field, fields.HiddenField)
    }


def _readable(bound: MutableMapping[str, fields.Field]) -> dict[str, fields.Field]:
    return {
        name: field
        for name, field in bound.items()
        if not field.write_only and not isinstance(field, fields.HiddenField)
    }


def _init_arguments(serializer: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments ``serializer`` was made with (DRF keeps them to deep-copy fields)."""
    kwargs = dict(getattr(serializer, "_kwargs", None) or {})
    kwargs.pop("context", None)
    return tuple(getattr(serializer, "_args", ()) or ()), kwargs


def _as_staff(
    serializer_class: type,
    context: Mapping[str, Any],
    args: tuple[Any, ...] = (),
    kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """The serializer as a staff superuser's request sees it; None if that cannot be built."""
    request = context.get("request")
    if request is None or not hasattr(request, "_request"):
        return None
    try:
        from django.contrib.auth import get_user_model

        staff_request = copy.copy(request)
        staff_request._request = copy.copy(request._request)
        staff_request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
        staff_context = {**context, "request": staff_request}
        return serializer_class(*args, **(kwargs or {}), context=staff_context)
    except Exception:  # a hook that needs the database or more of the request
        return None
