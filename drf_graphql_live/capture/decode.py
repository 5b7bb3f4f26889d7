"""A trigger's notification -> the messages the hubs process (ChangeEvents, resyncs).

What the signal path computes in the writer (which registered objects a row's change
shows), computed here after the commit: the current state for the rows that exist,
and the old foreign keys the trigger reported for the rows that changed or went (a
comment deleted or moved changes the task it was on). One query per dependency path
per notification, so a 100,000-row statement costs a few hundred queries, not 100,000.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import models

from ..live.dependencies import LIVE, model_label
from ..live.events import resync_message, rows_event
from .tables import ForeignColumn, WatchedTable

__all__ = ["messages_for"]


def messages_for(payload: str, tables: dict[str, WatchedTable]) -> list[dict[str, Any]]:
    """The messages one notification stands for (none for a table no one watches)."""
    notification = json.loads(payload)
    table = tables.get(notification.get("t"))
    if table is None:
        return []
    op = notification.get("op")
    if op == "T" or not isinstance(notification.get("r"), list):
        roots: set[str] = set()
        for model in table.models:
            roots |= LIVE.concerned_roots(model)
        for foreign in table.foreign:
            roots |= LIVE.concerned_roots(foreign.model)
        return [resync_message(roots)] if roots else []
    rows: list[list[Any]] = notification["r"]
    pks = [str(row[0]) for row in rows]
    pointed: dict[str, set[str]] = defaultdict(set)
    if op != "I" or table.through:  # the rows they pointed at (old values) changed too
        for index, foreign in enumerate(table.foreign, start=1):
            values = {row[index] for row in rows if row[index] is not None}
            if values:
                _add(pointed, _pointed_at(foreign, values))
    messages: list[dict[str, Any]] = []
    for model in table.models:
        affects: dict[str, set[str]] = defaultdict(set)
        if op != "D":
            _add(affects, LIVE.affected_many(model, pks))
        _add(affects, pointed)
        deleted = op == "D" and LIVE.is_root(model)
        messages.append(dict(rows_event(model_label(model), pks, deleted=deleted, affects=affects)))
    return messages


def _pointed_at(foreign: ForeignColumn, values: set[Any]) -> dict[str, set[str]]:
    """What a change of the rows ``foreign`` pointed at (``values``) shows changed."""
    model: type[models.Model] = foreign.model
    if not LIVE.watches(model):
        return {}
    if foreign.target in (model._meta.pk.attname, "pk"):
        pks = [str(v) for v in values]
    else:  # a ``to_field`` foreign key: it holds another column
        found = model._base_manager.filter(**{f"{foreign.target}__in": values})
        pks = [str(pk) for pk in found.values_list("pk", flat=True)]
    affects = dict(LIVE.affected_many(model, pks))
    if LIVE.is_root(model):
        affects[model_label(model)] = set(affects.get(model_label(model), ())) | set(pks)
    return affects


def _add(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for label, pks in more.items():
        into[label] |= set(pks)
