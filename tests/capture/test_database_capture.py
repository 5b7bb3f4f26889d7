"""Capture at the database on PostgreSQL (issue 25): whatever wrote the row, raw SQL, a
``psql`` with no Django at all, a subscriber hears it; a bulk statement is a few
notifications; a lost listener resynchronises; set-up, removal and the check."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from urllib.parse import urlparse

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import connection, transaction

from drf_graphql_live.capture import install, state
from drf_graphql_live.capture.listener import listener_for
from drf_graphql_live.capture.triggers import CHANNEL, FUNCTION, table_function
from drf_graphql_live.live import signals as live_signals
from drf_graphql_live.live.dependencies import LIVE
from sample_site.board.models import Task
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_url")]


@pytest.fixture(autouse=True)
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("database capture is PostgreSQL's (DATABASE_URL is not PostgreSQL)")
    assert not install.missing(), "migrate installs the capture triggers"


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


async def test_raw_sql_reaches_the_subscriber(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()
        await orm(raw)("UPDATE board_task SET title = 'raw' WHERE id = %s", [board.docs.pk])
        got = await event(client, op)
        assert (got["id"], got["node"]["title"]) == (str(board.docs.pk), "raw")
        await orm(raw)("DELETE FROM board_comment WHERE task_id = %s", [board.docs.pk])
        await orm(raw)("DELETE FROM board_task WHERE id = %s", [board.docs.pk])
        assert await event(client, op) == {
            "kind": "REMOVED",
            "id": str(board.docs.pk),
            "node": None,
        }


async def test_a_psql_write_with_no_django_reaches_the_subscriber(board, tokens):
    url = urlparse(os.environ["DATABASE_URL"])
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()
        sql = f"UPDATE board_task SET title = 'from psql' WHERE id = {int(board.backlog.pk)}"
        await asyncio.to_thread(
            subprocess.run,
            ["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
             "-U", url.username or "postgres", "-d", connection.settings_dict["NAME"],
             "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        got = await event(client, op)
        assert (got["id"], got["node"]["title"]) == (str(board.backlog.pk), "from psql")


def test_a_bulk_statement_is_a_few_notifications(board):
    listening = connection.get_new_connection(connection.get_connection_params())
    listening.autocommit = True
    try:
        listening.execute(f'LISTEN "{CHANNEL}"')
        Task.objects.bulk_create([Task(project=board.shared, title="x") for _ in range(20_000)])
        Task.objects.filter(title="x").update(title="y")
        notes: list[str] = []
        deadline = time.monotonic() + 60
        while _updated_rows(notes) < 20_000 and time.monotonic() < deadline:
            notes += [n.payload for n in listening.notifies(timeout=1.0)]
    finally:
        listening.close()
    assert all(len(p.encode()) < 8000 for p in notes)
    rows = _updated_rows(notes)
    assert rows == 20_000  # every row reported
    updates = [n for n in map(json.loads, notes) if n["op"] == "U"]
    assert len(updates) < 100  # in chunks of ~7,000 bytes: not 20,000 notifications


def _updated_rows(notes: list[str]) -> int:
    return sum(len(n["r"]) for n in map(json.loads, notes) if n["op"] == "U")


async def test_a_lost_listener_connection_resynchronises(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()

        def unseen_then_kill() -> int:
            with transaction.atomic():  # a write no trigger fires for (replication role)
                raw("SET LOCAL session_replication_role = replica")
                raw("UPDATE board_task SET title = 'unseen' WHERE id = %s", [board.errand.pk])
            raw(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND query ILIKE %s",
                [f'%LISTEN "{CHANNEL}"%'],
            )
            return listener_for("default").reconnects

        before = await orm(unseen_then_kill)()
        got = await event(client, op)  # the listener is back: every group resynchronised
        assert (got["id"], got["node"]["title"]) == (str(board.errand.pk), "unseen")
        assert listener_for("default").reconnects > before


def test_remove_then_the_check_asks_for_it_and_signals_announce(
    board, django_capture_on_commit_callbacks
):
    call_command("live_capture", remove=True)
    try:
        found = checks.run_checks(databases=["default"])
        assert any(m.id == "drf_graphql_live.W007" and "board_task" in m.msg for m in found)
        with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
            board.docs.title = "by the signal"
            board.docs.save()
        assert any(
            getattr(c, "args", None) and c.args[0].get("pk") == str(board.docs.pk)
            for c in callbacks
        )
    finally:
        call_command("live_capture")
    assert not any(
        m.id == "drf_graphql_live.W007" for m in checks.run_checks(databases=["default"])
    )


def functions_of_ours() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname FROM pg_proc WHERE starts_with(proname, %s)", [FUNCTION])
        return {name for (name,) in cursor.fetchall()}


def test_each_table_has_its_own_function_and_remove_drops_them_all(board):
    assert table_function("board_task") in functions_of_ours()  # static plans, per table
    raw("UPDATE board_task SET title = title || '.' WHERE id = %s", [board.docs.pk])
    call_command("live_capture", remove=True)
    try:
        assert functions_of_ours() == set()
        assert install.missing()["board_task"] == "no capture triggers"
    finally:
        call_command("live_capture")
    assert not install.missing()


def test_triggers_on_the_shared_function_are_out_of_date_until_reinstalled(board):
    """Installed by the first version (one function for every table): still capturing,
    reported out of date by the check until ``migrate`` gives the table its own."""
    raw(
        "CREATE OR REPLACE TRIGGER drf_graphql_live_u AFTER UPDATE ON board_task "
        f"REFERENCING OLD TABLE AS dgl_rows FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}"
        '(\'"id", "project_id", "assignee_id"\')'
    )
    try:
        assert install.missing() == {"board_task": "capture triggers out of date"}
    finally:
        call_command("live_capture")
    assert not install.missing()


def test_a_column_renamed_by_a_running_migration_never_fails_the_write(board):
    """A later migration renames (or drops) a foreign key the table's function names,
    then writes the table before ``post_migrate`` rewrites the function: the write goes
    on, and the table's subscribers are resynchronised."""
    listening = connection.get_new_connection(connection.get_connection_params())
    listening.autocommit = True
    raw("ALTER TABLE board_task RENAME COLUMN assignee_id TO assignee_renamed_id")
    try:
        listening.execute(f'LISTEN "{CHANNEL}"')
        raw("UPDATE board_task SET title = 'mid-migration' WHERE id = %s", [board.docs.pk])
        notes = [json.loads(n.payload) for n in listening.notifies(timeout=5.0, stop_after=1)]
    finally:
        raw("ALTER TABLE board_task RENAME COLUMN assignee_renamed_id TO assignee_id")
        listening.close()
    assert notes == [{"t": "board_task", "op": "U", "r": None}]
    board.docs.refresh_from_db()
    assert board.docs.title == "mid-migration"


