"""Keeping full garbage collections off a busy hub's delivery path (setting ``GC_FREEZE``).

CPython's full collection scans every object of the old generation, and in a process
with many open sockets nearly all of them belong to the sockets: ~425 each (uvicorn,
Channels, Strawberry, asgiref), so 0.3-0.4 s at 1,000 sockets during which nothing is
delivered. At 1,000 subscribers and 10 changes/s that pause *is* the p99
(benchmarks/README.md, "Distinct users").

Those objects live as long as their socket. ``gc.freeze()`` takes everything alive out
of the collector's view, so the full collections that follow scan only what is newer.
What is frozen is never collected, though: cycles left by sockets that close afterwards
stay until ``gc.unfreeze()``. So :class:`Freezer` *refreezes* (unfreeze, collect,
freeze) whenever a quarter of the subscriptions frozen (at least :data:`FLOOR`) have
come or gone since, which is what CPython's own full collections wait for (a quarter
more old objects), once none has for :data:`SETTLE_SECONDS`, and only when the hub has
nothing to dispatch, so that one long pause falls where no event waits instead of
wherever the allocator happens to be.
"""

from __future__ import annotations

import gc
import logging
import time

__all__ = ["FLOOR", "SETTLE_SECONDS", "Freezer"]

logger = logging.getLogger("drf_graphql_live")

#: Subscriptions that must come or go before a refreeze: below a few hundred sockets
#: CPython's own full collections are short, and a refreeze is one of them.
FLOOR = 100
#: Seconds without a subscription coming or going before a refreeze: in a reconnect
#: storm (a deploy: every client leaves, then comes back) the count crossed a quarter
#: again and again, and each refreeze is a full collection of every socket's objects,
#: 11% of the server's time through a storm of 1,000 users, in pauses of the event loop.
SETTLE_SECONDS = 1.0


class Freezer:
    """Counts subscriptions coming and going; refreezes when enough have."""

    def __init__(self) -> None:
        self.frozen = 0  # subscriptions at the last refreeze
        self.changed = 0  # subscriptions joined or left since
        self.last = 0.0  # when the last one did (time.monotonic())

    def came_or_went(self) -> None:
        """A subscription joined (unfrozen objects) or left (frozen ones, maybe garbage)."""
        self.changed += 1
        self.last = time.monotonic()

    def due(self) -> bool:
        settled = time.monotonic() - self.last >= SETTLE_SECONDS
        return settled and self.changed >= max(self.frozen // 4, FLOOR)

    def refreeze(self, subscriptions: int) -> None:
        """Collect everything (closed sockets' cycles included), then freeze what lives."""
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.frozen, self.changed = subscriptions, 0
        logger.info(
            "GC_FREEZE: %d objects frozen at %d subscriptions (%.0f ms)",
            gc.get_freeze_count(),
            subscriptions,
            (time.perf_counter() - started) * 1000,
        )
