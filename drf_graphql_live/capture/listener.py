"""One ``LISTEN`` per server process: the triggers' notifications -> this process's hubs.

Every process listens on its own connection, so PostgreSQL itself does the fan-out
(one notification per process, as the channel layer's one message per process) and
no process has to be elected to republish. A thread, not the event loop: computing
what a change shows runs ORM queries, which are synchronous, and must not hold the
loop that writes to the sockets. Messages reach each hub through
``loop.call_soon_threadsafe`` in the order PostgreSQL delivered them: commit order.

A lost connection means lost notifications (PostgreSQL keeps none for a listener
that is not there): when it is back, every hub resynchronises, the path a channel-layer
gap takes.
"""

from __future__ import annotations

import asyncio
import logging
import select
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import close_old_connections, connections

from ..live.dependencies import LIVE
from .decode import messages_for
from .tables import watched_tables
from .triggers import CHANNEL

__all__ = ["Listener", "listener_for"]

logger = logging.getLogger("drf_graphql_live")

#: Seconds between two waits for notifications (how soon ``stop()`` is seen).
POLL_SECONDS = 1.0
#: What a hub waits, at most, for the first ``LISTEN`` before it serves subscribers.
READY_SECONDS = 10.0
GAP = {"type": "dgl.resync", "roots": None}  # every group of every hub

Feed = Callable[[dict[str, Any]], None]

_listeners: dict[str, Listener] = {}
_lock = threading.Lock()


def listener_for(alias: str) -> Listener:
    """The process's listener of database ``alias`` (started on first use)."""
    with _lock:
        if alias not in _listeners:
            _listeners[alias] = Listener(alias)
        return _listeners[alias]


class Listener:
    def __init__(self, alias: str) -> None:
        self.alias = alias
        self._feeds: dict[asyncio.AbstractEventLoop, Feed] = {}
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.reconnects = 0
        self._tables: tuple[frozenset, dict] = (frozenset(), {})

    def attach(self, loop: asyncio.AbstractEventLoop, feed: Feed) -> threading.Event:
        """Feed ``feed`` on ``loop`` from now on; the event is set once listening."""
        with _lock:
            self._feeds[loop] = feed
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=f"dgl-capture-{self.alias}", daemon=True
                )
                self._thread.start()
        return self._ready

    def detach(self, loop: asyncio.AbstractEventLoop) -> None:
        with _lock:
            self._feeds.pop(loop, None)

    def _send(self, message: dict[str, Any]) -> None:
        with _lock:
            feeds = list(self._feeds.items())
        for loop, feed in feeds:
            try:
                loop.call_soon_threadsafe(feed, message)
            except RuntimeError:  # that loop is closed: its hub is gone
                self.detach(loop)

    def _run(self) -> None:
        delay = 0.1
        first = True
        while True:
            with _lock:
                if not self._feeds:
                    self._thread = None
                    connections.close_all()  # this thread's ORM connections, too
                    return
            try:
                connection = self._connect()
            except Exception as exc:
                logger.warning("Capture: cannot LISTEN on %r (%s); retrying", self.alias, exc)
                threading.Event().wait(delay)
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.1
            if not first:  # what was committed while we were away is unknown
                self.reconnects += 1
                self._send(GAP)
            first = False
            self._ready.set()
            try:
                for payload in _notifications(connection):
                    if payload:  # "" is a wake-up: see whether we are still wanted
                        self._deliver(payload)
                    with _lock:  # a hub whose loop ended without closing is gone too
                        for loop in [loop for loop in self._feeds if loop.is_closed()]:
                            del self._feeds[loop]
                        if not self._feeds:
                            break
            except Exception as exc:
                logger.warning("Capture: the LISTEN connection failed (%s); reconnecting", exc)
            finally:
                try:
                    connection.close()
                except Exception:
                    pass

    def _connect(self) -> Any:
        wrapper = connections[self.alias]
        connection = wrapper.get_new_connection(wrapper.get_connection_params())
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'LISTEN "{CHANNEL}"')
        return connection

    def _deliver(self, payload: str) -> None:
        try:
            close_old_connections()
            messages = messages_for(payload, self._watched_tables())
        except Exception:
            logger.exception("Capture: could not read a change; resynchronising")
            connections[self.alias].close()
            messages = [GAP]
        for message in messages:
            self._send(message)

    def _watched_tables(self) -> dict:
        """The tables of what is watched now (gates are learnt as groups are primed)."""
        watched = frozenset(LIVE.watched_models())
        if watched != self._tables[0]:
            self._tables = (watched, watched_tables(set(watched)))
        return self._tables[1]


def _notifications(connection: Any) -> Iterator[str]:
    """Payloads as they arrive (psycopg 3, or psycopg2), waking up every POLL_SECONDS."""
    notifies = getattr(connection, "notifies", None)
    if callable(notifies):  # psycopg 3
        while True:
            got = False
            for notify in notifies(timeout=POLL_SECONDS):
                got = True
                yield notify.payload
            if not got:
                connection.execute("SELECT 1")  # a dead connection raises here
                yield ""
    else:  # psycopg2
        while True:
            if select.select([connection], [], [], POLL_SECONDS) == ([], [], []):
                connection.cursor().execute("SELECT 1")
                yield ""
                continue
            connection.poll()
            while connection.notifies:
                yield connection.notifies.pop(0).payload
