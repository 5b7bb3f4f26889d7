"""The PostgreSQL side of capture: one trigger function, four triggers per watched table.

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

from django.db.backends.base.base import BaseDatabaseWrapper

from .tables import WatchedTable

__all__ = [
    "CHANNEL",
    "FUNCTION",
    "TRIGGER_PREFIX",
    "create_function_sql",
    "drop_function_sql",
    "installed",
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


def create_function_sql() -> str:
    """The function every trigger calls; ``TG_ARGV[0]`` is the table's column list.

    One query for a statement whose keys fit one notification (nearly all of them);
    only a larger one pays for the chunking (a running sum of the rows' sizes).
    """
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  head text := '{{"t":' || to_json(TG_TABLE_NAME::text)::text
               || ',"op":"' || left(TG_OP, 1) || '","r":';
  rows text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('{CHANNEL}', head || 'null}}');
    RETURN NULL;
  END IF;
  EXECUTE format('SELECT json_agg(json_build_array(%s))::text FROM dgl_rows', TG_ARGV[0])
    INTO rows;
  IF rows IS NULL THEN  -- the statement touched no row
    RETURN NULL;
  END IF;
  IF octet_length(head) + octet_length(rows) < {CHUNK_BYTES} THEN
    PERFORM pg_notify('{CHANNEL}', head || rows || '}}');
    RETURN NULL;
  END IF;
  FOR rows IN EXECUTE format(
    'SELECT json_agg(r ORDER BY n)::text
       FROM (SELECT r, n, sum(octet_length(r::text) + 1) OVER (ORDER BY n) / {CHUNK_BYTES} AS c
               FROM (SELECT json_build_array(%s) AS r, row_number() OVER () AS n
                       FROM dgl_rows) AS numbered) AS sized
      GROUP BY c ORDER BY c', TG_ARGV[0])
  LOOP
    IF octet_length(head) + octet_length(rows) > 7900 THEN  -- a key too large: resynchronise
      rows := 'null';
    END IF;
    PERFORM pg_notify('{CHANNEL}', head || rows || '}}');
  END LOOP;
  RETURN NULL;
END
$fn$;
"""


def drop_function_sql() -> str:
    """Dropping the function drops every trigger that calls it (``CASCADE``)."""
    return f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE;"


def trigger_sql(connection: BaseDatabaseWrapper, table: WatchedTable) -> list[str]:
    """(Re)create the table's four triggers: the statements, in order."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in table.columns).replace("'", "''")
    on = quote(table.name)
    statements = []
    for suffix, (event, rows) in _EVENTS.items():
        name = quote(TRIGGER_PREFIX + suffix)
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {on}",
            f"CREATE TRIGGER {name} AFTER {event} ON {on} REFERENCING {rows} TABLE AS dgl_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{columns}')",
        ]
    name = quote(TRIGGER_PREFIX + "t")
    statements += [
        f"DROP TRIGGER IF EXISTS {name} ON {on}",
        f"CREATE TRIGGER {name} AFTER TRUNCATE ON {on} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {FUNCTION}('')",
    ]
    return statements


def installed(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Tables (visible on the search path) with our update trigger -> its column list."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, encode(t.tgargs, 'escape')
              FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgname = %s AND p.proname = %s AND pg_table_is_visible(c.oid)
            """,
            [TRIGGER_PREFIX + "u", FUNCTION],
        )
        # tgargs holds each argument NUL-terminated ("\\000" once escaped)
        return {name: args.split("\\000")[0] for name, args in cursor.fetchall()}
