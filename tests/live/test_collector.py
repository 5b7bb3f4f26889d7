"""GC_FREEZE: long-lived objects leave the full collections' scans, and nothing leaks.

The point of the setting is that objects alive when subscriptions settle (the sockets')
are not scanned again by every full collection; the price to watch is that frozen
objects are never collected, so what closed sockets leave behind must be reclaimed at
the next refreeze.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from drf_graphql_live.live import collector
from drf_graphql_live.live.hub import Hub
from sample_site.board.models import Task
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class Node:
    """Something that can only be reclaimed by the cyclic collector (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def freezing(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings.DRF_GRAPHQL_LIVE = {**getattr(settings, "DRF_GRAPHQL_LIVE", {}), "GC_FREEZE": True}
    monkeypatch.setattr(collector, "FLOOR", 2)  # two subscriptions come or go: refreeze
    monkeypatch.setattr(collector, "SETTLE_SECONDS", 0)  # at once
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run is scanned as usual


async def test_subscriptions_settling_freeze_what_lives_and_closing_reclaims_it(
    board, tokens, freezing
):
    node = Node()
    lost = weakref.ref(node)
    async with ws(tokens["alice"]) as alice, ws(tokens["bob"]) as bob:
        assert await alice.acknowledged()
        assert await bob.acknowledged()
        on_alice = await alice.subscribe(TASKS, {"initial": True})
        on_bob = await bob.subscribe(TASKS, {"initial": True})
        assert len([await event(alice, on_alice) for _ in range(4)]) == 4
        assert len([await event(bob, on_bob) for _ in range(3)]) == 3
        assert gc.get_freeze_count() > 0  # two joined: what lives is frozen

        del node  # garbage now, but frozen: the collector does not see it
        gc.collect()
        assert lost() is not None

        def retitle() -> None:
            task = Task.objects.get(pk=board.docs.pk)
            task.title = "after the freeze"
            task.save()

        await orm(retitle)()  # frozen subscriptions work as before
        assert (await event(alice, on_alice))["node"]["title"] == "after the freeze"
        assert (await event(bob, on_bob))["node"]["title"] == "after the freeze"
    # both left: the refreeze collects first, so what they (and we) left is reclaimed
    assert lost() is None


async def test_a_refreeze_waits_until_nothing_is_left_to_dispatch(freezing):
    hub = Hub()
    assert hub._freezer is not None
    hub._freezer.changed = 1_000
    hub._events.put_nowait(object())  # a change waits: a long pause now would delay it
    hub._refreeze_at_rest()
    assert gc.get_freeze_count() == 0
    hub._events.get_nowait()
    hub._refreeze_at_rest()
    assert gc.get_freeze_count() > 0
    assert not hub._freezer.due()


def test_a_refreeze_waits_until_subscriptions_settle(freezing, monkeypatch):
    """A reconnect storm: subscriptions keep coming; no full collection until they stop."""
    monkeypatch.setattr(collector, "SETTLE_SECONDS", 60)
    hub = Hub()
    assert hub._freezer is not None
    for _ in range(1_000):
        hub._freezer.came_or_went()
    hub._refreeze_at_rest()
    assert gc.get_freeze_count() == 0  # still coming: no pause over every socket now
    hub._freezer.last -= 60  # a minute later, nothing came or went
    hub._refreeze_at_rest()
    assert gc.get_freeze_count() > 0


def test_off_unless_asked_for(settings):
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "sample_site.schema.schema"}  # sample_site asks
    assert Hub()._freezer is None
