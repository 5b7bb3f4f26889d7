"""One statement for many users (drf_graphql_live.live.lateral)."""

from __future__ import annotations

import sqlite3

from drf_graphql_live.live import lateral
from drf_graphql_live.live.lateral import lateral_statement, statements

SQL = "SELECT DISTINCT t.id AS \"dgl_pk\" FROM t JOIN m ON m.p = t.p WHERE m.user_id = %s AND t.s = %s AND t.n LIKE 'a%%'"


def test_varying_parameters_become_a_values_table_and_the_rest_stays_parameters():
    built = lateral_statement(SQL, '"dgl_pk"', [(0, (7, "todo")), (1, (9, "todo"))], ["3"])
    assert built is not None
    sql, params = built
    # integers are written out (no placeholder per user to parse), the rest are parameters
    assert "FROM (VALUES (0, 7), (1, 9)) AS dgl_v(g, c0)" in sql
    assert "m.user_id = dgl_v.c0 AND t.s = %s" in sql
    assert "LIKE 'a%%'" in sql  # an escaped percent is left as it was
    assert sql.endswith('WHERE x."dgl_pk" IN (%s)')
    assert params == ["todo", "3"]


def test_only_integers_are_written_into_the_statement():
    odd = "x'); DROP TABLE t; --"
    terms = [(0, ("7", "todo")), (1, (True, "todo")), (2, (odd, "todo")), (3, (9, "todo"))]
    built = lateral_statement(SQL, '"dgl_pk"', terms, ["3"])
    assert built is not None
    sql, params = built
    assert "(VALUES (0, %s), (1, %s), (2, %s), (3, 9))" in sql
    assert odd not in sql
    assert params == ["7", True, odd, "todo", "3"]


def test_identical_statements_are_not_multiplexed():
    assert lateral_statement(SQL, '"dgl_pk"', [(0, (7, "a")), (1, (7, "a"))], ["3"]) is None


def test_a_parameter_count_that_does_not_match_the_sql_is_refused():
    assert lateral_statement(SQL, '"dgl_pk"', [(0, (7,)), (1, (9,))], ["3"]) is None


def _database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER, s TEXT, n TEXT);"
        "CREATE TABLE m (p INTEGER, user_id INTEGER);"
        "INSERT INTO t VALUES (1, 10, 'todo', 'a1'), (2, 20, 'todo', 'a2'), (3, 10, 'done', 'a3');"
        "INSERT INTO m VALUES (10, 7), (20, 9), (10, 9);"
    )
    return db


def _run(db: sqlite3.Connection, built: list) -> set[tuple[int, str]]:
    found = set()
    for sql, params, copies in built:
        rows = db.execute(sql.replace("%s", "?").replace("%%", "%"), params).fetchall()
        for index, pk in rows:
            found |= {(i, str(pk)) for i in (index, *copies.get(index, ()))}
    return found


def test_sqlite_decides_every_user_in_one_statement_as_each_users_own_query_would():
    db = _database()
    terms = [
        (0, SQL, (7, "todo"), ("1", "2", "3")),
        (1, SQL, (9, "todo"), ("1", "2", "3")),
        (2, SQL, (8, "todo"), ("1", "2", "3")),  # a member of nothing
    ]
    built = statements("sqlite", '"dgl_pk"', terms)
    assert len(built) == 1
    assert "UNION ALL" not in built[0][0]
    assert _run(db, built) == {(0, "1"), (1, "1"), (1, "2")}


def test_groups_with_equal_sql_and_values_share_one_term():
    db = _database()
    same = (9, "todo")
    terms = [(i, SQL, same, ("1", "2")) for i in range(3)]
    built = statements("sqlite", '"dgl_pk"', terms)
    assert len(built) == 1
    assert built[0][2] == {0: [1, 2]}
    assert _run(db, built) == {(i, pk) for i in range(3) for pk in ("1", "2")}


def test_sql_that_differs_is_joined_with_union_all_in_chunks(monkeypatch):
    monkeypatch.setattr(lateral, "CHUNK", 2)
    db = _database()
    other = SQL.replace("t.s = %s", "t.s <> %s")
    terms = [
        (0, SQL, (7, "todo"), ("1",)),
        (1, other, (9, "done"), ("2",)),
        (2, SQL, (9, "x"), ("9",)),
    ]
    built = statements("oracle", '"dgl_pk"', terms)  # no dialect: UNION ALL only
    assert [sql.count("UNION ALL") for sql, _, _ in built] == [1, 0]
    assert _run(db, built) == {(0, "1"), (1, "2")}


def test_a_large_family_is_split_below_the_parameter_limit(monkeypatch):
    monkeypatch.setattr(lateral, "MAX_PARAMETERS", 9)  # 3 parameters a row: 3 rows a statement
    db = _database()
    users = [9, 7, 100, 101, 102, 103, 104]
    terms = [(i, SQL, (user, "todo"), ("1", "2")) for i, user in enumerate(users)]
    built = statements("sqlite", '"dgl_pk"', terms)
    assert len(built) == 3
    assert _run(db, built) == {(0, "1"), (0, "2"), (1, "1")}
