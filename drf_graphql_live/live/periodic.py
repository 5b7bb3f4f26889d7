"""The hub's periodic tasks: what no write announces, so the hub goes looking for it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..settings import live_settings
from .credentials import CredentialsChange

__all__ = ["keep_logs", "reauthenticate"]

logger = logging.getLogger("drf_graphql_live")


async def reauthenticate(events: asyncio.Queue[Any]) -> None:
    """Re-check every subscription's credentials now and then: sessions expire with
    no write to announce it.

    Each credential once per ``REAUTHENTICATE_INTERVAL``, a share of them every
    second (:attr:`CredentialsChange.share`): at 1,000 users, checking them all at
    once held the worker thread and the GIL long enough to delay a second's
    changes by a second.
    """
    turn = 0
    while True:
        interval = live_settings.REAUTHENTICATE_INTERVAL
        shares = max(1, int(interval))
        await asyncio.sleep(interval / shares)
        turn = (turn + 1) % shares
        events.put_nowait(CredentialsChange(users=None, share=(turn, shares)))


async def keep_logs(hub: Any) -> None:
    """Keep the resume logs of the hub's live groups from expiring while nothing changes."""
    while True:
        await asyncio.sleep(live_settings.RESUME_WINDOW / 4)
        logs = [
            group.journal.log
            for group in hub.groups.values()
            if group.journal is not None and group.journal.started
        ]
        if logs and hub.store is not None:
            try:
                await hub.store.keep(logs)
            except Exception:  # the store is down: a resume may find the log expired
                logger.warning("Keeping resume logs alive failed", exc_info=True)
