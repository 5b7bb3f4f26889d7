"""Event cursors: which state of which subscription log a client has applied.

    cursor = encode(Position("Yz3k...", 42))     # "Yz3k....42.Qm9v..."
    decode(cursor)                               # Position("Yz3k...", 42), or None

A cursor names a log (:mod:`.journal`: one per subscription group and process, a random
id) and a version in it: the client has the group's state after that version. Version
0 is the empty state (a client in the middle of an ``initial`` burst has no more than
that for sure). Cursors are opaque to clients and signed with ``SECRET_KEY``, so a
made-up cursor, or one from another deployment, is refused before any log is read.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets

from django.conf import settings

__all__ = ["Position", "decode", "encode", "new_log_id"]

_SIGNATURE_BYTES = 12


@dataclasses.dataclass(frozen=True, slots=True)
class Position:
    """A version of one log."""

    log: str
    version: int


def new_log_id() -> str:
    """A fresh, unguessable log id (URL-safe, no dots)."""
    return secrets.token_urlsafe(16)


def _signature(payload: str) -> str:
    key = hashlib.sha256(b"drf-graphql-live cursor" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode(position: Position) -> str:
    payload = f"{position.log}.{position.version}"
    return f"{payload}.{_signature(payload)}"


def decode(cursor: str) -> Position | None:
    """The position ``cursor`` names, or None when it is not one of ours."""
    if not isinstance(cursor, str) or len(cursor) > 200:
        return None
    log, _, rest = cursor.partition(".")
    version, _, signature = rest.partition(".")
    if not (log and version.isdigit() and signature):
        return None
    if not hmac.compare_digest(signature, _signature(f"{log}.{version}")):
        return None
    return Position(log, int(version))
