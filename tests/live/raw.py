"""Writes nothing announces, for tests of what repairs a lost change (a layer gap)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def unannounced_update(model: type[models.Model], pk: Any, **values: Any) -> None:
    """``UPDATE`` one row by raw SQL: no signal, no ORM bulk-write announcement (run it
    with the ``signal_capture`` fixture on PostgreSQL, whose triggers would see it)."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = {meta.get_field(name).column: value for name, value in values.items()}
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
            [*columns.values(), pk],
        )
