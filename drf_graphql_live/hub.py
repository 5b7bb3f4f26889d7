"""The per-process fan-out hub: one channel-layer listener, many live subscriptions.

Every server process runs one hub per event loop. It joins the
:data:`~drf_graphql_live.events.CHANGES_GROUP` with a single channel, so a change costs
one channel-layer message per *process*, not per subscriber. Subscriptions with the
same field, arguments, selection and permission scope form a :class:`Group`, evaluated
once per event (one thread hop, SQL independent of the number of subscribers)::

    hub = Hub.for_running_loop()
    subscriber = await hub.subscribe(field, context, arguments, selection, initial=True)
    async for event in subscriber: ...

Events are processed one at a time, in the order the layer delivers them, so the
events for one object reach each subscriber in commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from typing import Any

from channels.layers import get_channel_layer
from graphql import GraphQLError

from schema_gen import Operation, RootField

from .db import run_sync
from .dependencies import model_label
from .evaluation import evaluate, snapshot
from .events import CHANGES_GROUP, EVENT_TYPE, ChangeEvent
from .exceptions import to_graphql_error
from .request import LiveContext
from .selection import SelectionTree
from .settings import live_settings
from .wire import LiveDocument

__all__ = ["CLOSE_4008_TOO_SLOW", "MAX_PENDING", "Group", "Hub", "Subscriber", "WireSubscriber"]

logger = logging.getLogger("drf_graphql_live")
_MISSING = object()

#: The hub messages itself this often through the channel layer ...
HEARTBEAT_SECONDS = 1.0
#: ... and declares a gap after this many unanswered heartbeats.
HEARTBEAT_MISSES = 3
HEARTBEAT_TYPE = "dgl.heartbeat"
#: Put on the dispatch queue when a gap ends: resynchronise every group, in order.
RESYNC = object()
#: Objects with unsent changes a slow socket may accumulate before it is closed.
MAX_PENDING = 1000
#: Close code for a socket that cannot keep up: resubscribe with ``initial: true``.
CLOSE_4008_TOO_SLOW = 4008

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]
Wire = tuple[LiveDocument, str, Send, Close]


def _fingerprint(value: Any) -> str:
    """A stable text of a JSON-like value: equal renderings, equal fingerprints."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


Render = Callable[[str], Awaitable[str]]


class Subscriber:
    """One live subscription: what it was last sent, and its queue of events."""

    def __init__(self, group: Group) -> None:
        self.group = group
        self.sent: dict[str, str] = {}  # pk -> fingerprint of the node it was last sent
        self.queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    def kind_for(self, pk: str, node: Any, fingerprint: str | None) -> str | None:
        """ADDED, MODIFIED, REMOVED or None (nothing changed for this subscriber); records it."""
        previous = self.sent.get(pk, _MISSING)
        if node is None:
            if previous is _MISSING:
                return None
            del self.sent[pk]
            return "REMOVED"
        if previous == fingerprint:
            return None  # nothing it selected changed, or it already has this version
        self.sent[pk] = fingerprint  # type: ignore[assignment]
        return "ADDED" if previous is _MISSING else "MODIFIED"

    async def offer(self, pk: str, node: Any, fingerprint: str | None, render: Render) -> None:
        """Queue what changed *for this subscriber* (Strawberry renders it)."""
        kind = self.kind_for(pk, node, fingerprint)
        if kind is not None:
            self.queue.put_nowait(
                {"kind": kind, "id": pk, "node": node if kind != "REMOVED" else None}
            )

    def fail(self, error: BaseException) -> None:
        """End the subscription with ``error`` (the client may resubscribe)."""
        self.queue.put_nowait(error)

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            item = await self.queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item


def _combined(had_before: bool, has_now: bool) -> str | None:
    """The one event that replaces several unsent ones for the same object."""
    if had_before:
        return "MODIFIED" if has_now else "REMOVED"
    return "ADDED" if has_now else None


class WireSubscriber(Subscriber):
    """A graphql-transport-ws subscription fed pre-rendered frames (the fast path).

    Frames wait in a bounded, per-object queue: while the socket is slow, several
    changes of one object coalesce into its latest state (never reordered per object);
    past ``MAX_PENDING`` objects the socket is closed with :data:`CLOSE_4008_TOO_SLOW`
    so the client resubscribes with ``initial: true`` instead of silently missing data.
    """

    def __init__(self, group: Group, operation_id: str, send: Send, close: Close) -> None:
        super().__init__(group)
        self.prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.send, self.close = send, close
        self.pending: OrderedDict[str, tuple[bool, str]] = OrderedDict()  # pk -> (had, frame)
        self.wakeup = asyncio.Event()
        self.overflowed = False

    async def offer(self, pk: str, node: Any, fingerprint: str | None, render: Render) -> None:
        had = pk in self.sent
        kind = self.kind_for(pk, node, fingerprint)
        if kind is None or self.overflowed:
            return
        if pk in self.pending:
            had = self.pending.pop(pk)[0]
            kind = _combined(had, node is not None)
            if kind is None:
                return  # added and removed before the client heard of it
        self.pending[pk] = (had, self.prefix + await render(kind) + "}")
        if len(self.pending) > MAX_PENDING:
            self.overflowed = True
            self.pending.clear()
            asyncio.get_running_loop().create_task(self.close(CLOSE_4008_TOO_SLOW, "Too slow"))
        self.wakeup.set()

    def fail(self, error: BaseException) -> None:
        frame = self.prefix + json.dumps({"data": None, "errors": [_formatted(error)]}) + "}"
        self.pending[f"error:{id(error)}"] = (False, frame)
        self.overflowed = True  # nothing after the error
        self.wakeup.set()

    async def run(self) -> None:
        """Write frames as the socket takes them, until cancelled or failed."""
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                _pk, (_had, frame) = self.pending.popitem(last=False)
                await self.send(frame)
            if self.overflowed:
                return


