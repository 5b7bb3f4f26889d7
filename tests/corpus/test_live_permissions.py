"""Subscriptions under object permissions, as REST applies them (issue 23, items 13-15).

NetBox restricts the queryset in ``initial()`` and reads its permission rows in Python;
``DjangoObjectPermissions`` answers 404 for an object the user may not read. A change
the subscriber may not see is silence (or REMOVED for what it had), never the end of
the subscription; a change of the permission rows is heard.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application

from drf_graphql_live.asgi import live_application
from drf_graphql_live.live.dependencies import LiveRegistry
from drf_graphql_live.registry import endpoints_from
from drf_graphql_live.testing import GraphQLWSClient, execute

from .helpers import graphql, list_parity, rest, schema_of
from .models import Device, Grant
from .patterns.permissions import PYTHON_READS

pytestmark = pytest.mark.django_db(transaction=True)

NODE = "{ kind id node { name site } }"


@pytest.fixture
def devices(people) -> dict[str, Device]:
    """Ben may view the devices of site "a"; "a1" and "b1" exist."""
    Grant.objects.create(user=people["ben"], constraints={"site": "a"})
    return {
        "a1": Device.objects.create(name="a1", site="a"),
        "b1": Device.objects.create(name="b1", site="b"),
    }


@contextlib.asynccontextmanager
async def live(pattern: str, token: str) -> AsyncIterator[Any]:
    application = live_application(schema_of(pattern), get_asgi_application())
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as ws:
        assert await ws.acknowledged()
        yield ws


async def commit(change: Callable[[], Any]) -> None:
    await sync_to_async(change, thread_sensitive=True)()


def event(payload: dict[str, Any], field: str) -> tuple[str, str, Any]:
    assert "errors" not in payload, payload
    got = payload["data"][field]
    return got["kind"], got["id"], got["node"]


def test_rest_and_graphql_lists_agree_under_object_permissions(people, devices):
    for pattern in ("initial_restricted", "python_reads", "sliced"):
        list_parity(schema_of(pattern), "devices", "Device", f"/{pattern}/devices/", people["ben"])
    assert [d["name"] for d in rest(people["ben"], "/initial_restricted/devices/")] == ["a1"]


def test_detail_of_an_object_outside_the_permissions_is_not_found(people, devices):
    schema = schema_of("initial_restricted")
    query = '{ device(id: "%s") { name } }'
    assert graphql(schema, query % devices["a1"].pk, user=people["ben"]) == {
        "device": {"name": "a1"}
    }
    errors = execute(schema, query % devices["b1"].pk, user=people["ben"]).errors
    assert errors
    assert errors[0].extensions["code"] == "NOT_FOUND"


@pytest.mark.parametrize("field", ["devicesChanged", "scopedDevicesChanged"])
async def test_a_change_outside_the_permissions_is_silence_not_the_end(
    people, devices, fresh_hub, field
):
    """``initial()`` restricts the re-checks too; DjangoObjectPermissions' 404 hides."""
    async with live("initial_restricted", people["tokens"]["ben"]) as ws:
        op = await ws.subscribe(f"subscription {{ {field} {NODE} }}")
        await ws.assert_nothing()
        await commit(lambda: Device.objects.create(name="b2", site="b"))
        await commit(lambda: Device.objects.filter(pk=devices["b1"].pk).update(name="B1"))
        await commit(lambda: Device.objects.create(name="a2", site="a"))
        kind, _, node = event(await ws.receive_next(op), field)
        assert (kind, node) == ("ADDED", {"name": "a2", "site": "a"})
        await commit(lambda: Device.objects.filter(name="a2").first().save())
        await ws.assert_nothing()  # alive: nothing selected changed
        a1 = devices["a1"]
        a1.site = "b"
        await commit(a1.save)
        assert event(await ws.receive_next(op), field)[:2] == ("REMOVED", str(a1.pk))


async def test_a_followed_object_leaving_the_permissions_is_removed_then_added(
    people, devices, fresh_hub
):
    a1 = devices["a1"]
    async with live("initial_restricted", people["tokens"]["ben"]) as ws:
        op = await ws.subscribe(f'subscription {{ deviceChanged(id: "{a1.pk}") {NODE} }}')
        await ws.assert_nothing()
        a1.site = "b"
        await commit(a1.save)
        assert event(await ws.receive_next(op), "deviceChanged") == ("REMOVED", str(a1.pk), None)
        a1.site = "a"
        await commit(a1.save)
        kind, _, node = event(await ws.receive_next(op), "deviceChanged")
        assert (kind, node) == ("ADDED", {"name": "a1", "site": "a"})


@pytest.mark.parametrize("pattern", ["initial_restricted", "python_reads"])
async def test_a_change_of_the_permission_rows_read_in_python_is_heard(
    people, devices, fresh_hub, pattern
):
    """The grants are read in Python (initial() or get_queryset()): their SQL never
    names them, yet a changed grant shows and hides devices."""
    grant = await Grant.objects.aget(user=people["ben"])
    async with live(pattern, people["tokens"]["ben"]) as ws:
        op = await ws.subscribe(f"subscription {{ devicesChanged {NODE} }}")
        await ws.assert_nothing()
        grant.constraints = {"site": "b"}
        await commit(grant.save)
        got = {event(await ws.receive_next(op), "devicesChanged")[:2] for _ in range(2)}
        assert got == {("REMOVED", str(devices["a1"].pk)), ("ADDED", str(devices["b1"].pk))}
        await commit(lambda: Device.objects.create(name="a3", site="a"))
        await commit(lambda: Device.objects.create(name="b3", site="b"))
        kind, _, node = event(await ws.receive_next(op), "devicesChanged")
        assert (kind, node) == ("ADDED", {"name": "b3", "site": "b"})


async def test_a_sliced_queryset_is_followed_as_its_slice(people, devices, fresh_hub):
    """``get_queryset()`` returns ``qs[:2]``: a row outside the slice is silence, one that
    enters it as another leaves is ADDED, and the subscription never ends."""
    async with live("sliced", people["tokens"]["ben"]) as ws:
        op = await ws.subscribe(f"subscription {{ devicesChanged {NODE} }}")
        await ws.assert_nothing()
        c1 = await sync_to_async(Device.objects.create)(name="c1", site="c")  # third: outside
        await commit(lambda: Device.objects.filter(pk=devices["b1"].pk).update(name="B1"))
        await commit(lambda: Device.objects.get(pk=devices["b1"].pk).save())
        kind, pk, node = event(await ws.receive_next(op), "devicesChanged")
        assert (kind, pk, node) == ("MODIFIED", str(devices["b1"].pk), {"name": "B1", "site": "b"})
        a1 = str(devices["a1"].pk)
        await commit(devices["a1"].delete)
        got = {event(await ws.receive_next(op), "devicesChanged")[:2] for _ in range(2)}
        assert got == {("REMOVED", a1), ("ADDED", str(c1.pk))}
        await ws.assert_nothing()


def test_a_writer_that_primed_no_subscriber_announces_the_rows_read_in_python():
    """A writer process (a worker, another web process) knows the gates from the build:
    the grant query ``get_queryset()`` would run is refused there, and still counted."""
    registry = LiveRegistry()
    registry.add(endpoints_from(PYTHON_READS))
    assert registry.watches(Grant)
