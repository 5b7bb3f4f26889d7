"""The per-process fan-out hub: one channel-layer listener, many live subscriptions.

Every server process runs one hub per event loop. It joins the
:data:`~drf_graphql_live.live.events.CHANGES_GROUP` with a single channel, so a change costs
one channel-layer message per *process*, not per subscriber, and hands each event to
the :class:`~drf_graphql_live.live.groups.Group` s it concerns (one evaluation, one
rendering per group), which write to their sockets directly
(:mod:`~drf_graphql_live.live.delivery`)::

    hub = Hub.for_running_loop()
    subscriber = Subscriber()
    await hub.subscribe(operation, subscriber, Start(initial=True))   # or Start(after=cursor)
    async for event in subscriber: ...

Events are processed in the order the layer delivers them, so the events for one
object reach each subscriber in commit order; updates that queued up while the hub
was busy are processed in one pass (:func:`~drf_graphql_live.live.events.merged`), so
a hub that falls behind catches up instead of falling further behind. A reconnection of the
layer's Redis subscription, or a heartbeat through the layer that went missing, says
messages may have been lost (:mod:`~drf_graphql_live.live.heartbeat`); every group is then
resynchronised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Hashable
from typing import Any

from channels.layers import get_channel_layer

from ..api.request import OperationRequest
from ..api.sync import run_sync
from ..capture.listener import READY_SECONDS, Listener, listener_for
from ..capture.state import captured_tables
from ..settings import live_settings
from .collector import Freezer
from .credentials import CREDENTIALS_TYPE, CredentialsChange, ended_credentials
from .delivery import Member
from .dependencies import LIVE
from .dispatch import process, targets
from .events import CHANGES_GROUP, EVENT_TYPE, RESYNC_TYPE, ChangeEvent, Resync, merged
from .groups import Group
from .heartbeat import HEARTBEAT_SECONDS, GapDetector, ReconnectWatch
from .keys import group_key
from .periodic import keep_logs, reauthenticate
from .render import LiveDocument, Start
from .resume import missed_since
from .resume_store import ResumeStore, resume_store

__all__ = ["Hub"]

logger = logging.getLogger("drf_graphql_live")

HEARTBEAT_TYPE = "dgl.heartbeat"
#: Put on the dispatch queue when a gap ends: resynchronise every group, in order.
RESYNC = object()
#: Queued updates processed in one pass at most (each group re-checks them together).
MERGE_MAX = 100
#: How long a group whose last subscriber left stays live (evaluated, logging): a client
#: dropped with the others (a proxy restart, a network blip, a deploy of the front end)
#: is back within seconds, and its resume is then a check, not a snapshot (issue 26).
LINGER_SECONDS = 15.0
#: What closing waits, at most, for the hub's tasks to end and its channel to leave.
CLOSE_SECONDS = 10.0


class Hub:
    """One per process and event loop; see the module docstring."""

    _by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self) -> None:
        self.groups: dict[Hashable, Group] = {}
        self.channel: str | None = None
        self._events: asyncio.Queue[Any] = asyncio.Queue()
        self._held: Any = None  # taken from the queue but not mergeable: next in line
        #: The documents groups render with, one per document key: groups with equal
        #: keys share their frames (:class:`~.scratch.ChangeScratch`), so one bound
        #: executor serves them all instead of one per user's group.
        self._documents: weakref.WeakValueDictionary[Hashable, LiveDocument] = (
            weakref.WeakValueDictionary()
        )
        self._tasks: list[asyncio.Task] = []
        self._starting: asyncio.Future[None] | None = None  # see _start()
        self._gap = GapDetector()
        self._reconnects = ReconnectWatch(self._reconnected)
        #: Setting GC_FREEZE: long-lived objects out of the full collections' scans.
        self._freezer = Freezer() if live_settings.GC_FREEZE else None
        self.store: ResumeStore | None = None  # where groups' resume logs live
        self._listener: Listener | None = None  # the database capture's, on PostgreSQL

    @classmethod
    def for_running_loop(cls) -> Hub:
        loop = asyncio.get_running_loop()
        if loop not in cls._by_loop:
            cls._by_loop[loop] = cls()
        return cls._by_loop[loop]

    async def subscribe(
        self,
        operation: OperationRequest,
        subscriber: Member,
        start: Start,
        *,
        document: LiveDocument | None = None,
    ) -> None:
        """Join (or found) the group; raises the GraphQL error a refused subscriber gets.

        With ``document`` (the fast path's :class:`~.render.LiveDocument`) the group
        renders frames once, shared by every subscriber of the same document. With
        ``start.after`` the subscriber resumes (``after`` wins over ``initial``), or is
        refused with RESUME_EXPIRED.
        """
        await self._start()
        assert self.store is not None
        missed = None
        if start.after is not None:
            missed = await missed_since(self.store, operation, start.after)
        key = (*group_key(operation), document.key if document else None)
        group = self.groups.get(key)
        if group is None:
            if document is not None:  # one per key for all users' groups (frames are)
                document = self._documents.setdefault(document.key, document)
            group = self.groups[key] = Group(key, operation, document, self.store)
        group.joining += 1
        group.emptied = None  # lingering no more
        try:
            await group.join(subscriber, start, operation.context, missed)
        finally:
            group.joining -= 1
            self._forget_if_empty(group)
        self._came_or_went()

    def unsubscribe(self, subscriber: Member) -> None:
        group = subscriber.group
        if group is None:  # refused, or never joined
            return
        group.leave(subscriber)
        self._forget_if_empty(group)
        self._came_or_went()

    def _came_or_went(self) -> None:
        if self._freezer is not None:
            self._freezer.came_or_went()
            self._refreeze_at_rest()

    def _refreeze_at_rest(self) -> None:
        """Refreeze (:mod:`~.collector`) if due and nothing waits to be dispatched."""
        freezer = self._freezer
        if freezer is None or not freezer.due():
            return
        if self._events.empty() and self._held is None:
            freezer.refreeze(sum(len(g.subscribers) for g in self.groups.values()))

    def _forget_if_empty(self, group: Group, *, now: bool = False) -> None:
        if group.subscribers or group.joining or self.groups.get(group.key) is not group:
            return
        if group.primed and not now and LINGER_SECONDS > 0:  # its clients may be back
            if group.emptied is None:
                group.emptied = emptied = asyncio.get_running_loop().time()
                later = asyncio.get_running_loop().call_later
                later(LINGER_SECONDS, self._linger_over, group, emptied)
            return
        del self.groups[group.key]
        group.forget_state()  # its resume log stays for a whole window from now

    def _linger_over(self, group: Group, emptied: float) -> None:
        if group.emptied == emptied:  # nobody came back meanwhile
            self._forget_if_empty(group, now=True)

    async def _start(self) -> None:
        """Start the hub, once, in a task of its own that the first subscriber waits for.

        Shielded: a subscriber that goes away meanwhile (a page reloaded while the hub
        still waited for its database listener, which a busy machine makes slow) cancels
        its own wait, never the start. A start cut there left a hub that heard every
        change and dispatched none, for the life of the process; a start that failed
        (no channel layer) is tried again by the next subscriber.
        """
        starting = self._starting
        if starting is None or (
            starting.done() and (starting.cancelled() or starting.exception() is not None)
        ):
            starting = self._starting = asyncio.ensure_future(self._start_once())
        await asyncio.shield(starting)

    async def _start_once(self) -> None:
        layer = get_channel_layer(live_settings.CHANNEL_LAYER)
        if layer is None:
            raise RuntimeError("drf-graphql-live subscriptions need CHANNEL_LAYERS.")
        self.store = resume_store()
        self.channel = await layer.new_channel("dgl-hub.")
        await layer.group_add(CHANGES_GROUP, self.channel)
        self._reconnects.watch(layer)
        await self._capture()
        self._tasks = [
            asyncio.create_task(self._listen(layer), name="dgl-hub-listen"),
            asyncio.create_task(self._dispatch(), name="dgl-hub-dispatch"),
            asyncio.create_task(self._heartbeat(layer), name="dgl-hub-heartbeat"),
            asyncio.create_task(reauthenticate(self._events), name="dgl-hub-reauthenticate"),
            asyncio.create_task(keep_logs(self), name="dgl-hub-keep-logs"),
        ]

    async def _listen(self, layer: Any) -> None:
        """Drain the layer at once (the in-memory layer drops messages when a channel is full).

        A failing ``receive`` (Redis restarting, with a layer that raises) is retried
        with back-off and the channel rejoins the group, which Redis may have forgotten.
        """
        delay = 0.1
        while True:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._gap.lost(f"receive failed ({exc!r})")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                with contextlib.suppress(Exception):
                    await layer.group_add(CHANGES_GROUP, self.channel)
                continue
            delay = 0.1
            self.take(message)

    def take(self, message: dict[str, Any]) -> None:
        """Queue a message of the channel layer, or of the database capture's listener."""
        kind = message.get("type")
        if kind == EVENT_TYPE:
            self._events.put_nowait(message)
        elif kind == RESYNC_TYPE:  # roots None: a gap of the listener, everything
            roots = message.get("roots")
            self._events.put_nowait(RESYNC if roots is None else Resync(frozenset(roots)))
        elif kind == CREDENTIALS_TYPE:
            self._events.put_nowait(CredentialsChange.from_message(message))
        elif kind == HEARTBEAT_TYPE and self._gap.heard(message["n"]):
            self._events.put_nowait(RESYNC)

    async def _capture(self) -> None:
        """Hear the database's own change reports (PostgreSQL triggers), if installed."""
        if not await run_sync(captured_tables):
            return
        self._listener = listener_for("default")
        ready = self._listener.attach(asyncio.get_running_loop(), self.take)
        await asyncio.to_thread(ready.wait, READY_SECONDS)

    def _reconnected(self) -> None:
        if self._gap.reconnected():
            self._events.put_nowait(RESYNC)

    async def _heartbeat(self, layer: Any) -> None:
        """Send ourselves a message every HEARTBEAT_SECONDS through the layer.

        Pub/sub layers reconnect to Redis on their own, silently: a missing heartbeat
        is how the hub learns that changes may have been lost, and its return is when
        every group is resynchronised, so clients end up right, not stale.
        """
        n = 0
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            n += 1
            self._gap.sent(n)
            with contextlib.suppress(Exception):  # the layer is down: the gap says so
                await layer.send(self.channel, {"type": HEARTBEAT_TYPE, "n": n})

    async def _dispatch(self) -> None:
        while True:
            event = await self._next_event()
            if event is RESYNC:
                await self._resync()
                continue
            if isinstance(event, Resync):
                await self._resync(set(event.roots))
                continue
            if isinstance(event, CredentialsChange):
                await self._recheck(event)
                continue
            updates = self._queued_updates(event)
            changed = {update["model"] for update in updates}  # "affects": rows shown
            for group in self.groups.values():
                group.models_changed(changed)  # what get_queryset() read may have changed
            if len(updates) > 1:
                event = merged(updates)
            concerned = targets(event, list(self.groups.values()))
            if concerned:
                try:
                    await process(event, concerned)
                except Exception:  # a bug must not stop the hub
                    logger.exception("Live subscriptions failed to process a change")
            # A permission row (django-guardian's), a share or a membership that no
            # representation shows names no object of the group's model, so the group
            # cannot tell which of its objects it concerns: a fresh snapshot (ADDED for
            # what it may now see, REMOVED for what it may not).
            if roots := LIVE.gated(changed):
                await self._resync(roots)

    async def _next_event(self) -> Any:
        if self._held is not None:
            event, self._held = self._held, None
            return event
        self._refreeze_at_rest()  # due while the hub was busy
        return await self._events.get()

    def _queued_updates(self, event: ChangeEvent) -> list[ChangeEvent]:
        """``event`` and the updates queued right behind it (none if it is a delete).

        Stops at anything else (a delete, a credentials change, a resync), which is
        processed next, in its place.
        """
        updates = [event]
        while not event["deleted"] and len(updates) < MERGE_MAX and not self._events.empty():
            queued = self._events.get_nowait()
            if (
                queued is RESYNC
                or isinstance(queued, (CredentialsChange, Resync))
                or queued["deleted"]
            ):
                self._held = queued
                break
            updates.append(queued)
        return updates

    async def _recheck(self, change: CredentialsChange) -> None:
        """End the subscriptions whose credentials ended; resynchronise the rest of those
        users' groups (what they may see can have changed with their account)."""
        groups = list(self.groups.values())
        concerned = [c for g in groups for c in g.contexts.values() if change.concerns(c)]
        try:  # one thread hop for every group: each distinct credential checked once
            ended = await run_sync(ended_credentials, concerned, change) if concerned else set()
        except Exception:  # the database is down: nothing is known to have ended
            logger.exception("Re-checking credentials failed")
            return
        for group in groups:
            if not group.subscribers and change.concerns(group.operation.context):
                self._forget_if_empty(group, now=True)  # a lingering group: not re-checked
                continue
            try:
                if ended:
                    await group.end_revoked(change, ended)
                if change.users and group.subscribers and change.concerns(group.operation.context):
                    group.cache.reset()  # the user's row may have changed: authenticate anew
                    await group.resync()
            except Exception:  # a bug must not stop the hub
                logger.exception("Re-checking credentials failed for %s", group.field.name)

    async def _resync(self, roots: set[str] | None = None) -> None:
        """Bring every group (of the ``roots`` models only, if given) to a fresh snapshot:
        after a channel-layer gap, or a change of rows that decide visibility (gates)."""
        for group in list(self.groups.values()):
            if roots is not None and group.model not in roots:
                continue
            try:
                await group.resync()
            except Exception:  # a bug must not stop the hub, nor the other groups
                logger.exception("Resynchronising %s failed", group.field.name)

    async def close(self) -> None:
        """Stop listening (tests; a server process simply exits).

        Bounded: every task is cancelled at once and given :data:`CLOSE_SECONDS`, as is
        leaving the group and closing the store. A cancelled ``receive`` of
        channels-redis' pub/sub layer unsubscribes from Redis under its shard's lock;
        awaited one task at a time, with no bound, that hung a test run's teardown for
        good (one run in two of a sequence of the live tests on Redis).
        """
        starting, self._starting = self._starting, None  # a later subscriber starts anew
        if starting is not None and not starting.done():
            starting.cancel()
            await asyncio.wait([starting], timeout=CLOSE_SECONDS)
        if self._listener is not None:
            with contextlib.suppress(RuntimeError):
                self._listener.detach(asyncio.get_running_loop())
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=CLOSE_SECONDS)
            if pending:
                logger.warning("Hub tasks still running after close: %s", pending)
        layer = get_channel_layer(live_settings.CHANNEL_LAYER)
        if layer is not None and self.channel is not None:
            try:
                await asyncio.wait_for(
                    layer.group_discard(CHANGES_GROUP, self.channel), CLOSE_SECONDS
                )
            except TimeoutError:
                logger.warning("The hub's channel did not leave its group in %ss", CLOSE_SECONDS)
        self.channel = None
        close_store = getattr(self.store, "close", None)
        if close_store is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(close_store(), CLOSE_SECONDS)
        self.store = None