def _formatted(error: BaseException) -> dict[str, Any]:
    return error.formatted if isinstance(error, GraphQLError) else {"message": str(error)}


class Group:
    """Subscriptions sharing field, arguments, selection and permission scope."""

    def __init__(
        self,
        key: Hashable,
        field: RootField,
        context: LiveContext,
        arguments: dict,
        selection: SelectionTree,
        document: LiveDocument | None = None,
    ):
        self.key = key
        self.document = document
        self.field = field
        self.context = context
        self.arguments = arguments
        self.selection = selection
        self.model = model_label(field.endpoint.model)
        self.subscribers: set[Subscriber] = set()
        self.only_pk: str | None = None  # a detail subscription follows one object
        self.lock = asyncio.Lock()  # a join's snapshot and an event never interleave

    def relevant_pks(self, event: ChangeEvent) -> list[str]:
        pks = set(event["affects"].get(self.model, ()))
        if event["model"] == self.model:
            pks.add(event["pk"])
        if self.only_pk is not None:
            pks &= {self.only_pk}
        return sorted(pks)

    async def process(self, event: ChangeEvent, pks: list[str]) -> None:
        async with self.lock:
            if not self.subscribers:
                return
            if event["deleted"] and event["model"] == self.model:
                pks = [pk for pk in pks if pk != event["pk"]]
                await self._offer({event["pk"]: None})
            if pks:
                try:
                    nodes = await run_sync(
                        evaluate, self.field, self.context, self.arguments, self.selection, pks
                    )
                except Exception as exc:
                    self._fail(exc)
                    return
                await self._offer(nodes)

    async def resync(self) -> None:
        """Diff every subscriber against a fresh snapshot (after a channel-layer gap)."""
        async with self.lock:
            if not self.subscribers:
                return
            try:
                current = dict(
                    await run_sync(
                        snapshot, self.field, self.context, self.arguments, self.selection
                    )
                )
            except GraphQLError:
                current = {}  # no longer allowed to see anything
            except Exception as exc:
                self._fail(exc)
                return
            gone = {pk for subscriber in self.subscribers for pk in subscriber.sent} - set(current)
            await self._offer(dict.fromkeys(gone))
            await self._offer(current)

    def _fail(self, exc: Exception) -> None:
        """An evaluation failed (a database error): end this group's subscriptions only.

        Its subscribers get an INTERNAL_SERVER_ERROR and may resubscribe with
        ``initial: true``; every other group goes on.
        """
        logger.error("Live subscription %s failed; ending its group", self.field.name, exc_info=exc)
        error = to_graphql_error(exc)
        for subscriber in self.subscribers:
            subscriber.fail(error)
        self.subscribers.clear()

    async def _offer(
        self, nodes: dict[str, Any], subscribers: Iterable[Subscriber] | None = None
    ) -> None:
        for pk, node in nodes.items():
            fingerprint = None if node is None else _fingerprint(node)
            render = self._renderer(pk, node)
            for subscriber in list(self.subscribers if subscribers is None else subscribers):
                await subscriber.offer(pk, node, fingerprint, render)

    def _renderer(self, pk: str, node: Any) -> Render:
        """Render this object's event at most once per kind, for every wire subscriber."""
        rendered: dict[str, str] = {}

        async def render(kind: str) -> str:
            if kind not in rendered:
                assert self.document is not None, "only wire subscribers render"
                event = {"kind": kind, "id": pk, "node": None if kind == "REMOVED" else node}
                rendered[kind] = await self.document.render(event)
            return rendered[kind]

        return render

    async def join(self, subscriber: Subscriber, initial: bool) -> Subscriber:
        """A new subscriber, primed with what it sees now (sent as ADDED if ``initial``).

        The current nodes are rendered even without ``initial``: knowing what the
        client would see is what lets a no-op change (a login touching
        ``last_login`` of a nested user) send nothing.
        """
        async with self.lock:
            current = await run_sync(
                snapshot, self.field, self.context, self.arguments, self.selection
            )
            if initial:
                await self._offer(dict(current), [subscriber])
            else:  # primed with what it would see, but nothing to send
                subscriber.sent = {pk: _fingerprint(node) for pk, node in current}
            if self.field.operation is Operation.SUBSCRIBE_ONE:
                self.only_pk = current[0][0]
            self.subscribers.add(subscriber)
        return subscriber


