"""Who shares what: the keys of subscription groups and of resume logs.

Subscriptions with equal :func:`group_key` see the same objects the same way, so they
share one group (one evaluation and one rendering per change). A resume log may be read
by a subscription with an equal :func:`resume_key`: the same field, arguments, selection
and user, whichever process and group it reaches.
"""

from __future__ import annotations

from collections.abc import Hashable

from ..api.authentication import user_key
from ..api.request import OperationRequest
from .journal import digest
from .scratch import fingerprint

__all__ = ["group_key", "resume_key"]


def group_key(operation: OperationRequest) -> tuple[Hashable, ...]:
    """Subscriptions with equal keys see the same objects the same way."""
    context = operation.context
    user = context.scope.get("user")
    scope = (getattr(user, "pk", None), tuple(sorted(context.headers.items())))
    return (
        operation.field.name,
        fingerprint(operation.arguments),
        fingerprint(operation.selection),
        scope,
    )


def resume_key(operation: OperationRequest) -> str:
    """Who may resume a group's log: the same field, arguments, selection and user.

    Stable across processes (a client may resume on another one), and never shared by
    two users, so a cursor tells nothing of what another user sees.
    """
    return digest(
        fingerprint(
            [
                operation.field.name,
                operation.arguments,
                operation.selection,
                user_key(operation.context),
            ]
        )
    )
