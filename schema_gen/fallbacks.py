"""The JSON fallback, always announced: a field the generator cannot type precisely.

A JSON-typed field still answers exactly what REST answers, but it lies to nobody only
if the developer hears about it: every fallback warns with the serializer, the field
and the reason, so the fix (a return hint, ``FIELD_TYPE_MAP``, ``@extend_schema_field``)
is one search away::

    return json_fallback("PostSerializer.summary", "no return type hint on get_summary")
"""

from __future__ import annotations

import warnings
from typing import Any

from strawberry.scalars import JSON

__all__ = ["UnmappedFieldWarning", "json_fallback"]


class UnmappedFieldWarning(UserWarning):
    """A field has no precise GraphQL type and falls back to the JSON scalar."""


def json_fallback(where: str, why: str) -> Any:
    """Warn that ``where`` (``Serializer.field``) is typed JSON because ``why``; JSON."""
    warnings.warn(f"{where}: {why}; using the JSON scalar.", UnmappedFieldWarning, stacklevel=3)
    return JSON
