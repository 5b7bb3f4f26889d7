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
    if op != "I" or table.through:  # the rows whose lists held them changed too
        for index, foreign in enumerate(table.foreign, start=1):
            values = {row[index] for row in rows if row[index] is not None}
            if values:
                _add(pointed, _holding(table, foreign, values))
    messages: list[dict[str, Any]] = []
    for model in table.models:
        affects: dict[str, set[str]] = defaultdict(set)
        if op != "D":
            _add(affects, LIVE.affected_many(model, pks))
        _add(affects, pointed)
        deleted = op == "D" and LIVE.is_root(model)
        messages.append(dict(rows_event(model_label(model), pks, deleted=deleted, affects=affects)))
    return messages


def _holding(table: WatchedTable, foreign: ForeignColumn, values: set[Any]) -> dict[str, set[str]]:
    """The roots that showed these rows through the relation ``foreign`` is the column of.

    ``foreign`` held (before an update or a delete; for a through table, ever) the key of
    the row that *lists* them: a task's comments, a note's tags. A root whose path ends
    with that list (``comments``, ``tags``, ``project__tasks``) showed the row there; no
    other root did because of this column (a task whose project is renamed hears that from
    the project's own row).
    """
    affected: dict[str, set[str]] = defaultdict(set)
    for model in _far_models(table, foreign):
        for root, path in LIVE.paths_to(model):
            prefix, _, last = path.rpartition("__")
            holder = _model_at(root, prefix)
            if holder is None or not _lists_through(holder, last, table, foreign):
                continue
            target = foreign.target if foreign.target != "pk" else holder._meta.pk.attname
            lookup = f"{prefix}__{target}__in" if prefix else f"{target}__in"
            found = root._base_manager.filter(**{lookup: values}).values_list("pk", flat=True)
            affected[model_label(root)].update(str(pk) for pk in found)
    return affected


def _far_models(table: WatchedTable, foreign: ForeignColumn) -> list[type[models.Model]]:
    """The models a path reaches *through* ``foreign``: the table's own, or for a
    through table, the model at the other end of the link."""
    if not table.through:
        return list(table.models)
    return [other.model for other in table.foreign if other is not foreign] or [foreign.model]


def _model_at(root: type[models.Model], prefix: str) -> type[models.Model] | None:
    model: Any = root
    for part in prefix.split("__") if prefix else ():
        try:
            model = model._meta.get_field(part).related_model
        except Exception:
            return None
    return model


def _lists_through(
    holder: type[models.Model], name: str, table: WatchedTable, foreign: ForeignColumn
) -> bool:
    """Whether ``holder.<name>`` is the list that ``foreign`` (a column of ``table``) links."""
    try:
        field: Any = holder._meta.get_field(name)
    except Exception:
        return False
    if field.many_to_many:
        through = field.remote_field.through if not field.auto_created else field.through
        if through is None or through._meta.db_table != table.name:
            return False
        return foreign.model is holder or issubclass(holder, foreign.model)
    if field.auto_created and (field.one_to_many or field.one_to_one):  # a reverse FK
        return field.remote_field.column == foreign.column
    return False


def _add(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for label, pks in more.items():
        into[label] |= set(pks)