def test_a_role_without_trigger_rights_keeps_signal_capture(board):
    raw("DROP ROLE IF EXISTS dgl_no_triggers")
    raw("CREATE ROLE dgl_no_triggers")
    raw("SET ROLE dgl_no_triggers")
    try:
        report = install.install()
    finally:
        raw("RESET ROLE")
        raw("DROP ROLE dgl_no_triggers")
    assert report.failed  # nothing half-done, migrate unbroken
    assert not report.installed
    assert not install.missing()  # what was installed before is untouched
    state.forget()


def test_a_failing_receiver_query_never_aborts_the_writers_transaction(
    board, signal_capture, monkeypatch
):
    def broken(model, pk):  # like a data migration's today-model on a missing table
        raw("SELECT * FROM a_table_that_does_not_exist")

    monkeypatch.setattr(LIVE, "affected", broken)
    with transaction.atomic():
        board.docs.title = "kept"
        board.docs.save()  # the receiver fails, logs, and the transaction goes on
        assert Task.objects.get(pk=board.docs.pk).title == "kept"
    assert live_signals  # the receivers in use are the signal path's


COMMENTS = "subscription { tasksChanged { kind id node { title comments { body } } } }"


async def test_a_deleted_related_row_leaves_the_object_that_listed_it(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(COMMENTS)
        await client.assert_nothing()
        comment = board.bob_comment
        await orm(raw)("DELETE FROM board_comment WHERE id = %s", [comment.pk])
        got = await event(client, op)  # the row is gone: its old task_id names the task
        assert got["id"] == str(comment.task_id)
        assert comment.body not in [c["body"] for c in got["node"]["comments"]]


async def test_a_membership_row_written_by_raw_sql_shows_the_objects_it_opens(board, tokens):
    async with ws(tokens["carol"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()
        await orm(raw)(
            "INSERT INTO board_project_members (project_id, user_id) VALUES (%s, %s)",
            [board.shared.pk, board.carol.pk],
        )
        shared = await orm(lambda: sorted(board.shared.tasks.values_list("pk", flat=True)))()
        got = sorted(int(e["id"]) for e in [await event(client, op) for _ in shared])
        assert got == shared  # a gate row: carol's list resynchronised, ADDED
