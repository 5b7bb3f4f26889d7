"""One statement for every group whose membership SQL differs only in its values.

Every user's ``get_queryset()`` compiles to the same SQL text with their own parameters
(``... WHERE members.user_id = %s``). A ``UNION ALL`` of a thousand such terms costs the
database a parsing and planning of each (PostgreSQL: 150 ms for 200 users; SQLite:
15 ms per 400 and one statement per 400 terms). Instead the varying parameters become
a ``VALUES`` table and the query is written once, run per row of it (Hasura's
multiplexing, with session variables as a table)::

    -- PostgreSQL: a LATERAL subquery
    SELECT dgl_v.g, x.dgl_pk FROM (VALUES (0, 7), (1, 9)) AS dgl_v(g, c0)
      CROSS JOIN LATERAL (SELECT ... WHERE members.user_id = dgl_v.c0) x
     WHERE x.dgl_pk IN (%s)
    -- SQLite (no LATERAL): a correlated EXISTS over the changed primary keys
    WITH dgl_v(g, c0) AS (VALUES (0, 7), (1, 9)), dgl_p(pk) AS (VALUES (%s))
    SELECT dgl_v.g, dgl_p.pk FROM dgl_v, dgl_p
     WHERE EXISTS (SELECT 1 FROM (SELECT ... = dgl_v.c0) x WHERE x.dgl_pk = dgl_p.pk)

Groups whose SQL and values are all equal (a ``get_queryset()`` that does not depend on
the user) share one term. What fits no family is joined with ``UNION ALL`` in chunks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["Term", "lateral_statement", "statements"]

#: Compound terms per statement: below SQLite's SQLITE_MAX_COMPOUND_SELECT (500).
CHUNK = 400
#: Rows of one VALUES table: its parameters stay below SQLite's 32,766 variables.
MAX_PARAMETERS = 30_000
_ESCAPED = "\x00"
_DIALECTS = ("postgresql", "sqlite")

#: (group index, membership SQL, its parameters, the changed primary keys as stored)
Term = tuple[int, str, tuple[Any, ...], tuple[Any, ...]]
#: (SQL, parameters, copies: group index -> the other groups that share its term)
Statement = tuple[str, list[Any], dict[int, list[int]]]


def statements(vendor: str, column: str, terms: Sequence[Term]) -> list[Statement]:
    """Statements selecting ``(group index, pk)`` for every term; ``column`` is quoted."""
    copies: dict[int, list[int]] = {}
    families: dict[tuple[str, tuple[str, ...]], list[tuple[int, tuple[Any, ...]]]]
    families = defaultdict(list)
    first: dict[tuple[str, tuple[Any, ...], tuple[str, ...]], int] = {}
    for index, sql, params, pks in terms:
        key = (sql, params, pks)
        try:
            hash(key)
        except TypeError:  # a list parameter (an array field's lookup)
            key = (sql, tuple(_hashable(p) for p in params), pks)
        if key in first:
            copies.setdefault(first[key], []).append(index)
        else:
            first[key] = index
            families[(sql, pks)].append((index, params))
    built: list[Statement] = []
    rest: list[Term] = []
    for (sql, pks), family in families.items():
        for chunk, made in _multiplexed(vendor, sql, column, family, pks):
            if made is None:
                rest += [(index, sql, params, pks) for index, params in chunk]
            else:
                built.append((*made, copies))
    for start in range(0, len(rest), CHUNK):
        built.append((*_union(column, rest[start : start + CHUNK]), copies))
    return built


def _multiplexed(
    vendor: str,
    sql: str,
    column: str,
    family: list[tuple[int, tuple[Any, ...]]],
    pks: Sequence[Any],
) -> Iterator[tuple[list[tuple[int, tuple[Any, ...]]], tuple[str, list[Any]] | None]]:
    """(terms, their statement or None: left to UNION ALL) per chunk of the family."""
    width = len(family[0][1]) + 1
    rows = max(2, MAX_PARAMETERS // width)
    for start in range(0, len(family), rows):
        chunk = family[start : start + rows]
        if vendor not in _DIALECTS or len(chunk) < 2:
            yield chunk, None
        else:
            yield chunk, lateral_statement(sql, column, chunk, pks, vendor=vendor)


def lateral_statement(
    sql: str,
    column: str,
    terms: Sequence[tuple[int, tuple[Any, ...]]],
    pks: Sequence[Any],
    *,
    vendor: str = "postgresql",
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
        return None  # identical statements: one term serves them all (``statements``)
    body = parts[0] + "".join(
        (f"dgl_v.c{k}" if k in varying else "%s") + parts[k + 1] for k in range(width)
    )
    body = body.replace(_ESCAPED, "%%")
    rows: list[Any] = []  # the parameters of the rows that are not written inline
    table = "(VALUES {})".format(
        ", ".join(
            f"({index}, {', '.join(_inline(own[k], rows) for k in varying)})"
            for index, own in terms
        )
    )
    names = ", ".join(["g", *(f"c{k}" for k in varying)])
    fixed = [terms[0][1][k] for k in range(width) if k not in varying]
    if vendor == "sqlite":
        keys = ", ".join(["(%s)"] * len(pks))
        statement = (
            f"WITH dgl_v({names}) AS {table}, dgl_p(pk) AS (VALUES {keys}) "
            "SELECT dgl_v.g, dgl_p.pk FROM dgl_v, dgl_p WHERE EXISTS "
            f"(SELECT 1 FROM ({body}) x WHERE x.{column} = dgl_p.pk)"
        )
        return statement, [*rows, *pks, *fixed]
    marks = ", ".join(["%s"] * len(pks))
    statement = (
        f"SELECT dgl_v.g, x.{column} FROM {table} AS dgl_v({names}) "
        f"CROSS JOIN LATERAL ({body}) x WHERE x.{column} IN ({marks})"
    )
    return statement, [*rows, *fixed, *pks]


def _inline(value: Any, params: list[Any]) -> str:
    """An ``int`` as SQL text, anything else as a placeholder (its value into ``params``).

    A thousand users' ids as placeholders cost more than the statement itself: psycopg
    splits a query into one part per placeholder (an object each, and no cache past a
    length), SQLite's backend rewrites each. Integers written out cannot inject
    anything; other values stay parameters.
    """
    if type(value) is int:  # not bool, not a subclass with its own str()
        return str(value)
    params.append(value)
    return "%s"


def _union(column: str, terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """``SELECT i, x.pk FROM (<membership i>) x WHERE x.pk IN (...) UNION ALL ...``."""
    parts, params = [], []
    for index, sql, own, pks in terms:
        marks = ", ".join(["%s"] * len(pks))
        parts.append(f"SELECT %s, x.{column} FROM ({sql}) x WHERE x.{column} IN ({marks})")
        params += [index, *own, *pks]
    return " UNION ALL ".join(parts), params


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
