"""One change, every group it concerns: one evaluation hop, one log write, the fan-outs.

The hub finds the groups a change event concerns (:func:`targets`) and calls
:func:`process`. At a thousand users' groups per change, what is made *per group* here
is what the garbage collector's old generation fills with (a change outlives several
young collections while the worker thread evaluates it), so groups and their primary
keys travel in parallel lists, and the keys, result dicts and change lists are shared
by the groups they are equal for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..api.sync import run_event_work
from .batch import Work, evaluate_batch
from .delivery import Change
from .events import ChangeEvent
from .groups import Group
from .resume import save_journals
from .scratch import ChangeScratch
from .visibility import Complete, CredentialsRefused, Refused

__all__ = ["Targets", "process", "targets"]

logger = logging.getLogger("drf_graphql_live")


#: The groups a change concerns and, at the same index, the pks each re-checks.
Targets = Work[Group]


def targets(event: ChangeEvent, groups: Iterable[Group]) -> Targets:
    """The groups ``event`` concerns: those of a model it changed or shows changed."""
    changed: dict[str, tuple[str, ...]] = {}  # per model, one tuple for all its groups
    found = Targets()
    for group in groups:
        model = group.model
        if model not in changed:
            shown = dict.fromkeys(event["affects"].get(model, ()))
            if event["model"] == model:
                shown[event["pk"]] = None
            changed[model] = tuple(shown)
        # A group being primed takes them after its snapshot: a change never waits for one.
        if (pks := group.relevant_pks(changed[model])) and group.concerned(pks):
            found.add(group, pks)
    return found


async def process(event: ChangeEvent, concerned: Targets) -> None:
    """Bring every group ``event`` concerns up to date: one thread hop for all of them.

    The worker thread decides visibility for all the groups at once (:mod:`.batch`);
    then each group's fan-out runs on the loop, sharing fingerprints and frames with the
    groups that got the same nodes (:class:`ChangeScratch`). Each group's lock is held
    from before its evaluation to the end of its fan-out, then released (a join to it
    need not wait for the other groups). The locks are taken in one order and no other
    task holds more than one, so this cannot deadlock. A group whose evaluation fails
    ends its own subscriptions; the others go on.
    """
    held: set[Group] = set()

    def release(group: Group) -> None:
        held.discard(group)
        group.lock.release()

    try:
        for group in concerned.groups:
            await group.lock.acquire()
            held.add(group)
        work = Targets()
        for group, pks in zip(concerned.groups, concerned.pks, strict=True):
            if event["deleted"] or not group.primed:  # the rare cases, per group
                left = await group.take_deletion(event, pks)
                # A slice is evaluated whole: a row enters it as the deleted one leaves.
                pks = pks if group.cache.whole and group.primed else left
            # A detail group primed while this waited for its lock follows one object
            # now: the others of the change (a category's other rows) are not its.
            pks = group.relevant_pks(pks)
            if pks:
                work.add(group, pks)
            else:
                release(group)
        if not work:
            return
        try:
            results: list[Any] = await run_event_work(evaluate_batch, work)
        except Exception as exc:  # the hop itself failed: every group of it fails
            results = [exc] * len(work)
        scratch = ChangeScratch()  # one fingerprint and one rendering per shared node
        staged: list[list[Change]] = []  # at each group's index in ``work``
        for group, result in zip(work.groups, results, strict=True):
            try:
                staged.append(_staged(group, result, scratch))
            except Exception:  # a bug in one group must not stop the others
                logger.exception("Live subscription group %s failed", group.field.name)
                staged.append(scratch.alone(None))
                release(group)
        # The resume logs of every group, in one round trip, before any event goes out.
        await save_journals(
            work.groups[0].store,
            [group for group, changes in zip(work.groups, staged, strict=True) if changes],
        )
        for group, changes in zip(work.groups, staged, strict=True):
            if group not in held:  # its staging failed
                continue
            if not changes:
                release(group)
                continue
            try:
                if not group.deliver_now(changes, scratch):
                    await group.deliver(changes, scratch)
            except Exception:  # a bug in one group must not stop the others
                logger.exception("Live subscription group %s failed", group.field.name)
            finally:
                release(group)
    finally:
        for group in held:
            group.lock.release()


def _staged(group: Group, result: Any, scratch: ChangeScratch) -> list[Change]:
    """What ``group`` delivers for its evaluation ``result`` (an exception: its outcome)."""
    if isinstance(result, CredentialsRefused) and group.authenticated:
        group.end_all_credentials()
        return []
    if isinstance(result, Refused):  # no access now: nothing of what it had
        return group.stage(dict.fromkeys(list(group.state)), scratch)
    if isinstance(result, Exception):
        group.fail(result)
        return []
    if isinstance(result, Complete):  # all it sees now (a slice): the rest it had is gone
        group.cache.whole = True
        result = {**dict.fromkeys(group.state), **result}
    if scratch.sees_nothing(result) and group.state.keys().isdisjoint(result):
        return scratch.alone(None)  # it sees none of them and had none: nothing to record
    return group.stage(result, scratch)
