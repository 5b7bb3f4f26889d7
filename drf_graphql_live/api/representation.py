"""Between DRF's data and GraphQL's: representations out, inputs in.

A GraphQL value must be byte-for-byte the REST value, so a representation goes through
DRF's own JSON encoder (Decimals as strings, DRF's date format, UUIDs); an input object
becomes the dict ``request.data`` would hold::

    to_json(serializer.data)            # {"price": "12.50", "created": "2026-11-30T..."}
    input_to_data(TaskInput(title="x"))  # {"title": "x"}   (UNSET fields left out)
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.utils.encoders import JSONEncoder
from strawberry import UNSET

__all__ = ["input_to_data", "to_json"]


def to_json(data: Any) -> Any:
    """DRF's representation as the REST client receives it (Decimals, dates, UUIDs...)."""
    return json.loads(json.dumps(data, cls=JSONEncoder))


def input_to_data(value: Any) -> Any:
    """A Strawberry input object -> the dict ``request.data`` would hold (UNSET left out)."""
    field_names = getattr(type(value), "__drf_fields__", None)
    if field_names is not None:
        return {
            field_name: input_to_data(getattr(value, attr))
            for attr, field_name in field_names.items()
            if getattr(value, attr) is not UNSET
        }
    if isinstance(value, list):
        return [input_to_data(item) for item in value]
    return getattr(value, "value", value) if hasattr(type(value), "__members__") else value
