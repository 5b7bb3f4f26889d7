"""The PostgreSQL side of capture: a trigger function and four triggers per watched table.

Statement-level ``AFTER`` triggers with transition tables, so a statement costs one
call whatever number of rows it touched, and an ``update()`` of 100,000 rows sends one
notification per ~7,000 bytes of keys (``NOTIFY`` payloads stop at 8,000) instead of
100,000. Notifications are delivered when the transaction commits, in commit order,
and never for a rollback: what the signal path gets from ``on_commit``, for every
writer, Django or not. Each row is reported as its key plus its foreign keys (the old
values for an update or a delete: the rows it stopped pointing at changed too)::

    {"t":"shapes_autonote","op":"U","r":[[7, 3, "inbox"], [8, 3, null]]}

A payload that would not fit (a single huge key) and ``TRUNCATE`` are sent with
``"r": null``: every subscriber of the table is resynchronised.
"""

from __future__ import annotations

import hashlib

from django.db.backends.base.base import BaseDatabaseWrapper

from .tables import WatchedTable

__all__ = [
    "CHANNEL",
    "FUNCTION",
    "TRIGGER_PREFIX",
    "create_function_sql",
    "drop_function_sql",
    "drop_table_sql",
    "installed",
    "table_function",
    "trigger_sql",
]

#: The ``LISTEN`` channel every trigger notifies.
CHANNEL = "drf_graphql_live"
#: Versioned: a new payload format gets a new function, and old triggers are "out of date".
FUNCTION = "drf_graphql_live_capture_v1"
TRIGGER_PREFIX = "drf_graphql_live_"
#: Bytes of rows per notification (the payload limit is 8,000 with the envelope).
CHUNK_BYTES = 7000

#: trigger suffix -> (event, the transition table its rows are read from)
_EVENTS = {"i": ("INSERT", "NEW"), "u": ("UPDATE", "OLD"), "d": ("DELETE", "OLD")}


#: A statement's keys, as one JSON array; ``{keys}``: the table's column list.
_ALL_ROWS = "SELECT json_agg(json_build_array({keys}))::text FROM dgl_rows"
#: ... in pieces of as many rows as the longest row lets fit in CHUNK_BYTES.
_PIECES = (
    "WITH keyed AS MATERIALIZED ("
    "SELECT json_build_array({keys})::text AS r, row_number() OVER () AS n FROM dgl_rows), "
    f"per AS (SELECT greatest(1, {CHUNK_BYTES} / (max(octet_length(r)) + 1)) AS k FROM keyed) "
    "SELECT '[' || string_agg(r, ',' ORDER BY n) || ']' "
    "FROM keyed, per GROUP BY (n - 1) / per.k ORDER BY (n - 1) / per.k"
)


def table_function(table: str) -> str:
    """The name of ``table``'s own trigger function (63 bytes at most, whatever the table)."""
    return f"{FUNCTION}_{hashlib.md5(table.encode()).hexdigest()[:12]}"


