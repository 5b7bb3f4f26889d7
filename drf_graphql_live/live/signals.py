"""Model signals -> ChangeEvent on the channel layer, only after the commit.

Deferred with ``transaction.on_commit``: a rollback must never announce a row that
does not exist, and a subscriber re-reading the row must see the committed state.
What the event ``affects`` is computed *before* that, inside the writer's transaction
(for a delete: before the row and its relations are gone)::

    task.save()          # post_save -> on_commit -> group_send(CHANGES_GROUP, event)

Tables the database captures (PostgreSQL, :mod:`drf_graphql_live.capture`) are announced
by their triggers instead: the receivers skip them, so a change is announced once. The
ORM's bulk writes are announced by :mod:`drf_graphql_live.capture.orm`; raw SQL on other
databases needs :func:`publish_changes`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from ..capture.state import captured
from ..settings import live_settings
from .dependencies import LIVE, model_label
from .events import CHANGES_GROUP, make_event

__all__ = ["connect", "publish", "publish_changes"]

logger = logging.getLogger("drf_graphql_live")
_AFFECTS_ATTR = "_drf_graphql_live_affects"
_warned_no_layer = False


def publish(message: Mapping[str, Any]) -> None:
    """Send ``message`` (a ChangeEvent, or a credentials change) to every server process
    now; callers defer it to the commit."""
    layer = get_channel_layer(live_settings.CHANNEL_LAYER)
    if layer is None:
        _warn_no_layer()
        return
    try:
        async_to_sync(layer.group_send)(CHANGES_GROUP, dict(message))
    except Exception:  # the write is committed; a lost announcement must not fail it
        logger.exception("Could not publish %s to the channel layer", _describe(message))


def _describe(message: Mapping[str, Any]) -> str:
    if "model" in message:
        return f"{message['model']} pk={message.get('pk')}"
    return str(message.get("type"))


def _warn_no_layer() -> None:
    global _warned_no_layer
    if not _warned_no_layer:
        logger.warning(
            "No channel layer %r configured: changes are not published.",
            live_settings.CHANNEL_LAYER,
        )
        _warned_no_layer = True


def _announce(
    model: type[models.Model], pk: Any, *, deleted: bool, affects: dict, using: str
) -> None:
    event = make_event(model_label(model), _canonical(model, pk), deleted=deleted, affects=affects)
    transaction.on_commit(partial(publish, event), using=using)


def _canonical(model: type[models.Model], pk: Any) -> Any:
    """``pk`` as the ORM gives it back, so every event names one row by one string.

    A UUID set as 32 hex digits (``Note(id=uuid.hex)``, ``publish_changes(Note, [hex])``)
    or an integer key passed as ``"7"`` would otherwise differ from the ``str(obj.pk)``
    subscribers' state and resume logs are keyed by.
    """
    try:
        return model._meta.pk.to_python(pk)
    except Exception:  # not a value of that field: announced as given (it names no row)
        return pk


def publish_changes(
    model: type[models.Model], pks: Iterable[Any], *, deleted: bool = False, using: str = "default"
) -> None:
    """Announce changes made without signals, for the given primary keys.

    Call it after ``QuerySet.update()``, ``bulk_create()``/``bulk_update()`` or raw SQL,
    inside the same transaction (it is published on commit) or outside one (published
    at once)::

        Task.objects.filter(project=p).update(status="done")
        publish_changes(Task, Task.objects.filter(project=p).values_list("pk", flat=True))

    For rows you are about to delete in bulk, call it with ``deleted=True`` *before*
    deleting, so what they affect can still be found. A table the database captures
    (PostgreSQL) needs no call: its triggers announced the rows already, so this does
    nothing there.
    """
    if captured(model, using):
        return
    for pk in list(pks):
        _announce(model, pk, deleted=deleted, affects=LIVE.affected(model, pk), using=using)


def _concerned(sender: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a receiver has anything to do: a watched model the database does not
    capture itself (checked before any savepoint: most saves concern no subscriber)."""
    using = kwargs.get("using") or "default"
    if "pk_set" in kwargs:  # m2m_changed: ``sender`` is the through model
        concerned = LIVE.watches(type(kwargs["instance"])) or LIVE.watches(kwargs["model"])
    else:
        concerned = LIVE.watches(sender)
    return concerned and not captured(sender, using)


def _never_raises(receiver: Callable[..., None]) -> Callable[..., None]:
    """A receiver that logs its failure instead of raising into the host's save path.

    The receivers run inside the project's own ``save()``/``delete()``: an exception
    there would fail a REST ``POST`` whose row is already written, or ``migrate``.
    Losing one announcement is the lesser harm; the log says which. Inside the writer's
    transaction it runs in a savepoint: on PostgreSQL a failed query (a data migration
    saving a model whose related table that migration has not created yet) would
    otherwise abort the host's whole transaction, even though the error was caught.
    """

    @functools.wraps(receiver)
    def guarded(sender: Any, *args: Any, **kwargs: Any) -> None:
        try:
            if not _concerned(sender, kwargs):
                return
            using = kwargs.get("using") or "default"
            if transaction.get_connection(using).in_atomic_block:
                with transaction.atomic(using=using):
                    receiver(sender, *args, **kwargs)
            else:
                receiver(sender, *args, **kwargs)
        except Exception:
            logger.exception(
                "drf_graphql_live could not announce a change of %s (pk=%s); the write "
                "itself is unaffected",
                getattr(sender, "__name__", sender),
                getattr(kwargs.get("instance"), "pk", None),
            )

    return guarded


@_never_raises
def _on_save(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    using: str = "default",
    **_: Any,
) -> None:
    if raw:  # loaddata
        return
    _announce(
        sender, instance.pk, deleted=False, affects=LIVE.affected(sender, instance.pk), using=using
    )


@_never_raises
def _on_pre_delete(
    sender: type[models.Model], instance: models.Model, using: str = "default", **_: Any
) -> None:
    setattr(instance, _AFFECTS_ATTR, LIVE.affected(sender, instance.pk))


@_never_raises
def _on_post_delete(
    sender: type[models.Model], instance: models.Model, using: str = "default", **_: Any
) -> None:
    affects = getattr(instance, _AFFECTS_ATTR, {})
    _announce(sender, instance.pk, deleted=LIVE.is_root(sender), affects=affects, using=using)


@_never_raises
def _on_m2m_changed(
    sender: Any,
    instance: models.Model,
    action: str,
    model: type[models.Model],
    pk_set: set | None,
    using: str = "default",
    **_: Any,
) -> None:
    """An m2m change modifies the rows on both sides (``post_clear`` has no pk_set)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if LIVE.watches(type(instance)):
        _on_save(type(instance), instance, using=using)
    if pk_set and LIVE.watches(model):
        for pk in pk_set:
            _announce(model, pk, deleted=False, affects=LIVE.affected(model, pk), using=using)


def connect() -> None:
    """Connect the receivers for every model (called by ``AppConfig.ready``).

    For every sender, filtered by :data:`LIVE`: the registry is only known once the
    project's schema is built, which may be after this runs.
    """
    post_save.connect(_on_save, dispatch_uid="drf_graphql_live.post_save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="drf_graphql_live.pre_delete")
    post_delete.connect(_on_post_delete, dispatch_uid="drf_graphql_live.post_delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="drf_graphql_live.m2m_changed")
