"""Primary keys between events and raw SQL: the stored form and back.

Events name rows by ``str(pk)``; the batched membership statement (:mod:`.lateral`) is
raw SQL, which skips the ORM's conversion of lookup values::

    field = UuidNote._meta.pk
    database_keys(field, ("1b4e28ba-2fa1-...",), connection)   # ("1b4e28ba2fa1...",): SQLite
    event_key(field, pks, "1b4e28ba2fa1...")                  # "1b4e28ba-2fa1-..."
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

__all__ = ["database_keys", "event_key"]


def database_keys(
    field: models.Field | None, pks: tuple[str, ...], connection: Any
) -> tuple[Any, ...]:
    """The changed pks as the membership SQL compares them (raw SQL skips the ORM's step).

    Events carry ``str(pk)``; the column may hold another form: SQLite stores a UUID as
    32 hex digits without dashes, so the text ``"1b4e...-..."`` matches no row. A key
    the field cannot hold (``"abc"`` for an integer key) names no row: left out.
    """
    if field is None:
        return pks
    keys = []
    for pk in pks:
        try:
            keys.append(field.get_db_prep_value(field.to_python(pk), connection))
        except (ValidationError, ValueError, TypeError):
            continue
    return tuple(keys)


def event_key(field: models.Field | None, pks: tuple[str, ...], raw: Any) -> str:
    """The pk of ``pks`` a membership row names (a database value: back to ``str``)."""
    value = field.to_python(raw) if field is not None else raw
    text = str(value)
    if text in pks:
        return text
    for pk in pks:  # an event whose pk was written in another form (a hex UUID)
        with contextlib.suppress(ValidationError, ValueError, TypeError):
            if field is not None and field.to_python(pk) == value:
                return pk
    return text
