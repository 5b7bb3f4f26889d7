"""Aborting a connection the ASGI server holds: the one server-specific trick, alone.

ASGI has no "abort": a close is a message the server sends after the data before it,
so a client that stops reading holds its connection open. uvicorn's ``send`` is a bound
method of its protocol object, which holds the asyncio transport; aborting that transport
drops the connection at once (tests/transport/test_websocket.py keeps this true of the
installed uvicorn). Other servers (daphne) expose nothing: there we only close::

    abort = transport_aborter(server_send)    # None when the server exposes no transport
    if abort is not None:
        abort()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["transport_aborter"]


def transport_aborter(server_send: Any) -> Callable[[], None] | None:
    """``transport.abort`` of the server connection behind ``server_send``, if reachable."""
    owner = getattr(server_send, "__self__", None)
    transport = getattr(owner, "transport", None)
    abort = getattr(transport, "abort", None)
    return abort if callable(abort) else None
