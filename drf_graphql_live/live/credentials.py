"""Credentials that end, end the subscriptions opened with them, in every process.

A socket's user is loaded once, at the handshake; nothing re-reads it by itself. So the
writes that end credentials are announced like any other change, after the commit,
on the channel layer every process listens to::

    {"type": "dgl.credentials", "users": ["7"], "sessions": ["k2j..."]}

* ``user_logged_out`` (with the session key being flushed), a deleted ``Session`` row;
* a deleted DRF ``Token``;
* a saved user (deactivated, password changed: anything but a ``last_login`` update),
  a deleted user, a change of the user's Django groups or permissions (permission
  classes read them, and the live path keeps each subscriber's user between changes).

Each hub then re-checks the subscriptions of those users with the credentials they were
opened with (:func:`ended_credentials`); those that no longer authenticate end with
NOT_AUTHENTICATED and their socket runs anonymous from then on; the others are
resynchronised, so a user who lost access to rows gets REMOVED for every one of them.
Session expiry has no write to announce: the hub re-checks every
``REAUTHENTICATE_INTERVAL`` seconds as well.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model, user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ..api.authentication import still_authenticated, user_key
from ..api.request import LiveContext
from .signals import publish

__all__ = [
    "CREDENTIALS_TYPE",
    "CredentialsChange",
    "announce",
    "connect",
    "credentials_key",
    "ended_credentials",
]

#: Channels dispatches on ``type``; dots become underscores in handler names.
CREDENTIALS_TYPE = "dgl.credentials"


@dataclasses.dataclass(frozen=True)
class CredentialsChange:
    """Which subscriptions to re-check: these users' and these sessions' (None: all).

    ``share`` (index, count), with ``users=None``: only the index-th of ``count`` equal
    shares of every credential — the periodic re-check walks them a share at a time,
    so a thousand users' checks never stall the changes all at once.
    """

    users: frozenset[str] | None = None
    sessions: frozenset[str] = frozenset()
    share: tuple[int, int] | None = None

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> CredentialsChange:
        return cls(
            frozenset(map(str, message.get("users", ()))), frozenset(message.get("sessions", ()))
        )

    def concerns(self, context: LiveContext) -> bool:
        if _session_key(context) in self.sessions:
            return True
        key = user_key(context)
        if key is None or (self.users is not None and key not in self.users):
            return False
        if self.users is None and self.share is not None:
            index, count = self.share
            return hash(credentials_key(context)) % count == index
        return True


def announce(
    users: Iterable[Any] = (), sessions: Iterable[str] = (), using: str = "default"
) -> None:
    """Tell every process, after the commit, that these users' or sessions' credentials changed."""
    message = {
        "type": CREDENTIALS_TYPE,
        "users": sorted({str(pk) for pk in users}),
        "sessions": sorted(set(sessions)),
    }
    transaction.on_commit(partial(publish, message), using=using)


def credentials_key(context: LiveContext) -> Hashable:
    """Sockets with equal keys hold the same credentials (checked once for all of them)."""
    return (user_key(context), tuple(sorted(context.headers.items())), _session_key(context))


def ended_credentials(contexts: Iterable[LiveContext], change: CredentialsChange) -> set[Hashable]:
    """The credential keys among ``contexts`` that no longer authenticate (one check per key)."""
    ended: set[Hashable] = set()
    checked: set[Hashable] = set()
    for context in contexts:
        key = credentials_key(context)
        if key in checked:
            continue
        checked.add(key)
        if _session_key(context) in change.sessions or not still_authenticated(context):
            ended.add(key)
    return ended


def _session_key(context: LiveContext) -> str | None:
    session = context.scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


def _on_logout(sender: Any, request: Any = None, user: Any = None, **_: Any) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    announce(users=[user.pk] if user is not None else [], sessions=[key] if key else [])


def _on_user_saved(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **_: Any
) -> None:
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a login touches last_login only: nothing ended
    announce(users=[instance.pk])


def _on_user_deleted(sender: Any, instance: Any, **_: Any) -> None:
    announce(users=[instance.pk])


def _on_token_deleted(sender: Any, instance: Any, **_: Any) -> None:
    announce(users=[instance.user_id])


def _on_user_m2m_changed(
    sender: Any, instance: Any, action: str, model: Any, pk_set: Any = None, **_: Any
) -> None:
    """A user's groups or permissions changed (either side of the relation)."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, get_user_model()):
        announce(users=[instance.pk])
    elif pk_set:
        announce(users=pk_set)  # the group's (or permission's) side: its users


def _on_session_deleted(sender: Any, instance: Any, **_: Any) -> None:
    try:
        user = instance.get_decoded().get(SESSION_KEY)
    except Exception:  # a session that does not decode logged nobody in
        user = None
    announce(users=[user] if user else [], sessions=[instance.session_key])


def connect() -> None:
    """Connect the receivers (called by ``AppConfig.ready``)."""
    user_model = get_user_model()
    user_logged_out.connect(_on_logout, dispatch_uid="drf_graphql_live.logout")
    post_save.connect(_on_user_saved, sender=user_model, dispatch_uid="drf_graphql_live.user_saved")
    post_delete.connect(
        _on_user_deleted, sender=user_model, dispatch_uid="drf_graphql_live.user_deleted"
    )
    for relation in (user_model.groups, user_model.user_permissions):
        m2m_changed.connect(
            _on_user_m2m_changed,
            sender=relation.through,
            dispatch_uid=f"drf_graphql_live.user_m2m.{relation.through._meta.label_lower}",
        )
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        post_delete.connect(
            _on_token_deleted, sender=Token, dispatch_uid="drf_graphql_live.token_deleted"
        )
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        post_delete.connect(
            _on_session_deleted, sender=Session, dispatch_uid="drf_graphql_live.session_deleted"
        )
