"""One change, every group it concerns: one evaluation hop, one log write, the fan-outs.

The hub calls :func:`process` for each change event with the groups it concerns and the
primary keys each should re-check (:meth:`~.groups.Group.relevant_pks`).
"""

from __future__ import annotations

import logging
from typing import Any

from ..api.sync import run_sync
from .batch import evaluate_batch
from .delivery import Change
from .events import ChangeEvent
from .groups import Group
from .resume import save_journals
from .scratch import ChangeScratch
from .visibility import CredentialsRefused, Refused

__all__ = ["process"]

logger = logging.getLogger("drf_graphql_live")


async def process(event: ChangeEvent, targets: list[tuple[Group, list[str]]]) -> None:
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
        for group, _pks in targets:
            await group.lock.acquire()
            held.add(group)
        work = []
        for group, pks in targets:
            if event["deleted"] or not group.subscribers:  # the rare cases, per group
                pks = await group.take_deletion(event, pks)
            if pks:
                work.append((group, pks))
            else:
                release(group)
        if not work:
            return
        try:
            results: list[Any] = await run_sync(
                evaluate_batch, [(group.operation, group.cache, pks) for group, pks in work]
            )
        except Exception as exc:  # the hop itself failed: every group of it fails
            results = [exc] * len(work)
        scratch = ChangeScratch()  # one fingerprint and one rendering per shared node
        staged: list[tuple[Group, list[Change]]] = []
        for (group, _pks), result in zip(work, results, strict=True):
            try:
                staged.append((group, _staged(group, result, scratch)))
            except Exception:  # a bug in one group must not stop the others
                logger.exception("Live subscription group %s failed", group.field.name)
                release(group)
        # The resume logs of every group, in one round trip, before any event goes out.
        await save_journals(work[0][0].store, [group for group, changes in staged if changes])
        for group, changes in staged:
            if not changes:
                release(group)
                continue
            try:
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
    if all(node is None for node in result.values()) and group.state.keys().isdisjoint(result):
        return []  # it sees none of them and had none: nothing to record
    return group.stage(result, scratch)
