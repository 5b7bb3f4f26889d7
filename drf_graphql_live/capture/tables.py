"""Which database tables carry the watched rows, and what a trigger must report of them.

A watched model's rows may live in several tables (multi-table inheritance: the parent
table holds the inherited columns), one table may hold several watched models (a proxy
shares its concrete model's table), and a many-to-many relation lives in its through
table. Pure model metadata: no query, no connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

__all__ = ["ForeignColumn", "WatchedTable", "watched_tables"]


@dataclass(frozen=True)
class ForeignColumn:
    """A foreign-key column of the table: its old value names the row it pointed at."""

    column: str
    model: type[models.Model]  # the model it points to
    target: str  # the attribute of that model it holds (the pk, or a ``to_field``)


@dataclass
class WatchedTable:
    """One table, the watched models whose rows it holds, the columns a trigger sends."""

    name: str
    pk_column: str
    models: list[type[models.Model]] = field(default_factory=list)
    foreign: list[ForeignColumn] = field(default_factory=list)
    #: a many-to-many through table of no model of its own: its rows link two others
    through: bool = False

    @property
    def columns(self) -> list[str]:
        """What the trigger reports per row: the key, then the foreign keys."""
        return [self.pk_column, *(f.column for f in self.foreign)]


def watched_tables(watched: set[type[models.Model]]) -> dict[str, WatchedTable]:
    """The tables of ``watched`` models (and their m2m through tables), by name."""
    tables: dict[str, WatchedTable] = {}
    for model in sorted(watched, key=lambda m: m._meta.label_lower):
        if model._meta.abstract:
            continue
        concrete = model._meta.concrete_model or model
        for owner in (concrete, *concrete._meta.get_parent_list()):
            table = _table(tables, owner)
            if model not in table.models:
                table.models.append(model)
        for m2m in concrete._meta.many_to_many:
            through = m2m.remote_field.through
            if through is not None and through._meta.auto_created:
                table = _table(tables, through)
                table.through = True
                if through not in table.models:  # events name it: a gate may be keyed by it
                    table.models.append(through)
    return tables


def _table(tables: dict[str, WatchedTable], owner: type[models.Model]) -> WatchedTable:
    name = owner._meta.db_table
    if name not in tables:
        tables[name] = WatchedTable(
            name=name, pk_column=str(owner._meta.pk.column), foreign=_foreign_columns(owner)
        )
    return tables[name]


def _foreign_columns(owner: type[models.Model]) -> list[ForeignColumn]:
    found = []
    for f in owner._meta.local_fields:
        if f.primary_key:  # a parent link (multi-table inheritance): the key itself
            continue
        if isinstance(f, models.ForeignKey) and f.related_model is not None:
            target = f.target_field.attname if f.target_field is not None else "pk"
            found.append(ForeignColumn(f.column, f.related_model, target))
    return found
