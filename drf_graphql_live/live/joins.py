"""A subscriber joining its group: the subscribe request's checks, then its first events.

The first subscriber of a group *primes* it: its snapshot (every object it sees,
rendered) becomes the group's state, and the view, membership query and rendering key
it built are kept for the group's evaluations (:mod:`.kept`). Later subscribers only run
the subscribe request's checks (:func:`~.visibility.admit`) and take that state.

While a group is primed, changes do not wait for it. A change used to take the lock of
every group it concerns before its evaluation, so during a mass subscription (a deploy:
a thousand users' groups priming at once) every change waited for the slowest snapshot
in the worker threads' queue, and every user with it. Now a priming group only notes
the changed primary keys (:class:`Priming`, :meth:`.groups.Group.concerned`) and
re-checks them once its snapshot is in; the subscriber hears what they changed as
live changes, right after its start (``initial``'s ADDED, a resume's catch-up): no
change committed after the snapshot's query is missed, and none waits for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import weakref
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from schema_gen import Operation

from ..api.request import LiveContext
from ..api.sync import run_sync
from ..exceptions import NOT_AUTHENTICATED, NOT_FOUND, LiveGraphQLError, to_graphql_error
from . import bursts
from .batch import Work, evaluate_batch
from .delivery import Member
from .journal import Missed
from .kept import keeper
from .render import Start
from .visibility import Complete, CredentialsRefused, Refused, admit, followed_pk, snapshot

__all__ = ["Priming", "join"]

ONE = Operation.SUBSCRIBE_ONE
#: Rounds of re-checks after a snapshot, at most, before changes wait for its lock again.
ROUNDS = 5


#: Subscribe checks (snapshots, admissions) in the worker threads at once, per process.
#: They are CPU-bound under one interpreter lock: more at once finish no sooner, but
#: take the lock from the change evaluations (their own thread, ``run_event_work``) and
#: the event loop's fan-outs; the rest wait on the loop, in order, for nothing but memory.
JOINS_AT_ONCE = 2
_ADMISSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _admission() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _ADMISSIONS:
        _ADMISSIONS[loop] = asyncio.Semaphore(JOINS_AT_ONCE)
    return _ADMISSIONS[loop]


@dataclasses.dataclass
class Priming:
    """What changed while a group's first snapshot ran: re-checked once it is in."""

    pks: set[str] = dataclasses.field(default_factory=set)
    models: set[str] = dataclasses.field(default_factory=set)


async def join(
    group: Any,
    subscriber: Member,
    start: Start,
    context: LiveContext,
    missed: Missed | None = None,
) -> None:
    """Admit ``subscriber`` to ``group`` (a :class:`~.groups.Group`; raises the GraphQL
    error a refused subscriber gets).

    With ``initial`` it first gets ADDED for every object it sees, in the list's
    order; with ``missed`` (what the client had at its ``after`` cursor) the changes
    from there to now (:func:`~.journal.catch_up`). Even without, the group knows
    what the client would see, which is what lets a no-op change (a login touching
    ``last_login`` of a nested user) send nothing.
    """
    try:
        await _join(group, subscriber, start, context, missed)
    except GraphQLError:
        raise
    except Exception as exc:
        # Issue 11: a failure of the project's viewset (or ours) while admitting is
        # an INTERNAL_SERVER_ERROR for the subscriber and a traceback in the log
        # (to_graphql_error logs it), never a subscription that silently hears nothing.
        raise to_graphql_error(exc) from exc


async def _join(
    group: Any, subscriber: Member, start: Start, context: LiveContext, missed: Missed | None
) -> None:
    order = None
    ordered = start.initial or missed is not None
    if group.primed:  # the subscribe request's checks, outside the lock
        order = await _admitted(group, admit, missed, ordered=ordered)
    async with group.lock:
        meanwhile: list[Any] = []
        if not group.primed:  # the first subscriber: its snapshot is the state
            order, meanwhile = await _prime(group, missed)
        elif order is None:  # another join primed the group while this one waited
            order = await _admitted(group, admit, missed, ordered=ordered)
        if subscriber.wants_cursor:
            group.wants_cursor = True
            group.start_journal()
            await group.save()  # the base goes to the store before any cursor
        if missed is not None:
            await bursts.catch_up_one(group, subscriber, missed, order)
        elif start.initial:
            await bursts.welcome(group, subscriber, order)
        subscriber.group = group
        group.subscribers.add(subscriber)
        group.contexts[subscriber] = context
        for result in meanwhile:  # what changed after the snapshot, as live changes
            await group.apply(_nodes(group, result))


async def _prime(group: Any, missed: Missed | None) -> tuple[list[str], list[Any]]:
    """The first snapshot as the state; the list's order, and the re-checks of what
    changed meanwhile (delivered once the subscriber is in, as the changes they are)."""
    group.priming = Priming()
    meanwhile = []
    try:
        keep = keeper(group.cache, group.operation)
        current = await _admitted(group, snapshot, missed, keep=keep)
        hidden = group.field.operation is ONE and not current  # resumed while hidden
        group.prime(current, await run_sync(followed_pk, group.operation) if hidden else "")
        for round_ in range(1, ROUNDS + 1):
            priming = group.priming
            # The last round takes the locks' way again: what comes then waits for it.
            group.priming = Priming() if round_ < ROUNDS else None
            group.cache.changed(priming.models)  # kept by the snapshot before them, maybe
            if pks := group.relevant_pks(tuple(priming.pks)):
                meanwhile += await run_sync(evaluate_batch, Work([group], [pks]))
                if isinstance(meanwhile[-1], CredentialsRefused):
                    raise LiveGraphQLError(str(meanwhile[-1]), NOT_AUTHENTICATED)
                if isinstance(meanwhile[-1], Exception) and not isinstance(meanwhile[-1], Refused):
                    raise meanwhile[-1]
            if group.priming is None or not (group.priming.pks or group.priming.models):
                break
    finally:
        group.priming = None  # later changes take the lock, as for any group
    return [pk for pk, _ in current], meanwhile


def _nodes(group: Any, result: dict[str, Any] | Exception) -> dict[str, Any]:
    """``{pk: node or None}`` to apply for a re-check's ``result`` (as :mod:`.dispatch`)."""
    if isinstance(result, Refused):  # no access now: nothing of what it had
        return dict.fromkeys(group.state)
    if isinstance(result, Complete):  # a slice: what it holds now is all it sees
        group.cache.whole = True
        return {**dict.fromkeys(group.state), **result}
    assert not isinstance(result, Exception)  # raised by _prime
    return result


async def _admitted(group: Any, check: Callable[..., Any], missed: Missed | None, **kw: Any) -> Any:
    """``check`` (the subscribe request's checks) in the worker thread.

    Resuming one object that is gone meanwhile (deleted, or out of the subscriber's
    queryset) is not NOT_FOUND: the client had it, so it hears REMOVED (the empty
    result here) and stays subscribed, as it would have live.
    """
    try:
        async with _admission():
            return await run_sync(check, group.operation, **kw)
    except GraphQLError as error:
        code = (error.extensions or {}).get("code")
        if missed is None or code != NOT_FOUND or group.field.operation is not ONE:
            raise
        return []