class Hub:
    """One per process and event loop; see the module docstring."""

    _by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self) -> None:
        self.groups: dict[Hashable, Group] = {}
        self.channel: str | None = None
        self._events: asyncio.Queue[Any] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        self._started = asyncio.Lock()
        self._gap = GapDetector()

    @classmethod
    def for_running_loop(cls) -> Hub:
        loop = asyncio.get_running_loop()
        if loop not in cls._by_loop:
            cls._by_loop[loop] = cls()
        return cls._by_loop[loop]

    async def subscribe(
        self,
        field: RootField,
        context: LiveContext,
        arguments: dict,
        selection: SelectionTree,
        *,
        initial: bool,
        wire: Wire | None = None,
    ) -> Subscriber:
        """Join (or found) the group; raises the GraphQL error a refused subscriber gets.

        With ``wire`` (document, operation id, send, close) the subscriber is fed
        pre-rendered frames shared by every subscriber of the same document.
        """
        await self._start()
        document = wire[0] if wire else None
        key = (
            *_group_key(field, context, arguments, selection),
            document.key if document else None,
        )
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(key, field, context, arguments, selection, document)
        subscriber = WireSubscriber(group, *wire[1:]) if wire else Subscriber(group)
        try:
            return await group.join(subscriber, initial)
        finally:
            if not group.subscribers:
                self.groups.pop(key, None)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = subscriber.group
        group.subscribers.discard(subscriber)
        if not group.subscribers and self.groups.get(group.key) is group:
            del self.groups[group.key]

    async def _start(self) -> None:
        async with self._started:
            if self.channel is not None:
                return
            layer = get_channel_layer(live_settings.CHANNEL_LAYER)
            if layer is None:
                raise RuntimeError("drf-graphql-live subscriptions need CHANNEL_LAYERS.")
            self.channel = await layer.new_channel("dgl-hub.")
            await layer.group_add(CHANGES_GROUP, self.channel)
            self._tasks = [
                asyncio.create_task(self._listen(layer), name="dgl-hub-listen"),
                asyncio.create_task(self._dispatch(), name="dgl-hub-dispatch"),
                asyncio.create_task(self._heartbeat(layer), name="dgl-hub-heartbeat"),
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
            if message.get("type") == EVENT_TYPE:
                self._events.put_nowait(message)  # type: ignore[arg-type]
            elif message.get("type") == HEARTBEAT_TYPE and self._gap.heard(message["n"]):
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
            event = await self._events.get()
            if event is RESYNC:
                await self._resync()
                continue
            for group in list(self.groups.values()):
                pks = group.relevant_pks(event)
                if not pks:
                    continue
                try:
                    await group.process(event, pks)
                except Exception:  # a bug in one group must not stop the others
                    logger.exception("Live subscription group %s failed", group.field.name)

    async def _resync(self) -> None:
        for group in list(self.groups.values()):
            await group.resync()

    async def close(self) -> None:
        """Stop listening (tests; a server process simply exits)."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        layer = get_channel_layer(live_settings.CHANNEL_LAYER)
        if layer is not None and self.channel is not None:
            await layer.group_discard(CHANGES_GROUP, self.channel)
        self.channel = None


class GapDetector:
    """Notices when the channel layer stopped delivering, and when it came back."""

    def __init__(self) -> None:
        self.last_sent = 0
        self.last_heard = 0
        self.since: float | None = None  # monotonic time the current gap started

    def sent(self, n: int) -> None:
        self.last_sent = n
        if n - self.last_heard > HEARTBEAT_MISSES:
            self.lost(f"no heartbeat for {(n - self.last_heard) * HEARTBEAT_SECONDS:.0f}s")

    def lost(self, why: str) -> None:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning(
                "Channel layer gap: %s; changes published meanwhile are lost, "
                "subscriptions will be resynchronised when it is back",
                why,
            )

    def heard(self, n: int) -> bool:
        """Record heartbeat ``n``; True when it ends a gap (time to resynchronise).

        A heartbeat that never arrived (sent while Redis was away) is a gap too, even
        one too short to be noticed while it lasted.
        """
        missed = n - self.last_heard - 1
        self.last_heard = max(self.last_heard, n)
        if self.since is None:
            if missed <= 0:
                return False
            self.lost(f"{missed} heartbeat(s) never arrived")
        logger.warning(
            "Channel layer back after a gap of about %.1fs: resynchronising live subscriptions",
            max(time.monotonic() - (self.since or time.monotonic()), missed * HEARTBEAT_SECONDS),
        )
        self.since = None
        return True


def _group_key(
    field: RootField, context: LiveContext, arguments: dict, selection: SelectionTree
) -> tuple[Hashable, ...]:
    user = context.scope.get("user")
    scope = (getattr(user, "pk", None), tuple(sorted(context.headers.items())))
    return (field.name, _fingerprint(arguments), _fingerprint(selection), scope)
