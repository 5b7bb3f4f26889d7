"""Subscription groups: one evaluation, one state and one rendering per change.

Subscriptions with the same field, arguments, selection, permission scope (and, on
the fast path, the same document) see the same objects, so they form a :class:`Group`:

* per event, the group asks the viewset once (one thread hop for all groups,
  :func:`~.dispatch.process`), so SQL is independent of the number of subscribers;
* it keeps *one* record of what its subscribers have (``state``: pk -> fingerprint of
  the node as they last got it), decides once whether a change is ADDED, MODIFIED,
  REMOVED or nothing (a change to a field nobody selected), renders it once and hands
  the same :class:`~.delivery.Change` to every subscriber;
* a subscriber joining a group that already exists takes that state: the subscribe
  request's checks still run for it (authentication, permissions, throttles,
  :func:`~.visibility.admit`), but not the list query and rendering of every object,
  so a reconnect storm costs a check per socket, not a snapshot per socket.

Every subscriber of a group has exactly the group's state once it has joined: joins,
events and resynchronisations hold the group's lock, and a change is decided and
offered to the subscribers present at that moment.

Once a subscriber selects ``cursor``, the group logs its versions (:mod:`.resume`); one
joining with ``after:`` gets what brings it from that cursor's state to the group's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from graphql import GraphQLError

from schema_gen import Operation

from ..api.authentication import user_key
from ..api.request import LiveContext, OperationRequest
from ..api.sync import run_sync
from ..exceptions import NOT_AUTHENTICATED, LiveGraphQLError, to_graphql_error
from ..settings import live_settings
from . import joins
from .credentials import CredentialsChange, credentials_key
from .cursors import Position, encode
from .delivery import Change, Member
from .dependencies import model_label
from .events import ChangeEvent
from .group_cache import GroupCache
from .journal import Journal, Missed
from .keys import resume_key
from .render import LiveDocument, Start, with_cursor
from .resume import keep_last, save_journals
from .resume_store import ResumeStore, resume_store
from .scratch import ChangeScratch, fingerprint
from .visibility import snapshot

__all__ = ["Group", "Member"]

logger = logging.getLogger("drf_graphql_live")

#: What a subscriber whose credentials ended is told, before nothing more.
CREDENTIALS_ENDED = "Authentication credentials are no longer valid."
ONE = Operation.SUBSCRIBE_ONE
#: Sockets written between two yields to the event loop, so that a large group does
#: not hold up other groups, reads and heartbeats for a whole fan-out.
YIELD_EVERY = 256
#: The group primed last for each rendering key: whose nodes a new snapshot takes.
_PEERS: weakref.WeakValueDictionary[Hashable, Group] = weakref.WeakValueDictionary()


class Group:
    """Subscriptions that see the same objects the same way; see the module docstring."""

    def __init__(
        self,
        key: Hashable,
        operation: OperationRequest,
        document: LiveDocument | None = None,
        store: ResumeStore | None = None,
    ):
        self.key = key
        self.document = document  # None: Strawberry renders for each subscriber
        #: the first subscriber's subscribe request: every member's is equivalent
        self.operation = operation
        self.field = operation.field
        self.model = model_label(operation.field.endpoint.model)
        self.subscribers: set[Member] = set()
        #: each subscriber's own context: its socket's credentials (re-checked when they
        #: may have ended, see :mod:`.credentials`)
        self.contexts: dict[Member, LiveContext] = {}
        self.joining = 0  # joins in progress: the hub keeps the group while there are any
        self.primed = False  # the first join's snapshot is in the state
        self.state: dict[str, str] = {}  # pk -> fingerprint of what subscribers have
        self.nodes: dict[str, Any] = {}  # pk -> node, for joiners asking for ``initial``
        self.added: dict[str, str] = {}  # pk -> rendered ADDED payload, for such joiners
        self.only_pk: str | None = None  # a detail subscription follows one object
        self.lock = asyncio.Lock()
        #: the authenticated view and compiled membership query kept between changes
        self.cache = GroupCache()
        self.store = store if store is not None else resume_store()  # not len(): O(logs)
        self.journal: Journal | None = None  # from the first snapshot on
        self.wants_cursor = False  # a subscriber selects ``cursor``: log the versions
        self.priming: joins.Priming | None = None  # the first join's snapshot is running
        self.emptied: float | None = None  # when its last subscriber left (it lingers)

    def relevant_pks(self, changed: tuple[str, ...]) -> tuple[str, ...]:
        """Of ``changed`` (the event's pks of this group's model), those it re-checks."""
        if self.field.operation is not ONE or self.only_pk is None:
            return changed  # lists: one tuple for all; a detail group: again under its lock
        return (self.only_pk,) if self.only_pk in changed else ()

    async def take_deletion(self, event: ChangeEvent, pks: tuple[str, ...]) -> tuple[str, ...]:
        """Offer a deleted object's REMOVED (no query needed); the pks left to evaluate."""
        if not self.subscribers and not self.primed:
            self.forget_state()  # a join in progress would take a stale state
            return ()
        if event["deleted"] and event["model"] == self.model:
            await self.apply({event["pk"]: None})
            return tuple(pk for pk in pks if pk != event["pk"])
        return pks

    async def resync(self) -> None:
        """Bring every subscriber to a fresh snapshot (after a channel-layer gap)."""
        async with self.lock:
            if not self.subscribers:
                self.forget_state()
                return
            try:
                current = dict(await run_sync(snapshot, self.operation))
            except GraphQLError:
                current = {}  # no longer allowed to see anything
            except Exception as exc:
                self.fail(exc)
                return
            await self.apply({pk: None for pk in self.state if pk not in current})
            await self.apply(current)

    async def join(
        self,
        subscriber: Member,
        start: Start,
        context: LiveContext,
        missed: Missed | None = None,
    ) -> None:
        """Admit ``subscriber``: :func:`.joins.join` (the GraphQL error a refused one gets)."""
        await joins.join(self, subscriber, start, context, missed)

    def concerned(self, pks: tuple[str, ...]) -> bool:
        """Whether a change of ``pks`` waits for this group's lock (False: it is being
        primed, and takes them after its snapshot, :class:`.joins.Priming`)."""
        if self.priming is None:
            return True
        self.priming.pks.update(pks)
        return False

    def models_changed(self, models: set[str]) -> None:
        """Rows of ``models`` changed: what the group kept by reading them goes."""
        if self.priming is not None:
            self.priming.models.update(models)
        self.cache.changed(models)

    def leave(self, subscriber: Member) -> None:
        self.subscribers.discard(subscriber)
        self.contexts.pop(subscriber, None)
        subscriber.stop()

    def prime(self, current: list[tuple[str, Any]], followed: str = "") -> None:
        """``current`` is the state; a detail group follows its pk (or ``followed``).

        Every user's group holds the whole state of what it sees: fingerprints and nodes
        equal to other users' groups' (issue 26: most of a socket's memory). Equal
        fingerprints are one string; the node of an object another group with the same
        rendering key (:func:`~.kept.render_key`) holds with the same fingerprint is
        that group's node object, as the changes' evaluations share them (:mod:`.batch`).
        """
        key = self.cache.render_key
        peer = _PEERS.get(key) if key else None
        for pk, node in current:
            pk, new = sys.intern(pk), sys.intern(fingerprint(node))
            if peer is not None and peer.state.get(pk) == new and pk in peer.nodes:
                new, node = peer.state[pk], peer.nodes[pk]
            self.state[pk] = new
            self.nodes[pk] = node
        if key:
            _PEERS[key] = self
        if self.field.operation is ONE:  # "": no such row, silence
            self.only_pk = current[0][0] if current else followed
        self.journal = Journal(resume_key(self.operation), live_settings.RESUME_WINDOW)
        self.primed = True

    def start_journal(self) -> None:
        """Log versions from now on (again, after the store lost some: :func:`save_journals`)."""
        if self.wants_cursor and self.journal is not None:
            self.journal.start(self.state)

    def cursor(self, since: tuple[Position, ...] | None = None) -> str:
        """The cursor of the group's state now; with ``since``, a partial one (a burst's)."""
        if self.journal is None or not self.journal.started:
            return ""  # nobody selects it
        if since is None:
            return self.journal.cursor()
        return encode([*since, self.journal.position], partial=True)

    async def save(self) -> None:
        await save_journals(self.store, [self])

    def forget_state(self) -> None:
        """Nobody holds the state any more: the next join takes a fresh snapshot."""
        if self.journal is not None and self.journal.started:
            keep_last(self.store, self.journal.log)  # resumable for a window from now
        self.journal = None
        self.wants_cursor = False
        self.cache.reset()
        self.primed = False
        self.only_pk = None
        self.state.clear()
        self.nodes.clear()
        self.added.clear()

    async def apply(self, nodes: dict[str, Any], scratch: ChangeScratch | None = None) -> None:
        """Record each object's new node and offer what changed to every subscriber."""
        scratch = scratch or ChangeScratch()
        changes = self.stage(nodes, scratch)
        if changes:
            await self.save()
            await self.deliver(changes, scratch)

    def stage(self, nodes: dict[str, Any], scratch: ChangeScratch) -> list[Change]:
        """Record each object's new node; the changes to deliver once the log is saved."""
        if self.journal is not None and not self.journal.started:
            self.start_journal()
        if len(nodes) == 1:  # the usual change: one list per distinct change, not per group
            for pk, node in nodes.items():
                return scratch.alone(self._record(pk, node, scratch))
        return [
            change
            for pk, node in nodes.items()
            if (change := self._record(pk, node, scratch)) is not None
        ]

    async def deliver(self, changes: list[Change], scratch: ChangeScratch) -> None:
        for change in changes:
            await self._fan_out(change, scratch)

    def deliver_now(self, changes: list[Change], scratch: ChangeScratch) -> bool:
        """Offer ``changes`` without suspending when their frames are rendered already.

        The first group of a change renders each frame (graphql-core may await); the
        other users' groups with the same document only look it up, so they need no
        coroutine. False: nothing was offered, :meth:`deliver` does it.
        """
        subscribers = self.subscribers
        if len(subscribers) > YIELD_EVERY or any(s.pending for s in subscribers):
            return False  # yields between sockets, or a backlog may be owed another kind
        document = self.document
        if document is not None:
            if any(scratch.rendered(document, c.kind, c) is None for c in changes):
                return False
            for change in changes:
                template = scratch.rendered(document, change.kind, change)
                assert template is not None  # looked up just above
                self._set_body(change, change.kind, template)
        for change in changes:
            for subscriber in subscribers:
                subscriber.offer(change)
        return True

    def _record(self, pk: str, node: Any, scratch: ChangeScratch) -> Change | None:
        had = pk in self.state
        self.added.pop(pk, None)
        if node is None:
            if not had:
                return None
            del self.state[pk]
            self.nodes.pop(pk, None)
            return self._change(pk, "REMOVED", None, True, self._logged(pk, None), scratch)
        new = scratch.fingerprint(node)
        if self.state.get(pk) == new:
            return None  # nothing a subscriber selected changed, or they have this version
        self.state[pk], self.nodes[pk] = new, node
        kind = "MODIFIED" if had else "ADDED"
        return self._change(pk, kind, node, had, self._logged(pk, new), scratch)

    @staticmethod
    def _change(
        pk: str, kind: str, node: Any, had: bool, cursor: str, scratch: ChangeScratch
    ) -> Change:
        if cursor:  # this group's own
            return Change(pk, kind, node, had=had, cursor=cursor)
        return scratch.change(pk, kind, node, had)

    def _logged(self, pk: str, fingerprint: str | None) -> str:
        """Log the new version (if anyone resumes); its cursor."""
        if self.journal is None:
            return ""
        self.journal.record(pk, fingerprint, self.state)
        return self.cursor()

    async def _fan_out(self, change: Change, scratch: ChangeScratch) -> None:
        subscribers = self.subscribers
        if self.document is not None:
            kinds = {change.kind}
            for subscriber in subscribers:
                if subscriber.pending:  # only a backlogged socket may be owed another kind
                    kinds.update(subscriber.kinds_needed(change))
            for kind in kinds:
                template = scratch.rendered(self.document, kind, change)
                if template is None:  # the first group of the change with this document
                    template = await scratch.render(self.document, kind, change)
                self._set_body(change, kind, template)
        if len(subscribers) == 1:  # most groups, with one user per group
            for subscriber in subscribers:
                subscriber.offer(change)
            return
        for n, subscriber in enumerate(list(subscribers), 1):
            subscriber.offer(change)
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)

    def _set_body(self, change: Change, kind: str, template: str) -> None:
        """The ``kind`` frame of ``change`` for this group (its cursor in the template's slot)."""
        change.bodies[kind] = with_cursor(template, change.cursor)
        if kind == "ADDED":  # what a joiner asking for ``initial`` will get
            self.added[change.pk] = template

    async def end_revoked(self, change: CredentialsChange, ended: set[Hashable]) -> None:
        """End the subscriptions whose credentials ended: NOT_AUTHENTICATED, then nothing.

        ``ended``: the credential keys :func:`~.credentials.ended_credentials` found
        ended, checked once for all groups. Their sockets run anonymous from then on
        (``LiveContext.revoked``), so a new subscribe on them is refused as it would be
        over HTTP.
        """
        async with self.lock:
            self._end_credentials(
                lambda context: change.concerns(context) and credentials_key(context) in ended
            )

    @property
    def authenticated(self) -> bool:
        """Whether the group's subscribers have credentials (that can end)."""
        return user_key(self.operation.context) is not None

    def end_all_credentials(self) -> None:
        """Authentication refused the group's (shared) credentials during an evaluation."""
        self._end_credentials(lambda context: True)

    def _end_credentials(self, ended: Callable[[LiveContext], bool]) -> None:
        error = LiveGraphQLError(CREDENTIALS_ENDED, NOT_AUTHENTICATED)
        for subscriber, context in list(self.contexts.items()):
            if ended(context):
                context.revoked = True
                self.subscribers.discard(subscriber)
                del self.contexts[subscriber]
                subscriber.fail(error)
        if not self.subscribers:
            self.forget_state()
        elif self.operation.context.revoked:  # evaluate as a subscriber still here
            context = next(iter(self.contexts.values()))
            self.operation = dataclasses.replace(self.operation, context=context)
            self.cache.reset()

    def fail(self, exc: Exception) -> None:
        """An evaluation failed (a database error): end this group's subscriptions only.

        Its subscribers get an INTERNAL_SERVER_ERROR and may resubscribe with
        ``initial: true``; every other group goes on.
        """
        logger.error("Live subscription %s failed; ending its group", self.field.name, exc_info=exc)
        error = to_graphql_error(exc)
        for subscriber in self.subscribers:
            subscriber.fail(error)
        self.subscribers.clear()
        self.contexts.clear()
        self.forget_state()
