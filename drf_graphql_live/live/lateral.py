"""One PostgreSQL statement for groups whose membership SQL differs only in its values.

Every user's ``get_queryset()`` compiles to the same SQL text with their own parameters
(``... WHERE members.user_id = %s``). A ``UNION ALL`` of a thousand such terms costs
PostgreSQL a planning of each (measured: 150 ms for 200 users); instead the varying
parameters become a ``VALUES`` table and the query is planned once, as a ``LATERAL``
subquery run per row (Hasura's multiplexing, with session variables as a table)::

    SELECT v.g, x.dgl_pk
      FROM (VALUES (0, 7), (1, 9)) AS v(g, c0)
      CROSS JOIN LATERAL (SELECT ... WHERE members.user_id = v.c0) x
     WHERE x.dgl_pk IN (%s)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["lateral_statement"]

_ESCAPED = "\x00"


def lateral_statement(
    sql: str, column: str, terms: Sequence[tuple[int, tuple[Any, ...]]], pks: Sequence[Any]
) -> tuple[str, list[Any]] | None:
    """(SQL, params) selecting ``(g, pk)`` for every term, or None when it cannot be built.

    ``terms`` are (group index, parameters) of the same ``sql``; ``column`` is the
    quoted primary-key column of the subquery, filtered to ``pks``.
    """
    parts = sql.replace("%%", _ESCAPED).split("%s")
    width = len(parts) - 1
    if any(len(params) != width for _, params in terms):
        return None
    varying = [k for k in range(width) if len({_hashable(p[k]) for _, p in terms}) > 1]
    if not varying:
        return None  # identical statements: nothing to multiplex
    body = parts[0] + "".join(
        (f"v.c{k}" if k in varying else "%s") + parts[k + 1] for k in range(width)
    )
    body = body.replace(_ESCAPED, "%%")
    row = "(" + ", ".join(["%s"] * (len(varying) + 1)) + ")"
    names = ", ".join(["g", *(f"c{k}" for k in varying)])
    marks = ", ".join(["%s"] * len(pks))
    statement = (
        f"SELECT v.g, x.{column} FROM (VALUES {', '.join([row] * len(terms))}) AS v({names}) "
        f"CROSS JOIN LATERAL ({body}) x WHERE x.{column} IN ({marks})"
    )
    params: list[Any] = []
    for index, own in terms:
        params += [index, *(own[k] for k in varying)]
    first = terms[0][1]
    params += [first[k] for k in range(width) if k not in varying]
    return statement, [*params, *pks]


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
