"""One PostgreSQL statement for many users (drf_graphql_live.live.lateral)."""

from __future__ import annotations

from drf_graphql_live.live.lateral import lateral_statement

SQL = "SELECT DISTINCT t.id AS \"dgl_pk\" FROM t JOIN m ON m.p = t.p WHERE m.user_id = %s AND t.s = %s AND t.n LIKE 'a%%'"


def test_varying_parameters_become_a_values_table_and_the_rest_stays_parameters():
    built = lateral_statement(SQL, '"dgl_pk"', [(0, (7, "todo")), (1, (9, "todo"))], ["3"])
    assert built is not None
    sql, params = built
    assert "FROM (VALUES (%s, %s), (%s, %s)) AS v(g, c0)" in sql
    assert "m.user_id = v.c0 AND t.s = %s" in sql
    assert "LIKE 'a%%'" in sql  # an escaped percent is left as it was
    assert sql.endswith('WHERE x."dgl_pk" IN (%s)')
    assert params == [0, 7, 1, 9, "todo", "3"]


def test_identical_statements_are_not_multiplexed():
    assert lateral_statement(SQL, '"dgl_pk"', [(0, (7, "a")), (1, (7, "a"))], ["3"]) is None


def test_a_parameter_count_that_does_not_match_the_sql_is_refused():
    assert lateral_statement(SQL, '"dgl_pk"', [(0, (7,)), (1, (9,))], ["3"]) is None
