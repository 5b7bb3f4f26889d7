"""Event cursors: which state of which subscription log a client has applied.

    cursor = encode([Position("Yz3k...", 42)])     # "0005f2...Yz3k....42.Qm9v..."
    decode(cursor)                                 # Cursor((Position("Yz3k...", 42),), False)

A cursor names a log (:mod:`.journal`: one per subscription group and process, a random
id) and a version in it: the client has the group's state after that version. Events of
a burst (``initial``, a resume's catch-up) but the last are *partial*: the client holds
part of the way between states it had for sure and the burst's end, so a resume from
one treats every object of those states as possibly held (:func:`~.resume.missed_since`).

Cursors are opaque to clients, increase along one subscription's events (they start
with a clock stamp that never goes back in a process), and are signed with
``SECRET_KEY``: a made-up cursor, or one from another deployment, is refused before any
log is read.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
import time

from django.conf import settings

__all__ = ["Cursor", "Position", "decode", "encode", "new_log_id"]

_SIGNATURE_BYTES = 12
#: Positions a partial cursor may name (each repeated disconnect in a burst adds one).
MAX_POSITIONS = 8
_PARTIAL = "p"


@dataclasses.dataclass(frozen=True, slots=True)
class Position:
    """A version of one log."""

    log: str
    version: int


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    positions: tuple[Position, ...]
    partial: bool = False


def new_log_id() -> str:
    """A fresh, unguessable log id (URL-safe, no dots)."""
    return secrets.token_urlsafe(16)


_last_stamp = 0


def _stamp() -> str:
    """Microseconds, never the same twice nor going back in this process (sortable hex)."""
    global _last_stamp
    _last_stamp = max(time.time_ns() // 1000, _last_stamp + 1)
    return f"{_last_stamp:014x}"


def _signature(payload: str) -> str:
    key = hashlib.sha256(b"drf-graphql-live cursor" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode(positions: list[Position], *, partial: bool = False) -> str:
    parts = [_stamp(), *([_PARTIAL] if partial else [])]
    for position in positions[-MAX_POSITIONS:]:
        parts += [position.log, str(position.version)]
    payload = ".".join(parts)
    return f"{payload}.{_signature(payload)}"


def decode(cursor: str) -> Cursor | None:
    """What ``cursor`` names, or None when it is not one of ours."""
    if not isinstance(cursor, str) or len(cursor) > 120 * MAX_POSITIONS:
        return None
    payload, _, signature = cursor.rpartition(".")
    if not payload or not hmac.compare_digest(signature, _signature(payload)):
        return None
    parts = payload.split(".")[1:]  # the stamp only orders
    partial = bool(parts) and parts[0] == _PARTIAL
    parts = parts[1:] if partial else parts
    if not parts or len(parts) % 2 or not all(v.isdigit() for v in parts[1::2]):
        return None
    pairs = zip(parts[::2], parts[1::2], strict=True)
    positions = tuple(Position(log, int(version)) for log, version in pairs)
    if not partial and len(positions) != 1:
        return None
    return Cursor(positions, partial)
