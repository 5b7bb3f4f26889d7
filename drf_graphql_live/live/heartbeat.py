"""Noticing that the channel layer lost messages, so the hub can repair what it missed.

Pub/sub channel layers reconnect to Redis on their own and silently: changes published
meanwhile are gone. The hub sends itself a numbered heartbeat every
:data:`HEARTBEAT_SECONDS`; a :class:`GapDetector` says when heartbeats stop arriving
(or one never arrived) and when they are back, which is when every group is
resynchronised, so clients end up right, not stale.
"""

from __future__ import annotations

import logging
import time

__all__ = ["HEARTBEAT_MISSES", "HEARTBEAT_SECONDS", "GapDetector"]

logger = logging.getLogger("drf_graphql_live")

#: The hub messages itself this often through the channel layer ...
HEARTBEAT_SECONDS = 1.0
#: ... and declares a gap after this many unanswered heartbeats.
HEARTBEAT_MISSES = 3


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
