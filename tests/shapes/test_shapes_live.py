"""Every primary-key shape, live: list and detail subscriptions end equal to REST.

In-process (WebsocketCommunicator against the shapes' ASGI app); writes go through the
ORM in a worker thread and commit, so on_commit -> layer -> hub -> socket runs for real.
The same steps on every shape: an integer-only bug (a key compared as text, a UUID's
dashes) shows up as one shape failing.
"""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from drf_graphql_live.live.dependencies import LIVE
from drf_graphql_live.testing import GraphQLWSClient

from .asgi import application
from .matrix import Shape, each_settled, settle, subscribed
from .mirror import Mirror
from .models import SHAPES, Folder, Shelf

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]

SHAPE_NAMES = list(SHAPES)


def orm(func: Any) -> Any:
    return sync_to_async(func, thread_sensitive=True)


def ws(token: str) -> GraphQLWSClient:
    return GraphQLWSClient(application, {"Authorization": f"Token {token}"})


def save(note: Any, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(note, name, value)
    note.save()


@pytest.mark.parametrize("name", SHAPE_NAMES)
async def test_list_subscription_converges_on_every_write(name, people):
    shape, ben = Shape.of(name), people["ben"]
    both, anns, folder = people["both"], people["anns"], people["folder"]
    seen = await orm(shape.make)(both, title="seen", folder=folder)
    await orm(shape.make)(anns, title="hidden")
    mirror = Mirror()
    rest = lambda: shape.rest_rows(ben)  # noqa: E731

    async with ws(people["tokens"]["ben"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(shape.list_subscription("initial: true"))
        await settle(client, op, shape.list_field, mirror, rest, shape.key)

        steps = [
            lambda: shape.make(both, title="new"),  # ADDED
            lambda: save(seen, title="renamed", kind="todo"),  # MODIFIED
            lambda: save(seen, shelf=anns),  # out of sight: REMOVED
            lambda: save(seen, public=True),  # back in sight: ADDED
            lambda: save(Folder.objects.get(pk=folder.pk), name="Archive"),  # related row
            lambda: Folder.objects.filter(pk=folder.pk).delete(),  # SET_NULL
            lambda: shape.make(both, title="doomed").delete(),  # created and deleted
            lambda: seen.delete(),  # REMOVED
            lambda: Shelf.objects.filter(pk=both.pk).delete(),  # CASCADE
        ]
        await each_settled(steps, client, op, shape.list_field, mirror, rest, shape.key)
        await client.assert_nothing(0.5)
        assert mirror.rows(shape.key) == await orm(rest)() == []


@pytest.mark.parametrize("name", SHAPE_NAMES)
async def test_detail_subscription_follows_its_object_only(name, people):
    shape, ben = Shape.of(name), people["ben"]
    both, anns = people["both"], people["anns"]
    folder = people["folder"]
    mine = await orm(shape.make)(both, title="mine", folder=folder)
    other = await orm(shape.make)(both, title="other", folder=folder)
    key = shape.lookup(mine)
    rest = lambda: [row for row in shape.rest_rows(ben) if str(row[shape.key]) == key]  # noqa: E731
    mirror = Mirror()

    async with ws(people["tokens"]["ben"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(shape.detail_subscription(), {"key": key})
        await subscribed()
        steps = [
            lambda: save(mine, title="edited"),
            lambda: save(other, title="not mine"),  # nothing for this subscription
            # a related row both show: the change affects both, only ``mine`` is ours
            lambda: save(Folder.objects.get(pk=folder.pk), name="Renamed"),
            lambda: save(mine, shelf=anns),  # hidden: REMOVED
            lambda: save(mine, public=True),  # visible again: ADDED
            lambda: mine.delete(),
        ]
        await each_settled(steps, client, op, shape.detail_field, mirror, rest, shape.key)
        await client.assert_nothing(0.5)
    assert set(mirror.nodes) <= {str(mine.pk)}, mirror.nodes


@pytest.mark.parametrize("name", SHAPE_NAMES)
async def test_resume_after_reconnect_converges(name, people):
    shape, ben = Shape.of(name), people["ben"]
    both, anns = people["both"], people["anns"]
    kept = await orm(shape.make)(both, title="kept")
    going = await orm(shape.make)(both, title="going")
    rest = lambda: shape.rest_rows(ben)  # noqa: E731
    mirror = Mirror()
    query = shape.list_subscription("initial: $initial, after: $after").replace(
        "subscription {", "subscription($initial: Boolean, $after: String) {"
    )
    token = people["tokens"]["ben"]
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(query, {"initial": True})
        await settle(client, op, shape.list_field, mirror, rest, shape.key)
    # Offline: edits, one row out of sight, one new, one deleted.
    await orm(lambda: save(kept, title="kept, edited"))()
    await orm(lambda: save(going, shelf=anns))()
    await orm(lambda: shape.make(both, title="while away"))()
    await orm(lambda: shape.make(both, title="gone again").delete())()
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(query, {"after": mirror.cursor})
        await settle(client, op, shape.list_field, mirror, rest, shape.key)
        await orm(lambda: save(going, public=True))()
        await settle(client, op, shape.list_field, mirror, rest, shape.key)


def test_membership_rows_gate_every_shape_before_any_subscriber():
    """A writer process primes no subscriber: the build must already know the gates.

    Every shape's ``get_queryset()`` filters by ``request.user``: read with the
    anonymous mock request alone it fails, and a membership change made by a worker
    process (``shelf.members.add(user)``) was never announced.
    """
    from drf_graphql_live.live.dependencies import _list_reads

    from .schema import schema  # noqa: F401  (built: the endpoints are registered)

    registered = {e.model: e for e in LIVE.endpoints}
    for model, _ in SHAPES.values():
        assert "shapes.shelf_members" in _list_reads(registered[model]), model


@pytest.mark.parametrize("name", SHAPE_NAMES)
async def test_detail_resumed_while_hidden_hears_its_object_again(name, people):
    shape, ben = Shape.of(name), people["ben"]
    both, anns = people["both"], people["anns"]
    mine = await orm(shape.make)(both, title="mine")
    key = shape.lookup(mine)
    rest = lambda: [row for row in shape.rest_rows(ben) if str(row[shape.key]) == key]  # noqa: E731
    mirror, token = Mirror(), people["tokens"]["ben"]
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(shape.detail_subscription(), {"key": key})
        await subscribed()
        await orm(lambda: save(mine, title="seen once"))()
        await settle(client, op, shape.detail_field, mirror, rest, shape.key)
    await orm(lambda: save(mine, shelf=anns, title="hidden"))()  # hidden while away
    async with ws(token) as client:
        assert await client.acknowledged()
        op = await client.subscribe(
            shape.detail_subscription(), {"key": key, "after": mirror.cursor}
        )
        await settle(client, op, shape.detail_field, mirror, rest, shape.key)  # REMOVED
        assert mirror.nodes == {}
        await orm(lambda: save(mine, public=True))()  # visible again: ADDED
        await settle(client, op, shape.detail_field, mirror, rest, shape.key)
        assert list(mirror.nodes) == [str(mine.pk)]


@pytest.mark.parametrize("name", ["auto", "uuid", "slug"])
async def test_detail_subscribing_while_a_related_row_changes_hears_only_its_object(
    name, people, monkeypatch
):
    """The change of a folder two notes show comes while the detail group is priming.

    The hub picks the groups a change concerns before it waits for their locks; the
    group then had no object yet, so it took every note of the folder and sent ADDED
    for the other one: a client applying events by id kept a row it never asked for.
    """
    from drf_graphql_live.live import joins as joins_module

    shape, folder = Shape.of(name), people["folder"]
    mine = await orm(shape.make)(people["both"], title="mine", folder=folder)
    other = await orm(shape.make)(people["both"], title="other", folder=folder)
    real_snapshot = joins_module.snapshot

    def snapshot_then_rename(operation: Any, **kwargs: Any) -> Any:
        current = real_snapshot(operation, **kwargs)
        Folder.objects.filter(pk=folder.pk).update(name="Renamed")  # the related row...
        Folder.objects.get(pk=folder.pk).save()  # ...announced while the join is priming
        return current

    monkeypatch.setattr(joins_module, "snapshot", snapshot_then_rename)
    async with ws(people["tokens"]["ben"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(shape.detail_subscription(), {"key": shape.lookup(mine)})
        await subscribed()
        modified = (await client.receive_next(op))["data"][shape.detail_field]
        assert (modified["kind"], modified["id"]) == ("MODIFIED", str(mine.pk))
        assert modified["node"]["folderName"] == "Renamed"
        await orm(lambda: save(other, title="still not mine"))()
        await orm(lambda: save(mine, title="mine, edited"))()
        edited = (await client.receive_next(op))["data"][shape.detail_field]
        assert (edited["id"], edited["node"]["title"]) == (str(mine.pk), "mine, edited")


@pytest.mark.parametrize(
    ("name", "form"), [("uuid", lambda note: note.pk.hex), ("auto", lambda note: str(note.pk))]
)
async def test_a_key_announced_in_another_form_names_the_same_row(name, form, people):
    """``publish_changes`` with a UUID's 32 hex digits (its SQLite form) or an integer
    key as text: the event names the row as ``str(pk)``, as everything else does."""
    from drf_graphql_live.signals import publish_changes

    shape = Shape.of(name)
    note = await orm(shape.make)(people["both"], title="before")
    async with ws(people["tokens"]["ben"]) as client:
        assert await client.acknowledged()
        op = await client.subscribe(shape.detail_subscription(), {"key": str(note.pk)})
        await subscribed()

        def retitle_behind_the_orm() -> None:
            shape.model.objects.filter(pk=note.pk).update(title="after")
            publish_changes(shape.model, [form(note)])

        await orm(retitle_behind_the_orm)()
        event = (await client.receive_next(op))["data"][shape.detail_field]
        assert (event["kind"], event["id"]) == ("MODIFIED", str(note.pk))
        assert event["node"]["title"] == "after"