def create_function_sql(name: str = FUNCTION, keys: str | None = None) -> str:
    """A trigger function: ``keys`` (a table's column list) written into its statements,
    or, for :data:`FUNCTION`, read from ``TG_ARGV[0]``.

    Each watched table has its own: PL/pgSQL keeps the plans of static statements for
    the session, where ``EXECUTE`` plans its text at every call (a single-row save cost
    1.23x without the trigger, 1.09x with a table's own function; psycopg, one run).
    :data:`FUNCTION` reads the columns from its argument: ``TRUNCATE`` calls it, and
    so do triggers installed before the tables had their own, until the next migrate.

    One statement for a write whose keys fit one notification (nearly all of them); a
    larger one is cut into pieces by row count. A running sum of the rows' sizes (the
    first version) cut closer to the limit but sorted the rows twice: an ``update()``
    of 10,000 rows cost 2.14x the statement without the trigger, 1.16x now, cut by count
    (benchmarks/README.md "Change capture").

    A column the function names may be gone while a migration still runs (a foreign key
    renamed or dropped; ``post_migrate`` writes the function anew at the end): the write
    goes on, and the table's subscribers are resynchronised (``"r": null``).
    """
    if keys is None:
        every = f"EXECUTE format({_literal(_ALL_ROWS)}, TG_ARGV[0]) INTO rows"
        pieces = f"EXECUTE format({_literal(_PIECES)}, TG_ARGV[0])"
    else:
        every, pieces = f"rows := ({_ALL_ROWS.format(keys=keys)})", _PIECES.format(keys=keys)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  head text := '{{"t":' || to_json(TG_TABLE_NAME::text)::text
               || ',"op":"' || left(TG_OP, 1) || '","r":';
  rows text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('{CHANNEL}', head || 'null}}');
    RETURN NULL;
  END IF;
  BEGIN
    {every};
    IF rows IS NULL THEN  -- the statement touched no row
      RETURN NULL;
    END IF;
    IF octet_length(head) + octet_length(rows) < {CHUNK_BYTES} THEN
      PERFORM pg_notify('{CHANNEL}', head || rows || '}}');
      RETURN NULL;
    END IF;
    FOR rows IN {pieces}
    LOOP
      IF octet_length(head) + octet_length(rows) > 7900 THEN  -- a key too large: resynchronise
        rows := 'null';
      END IF;
      PERFORM pg_notify('{CHANNEL}', head || rows || '}}');
    END LOOP;
  EXCEPTION WHEN undefined_column THEN  -- renamed or dropped, the migration still running:
    PERFORM pg_notify('{CHANNEL}', head || 'null}}');  -- resynchronise; post_migrate rewrites us
  END;
  RETURN NULL;
END
$fn$;
"""


def _literal(template: str) -> str:
    """``template`` as a SQL string for ``format()``: the keys as ``%s``."""
    return "'" + template.format(keys="%s").replace("'", "''") + "'"


def drop_function_sql() -> str:
    """Drop :data:`FUNCTION` and every table's own, and with them (``CASCADE``) every
    trigger that calls them."""
    return f"""
DO $drop$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE (p.proname = '{FUNCTION}' OR starts_with(p.proname, '{FUNCTION}_'))
               AND pg_function_is_visible(p.oid)
  LOOP
    EXECUTE 'DROP FUNCTION ' || fn || ' CASCADE';
  END LOOP;
END
$drop$;
"""


def trigger_sql(connection: BaseDatabaseWrapper, table: WatchedTable) -> list[str]:
    """(Re)create the table's function and its four triggers: the statements, in order.

    The triggers still pass the column list: :func:`installed` compares it with what
    the table needs now, to tell triggers that are out of date.
    """
    quote = connection.ops.quote_name
    keys = ", ".join(quote(c) for c in table.columns)
    columns = keys.replace("'", "''")
    function = table_function(table.name)
    on = quote(table.name)
    statements = [create_function_sql(function, keys)]
    for suffix, (event, rows) in _EVENTS.items():
        name = quote(TRIGGER_PREFIX + suffix)
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {on}",
            f"CREATE TRIGGER {name} AFTER {event} ON {on} REFERENCING {rows} TABLE AS dgl_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}('{columns}')",
        ]
    name = quote(TRIGGER_PREFIX + "t")
    statements += [
        f"DROP TRIGGER IF EXISTS {name} ON {on}",
        f"CREATE TRIGGER {name} AFTER TRUNCATE ON {on} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {FUNCTION}('')",
    ]
    return statements


def drop_table_sql(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """Drop the triggers of a table no longer watched, and its own function."""
    on = connection.ops.quote_name(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(TRIGGER_PREFIX + s)} ON {on}"
          for s in "iudt"),
        f"DROP FUNCTION IF EXISTS {table_function(table)}()",
    ]  # fmt: skip


def installed(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Tables (visible on the search path) with our update trigger -> its column list
    ("" when it calls the shared function: installed before tables had their own, so out
    of date, though it still captures)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, encode(t.tgargs, 'escape'), p.proname = %s
              FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgname = %s AND pg_table_is_visible(c.oid)
               AND (p.proname = %s OR starts_with(p.proname, %s))
            """,
            [FUNCTION, TRIGGER_PREFIX + "u", FUNCTION, FUNCTION + "_"],
        )
        # tgargs holds each argument NUL-terminated ("\\000" once escaped)
        return {
            name: "" if shared else args.split("\\000")[0]
            for name, args, shared in cursor.fetchall()
        }
