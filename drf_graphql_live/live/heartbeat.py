"""Noticing that the channel layer lost messages, so the hub can repair what it missed.

Pub/sub channel layers reconnect to Redis on their own and silently: changes published
meanwhile are gone. Two signals say so, and both end in every group being resynchronised,
so clients end up right, not stale:

- :class:`ReconnectWatch`: the Redis pub/sub connection the hub listens on came back after
  a drop. This is exact (nothing is lost unless the subscription was down), and needed:
  redis-py retries a publish for seconds, so a short outage can swallow changes while every
  heartbeat, retried until after the re-subscription, still arrives.
- The hub sends itself a numbered heartbeat every :data:`HEARTBEAT_SECONDS`; a
  :class:`GapDetector` says when heartbeats stop arriving (or one never arrived) and when
  they are back. This covers layers without a connection to watch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

__all__ = ["HEARTBEAT_MISSES", "HEARTBEAT_SECONDS", "GapDetector", "ReconnectWatch"]

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
        return self._back(missed * HEARTBEAT_SECONDS)

    def reconnected(self) -> bool:
        """The subscription's connection dropped and is back: always time to resynchronise.

        Heartbeats sent before now that never arrive were lost in the same gap, which
        this resynchronisation repairs: they do not start another.
        """
        self.lost("the connection to Redis dropped")
        self.last_heard = max(self.last_heard, self.last_sent)
        return self._back(0.0)

    def _back(self, at_least: float) -> bool:
        logger.warning(
            "Channel layer back after a gap of about %.1fs: resynchronising live subscriptions",
            max(time.monotonic() - (self.since or time.monotonic()), at_least),
        )
        self.since = None
        return True


class ReconnectWatch:
    """Calls ``on_reconnect`` each time a Redis pub/sub connection of the layer reconnects.

    channels-redis' pub/sub layer leaves reconnection to redis-py, whose ``PubSub``
    re-subscribes in a connect callback and says nothing. redis-py runs a connection's
    connect callbacks (``register_connect_callback``: weak methods, the public way to
    hear of a reconnection) in the order registered, so ours, registered after the
    PubSub's, is called once the subscription is live again: whatever was published
    while it was down is gone, anything published from then on arrives.
    """

    def __init__(self, on_reconnect: Callable[[], None]) -> None:
        self._on_reconnect = on_reconnect
        self.connections: list[Any] = []

    def watch(self, layer: Any) -> int:
        """Watch the pub/sub connections ``layer`` listens on now; how many.

        0 for a layer that is not channels-redis' pub/sub layer (or a version laid
        out differently): the heartbeat is then the only signal.
        """
        for shard in getattr(layer, "_shards", ()):  # per event loop, through __getattr__
            connection: Any = getattr(getattr(shard, "_pubsub", None), "connection", None)
            if hasattr(connection, "register_connect_callback"):
                connection.register_connect_callback(self._connected)
                self.connections.append(connection)
        return len(self.connections)

    def _connected(self, connection: Any) -> None:
        self._on_reconnect()
