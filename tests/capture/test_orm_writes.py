"""Every ORM write reaches subscribers (issue 25): ``update()``, ``bulk_create()``,
``bulk_update()``, on the database under test (SQLite: the ORM's bulk writes are
announced; PostgreSQL: the triggers see them), and each change is announced once."""

from __future__ import annotations

import pytest

from drf_graphql_live.live import hub as hub_module
from sample_site.board.models import Comment, Task
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ASSIGNEES = "subscription { tasksChanged { kind id node { title comments { body } } } }"


async def test_update_reaches_the_subscriber_and_leaves_its_filter(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS, {"status": "todo"})
        await client.assert_nothing()
        todo = await orm(
            lambda: list(Task.objects.filter(status="todo").values_list("pk", flat=True))
        )()
        await orm(lambda: Task.objects.filter(pk__in=todo).update(title="bulk"))()
        got = {e["id"]: e for e in [await event(client, op) for _ in _visible(board, todo)]}
        assert {e["node"]["title"] for e in got.values()} == {"bulk"}
        await orm(lambda: Task.objects.filter(pk__in=todo).update(status="done"))()
        removed = [await event(client, op) for _ in _visible(board, todo)]
        assert {e["kind"] for e in removed} == {"REMOVED"}  # out of its filter
        await client.assert_nothing()


async def test_bulk_create_and_bulk_update_reach_the_subscriber(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()

        def create() -> list[Task]:
            return Task.objects.bulk_create(
                [Task(project=board.shared, title=f"new {n}") for n in range(3)]
            )

        created = await orm(create)()
        added = [await event(client, op) for _ in created]
        assert {(e["kind"], e["node"]["title"]) for e in added} == {
            ("ADDED", f"new {n}") for n in range(3)
        }
        for task in created:
            task.title = task.title.upper()
        await orm(lambda: Task.objects.bulk_update(created, ["title"]))()
        modified = [await event(client, op) for _ in created]
        assert {(e["kind"], e["node"]["title"]) for e in modified} == {
            ("MODIFIED", f"NEW {n}") for n in range(3)
        }
        await client.assert_nothing()  # bulk_update's inner update() announced nothing more


async def test_a_related_rows_update_reaches_the_objects_that_show_it(board, tokens):
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(ASSIGNEES)
        await client.assert_nothing()
        comment = board.alice_comment
        await orm(lambda: Comment.objects.filter(pk=comment.pk).update(body="edited in bulk"))()
        got = await event(client, op)
        assert got["id"] == str(comment.task_id)
        assert "edited in bulk" in [c["body"] for c in got["node"]["comments"]]


async def test_a_bulk_write_is_one_message_per_chunk_and_each_change_is_announced_once(
    board, tokens, monkeypatch
):
    taken: list[dict] = []
    original = hub_module.Hub.take

    def counting(self, message):
        if message.get("type") == hub_module.EVENT_TYPE and message["model"] == "board.task":
            taken.append(message)
        return original(self, message)

    monkeypatch.setattr(hub_module.Hub, "take", counting)
    async with ws(tokens["alice"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(TASKS)
        await client.assert_nothing()

        def create() -> None:
            Task.objects.bulk_create(
                [Task(project=board.alice_only, title=f"row {n}") for n in range(600)]
            )

        await orm(create)()
        added = [await event(client, op) for _ in range(600)]
        assert len({e["id"] for e in added}) == 600
        assert 1 <= len(taken) <= 6  # chunks, not 600 messages
        taken.clear()
        board.docs.title = "saved once"
        await orm(board.docs.save)()
        assert (await event(client, op))["node"]["title"] == "saved once"
        await client.assert_nothing()
        assert len(taken) == 1  # a save: by the signal or by the trigger, not both


def _visible(board, pks):
    """The tasks of ``pks`` alice can see (her projects)."""
    mine = {board.design.pk, board.docs.pk, board.backlog.pk, board.errand.pk}
    return [pk for pk in pks if pk in mine]
