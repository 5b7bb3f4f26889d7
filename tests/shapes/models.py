"""One model per primary-key shape, all with the same fields and the same visibility rule.

A note is visible to its shelf's members, and to everyone when ``public``; it belongs to
a shelf (deleting the shelf deletes its notes: CASCADE) and may sit in a folder, linked
by the folder's ``code`` (``to_field``) and emptied when the folder goes (SET_NULL). The
folder's name is in the representation, so renaming a folder changes its notes.

Installed only by ``tests.shapes.settings``; its migration (not run_syncdb) because its
tables point at ``auth_user``, which PostgreSQL must have first.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

__all__ = [
    "SHAPES", "AutoNote", "BigNote", "CharNote", "ChildNote", "ColumnNote", "Folder",
    "ParentNote", "ProxyNote", "Shelf", "SlugNote", "UuidNote",
]  # fmt: skip


class ShapeModel(models.Model):
    """What every model here shares: a readable ``str`` in assertion messages."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} #{self.pk}"


class Shelf(ShapeModel):
    name = models.CharField(max_length=50)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True)


class Folder(ShapeModel):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=50)


class Note(ShapeModel):
    """What every shape shares."""

    class Kind(models.TextChoices):
        IDEA = "idea"
        TODO = "todo"
        DONE = "done"

    title = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IDEA)
    public = models.BooleanField(default=False)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(
        Folder, to_field="code", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        abstract = True


class AutoNote(Note):
    id = models.AutoField(primary_key=True)


class BigNote(Note):
    id = models.BigAutoField(primary_key=True)


class UuidNote(Note):
    # On SQLite a UUID is stored as 32 hex digits, on PostgreSQL as a uuid: its database
    # form is not its str().
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)


class CharNote(Note):
    code = models.CharField(primary_key=True, max_length=40)


class SlugNote(Note):
    """Addressed by ``slug`` (the viewset's ``lookup_field``), not by its pk."""

    slug = models.SlugField(unique=True)


class ColumnNote(Note):
    key = models.AutoField(primary_key=True, db_column="note_key")


class ParentNote(Note):
    """Multi-table inheritance: the child's pk is a OneToOne to this row."""


class ChildNote(ParentNote):
    extra = models.CharField(max_length=50, default="")


class ProxyNote(AutoNote):
    class Meta:
        proxy = True


#: Every shape the matrix runs over: (model, REST prefix, the key REST shows).
SHAPES: dict[str, tuple[type[models.Model], str]] = {
    "auto": (AutoNote, "autonotes"),
    "bigauto": (BigNote, "bignotes"),
    "uuid": (UuidNote, "uuidnotes"),
    "char": (CharNote, "charnotes"),
    "slug": (SlugNote, "slugnotes"),
    "db_column": (ColumnNote, "columnnotes"),
    "inherited": (ChildNote, "childnotes"),
    "proxy": (ProxyNote, "proxynotes"),
}
