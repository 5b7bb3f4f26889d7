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

__all__ = ["readable_fields"]


def readable_fields(
    serializer_class: type[serializers.BaseSerializer], per_request: bool
) -> dict[str, fields.Field]:
    """Fields that may appear in the representation (write-only and hidden left out)."""
    serializer = instantiate(serializer_class)
    found = dict(_readable(serializer_fields(serializer)))
    if per_request:
        staff = _as_staff(serializer_class, serializer.context)
        for name, field in _readable(serializer_fields(staff) if staff else {}).items():
            found.setdefault(name, field)
    return found


def _readable(bound: MutableMapping[str, fields.Field]) -> dict[str, fields.Field]:
    return {
        name: field
        for name, field in bound.items()
        if not field.write_only and not isinstance(field, fields.HiddenField)
    }


def _as_staff(serializer_class: type, context: Mapping[str, Any]) -> Any:
    """The serializer as a staff superuser's request sees it; None if that cannot be built."""
    request = context.get("request")
    if request is None or not hasattr(request, "_request"):
        return None
    try:
        from django.contrib.auth import get_user_model

        staff_request = copy.copy(request)
        staff_request._request = copy.copy(request._request)
        staff_request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
        return serializer_class(context={**context, "request": staff_request})
    except Exception:  # a hook that needs the database or more of the request
        return None
