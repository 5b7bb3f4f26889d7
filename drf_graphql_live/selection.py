"""What the client selected, as a tree of GraphQL field names.

Fragments and inline fragments are merged, aliases collapse onto their field, so a
serializer can be trimmed to exactly the fields some part of the query asks for::

    # { tasks { results { id assignee { username } ...F } } }  fragment F on Task { title }
    selection_tree(info.selected_fields[0].selections)
    # {"results": {"id": {}, "assignee": {"username": {}}, "title": {}}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from schema_gen.naming import camel

__all__ = ["SelectionTree", "prune_serializer", "selection_tree"]

SelectionTree = dict[str, "SelectionTree"]


def selection_tree(selections: Iterable[Any], tree: SelectionTree | None = None) -> SelectionTree:
    """Merge Strawberry's selections (fields, fragment spreads, inline fragments)."""
    tree = {} if tree is None else tree
    for selection in selections:
        name = getattr(selection, "name", None)
        if hasattr(selection, "alias") and name is not None:  # a SelectedField
            if not name.startswith("__"):
                selection_tree(selection.selections, tree.setdefault(name, {}))
        else:  # FragmentSpread or InlineFragment: their fields belong to this level
            selection_tree(selection.selections, tree)
    return tree


def prune_serializer(serializer: serializers.BaseSerializer, tree: SelectionTree) -> None:
    """Drop every field the client did not select, recursively, before ``.data`` runs.

    DRF computes a representation field by field, so an unselected
    SerializerMethodField or nested serializer costs nothing once removed here.
    """
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    fields = serializer.fields
    for name in list(fields):
        subtree = tree.get(camel(name))
        if subtree is None:
            del fields[name]
        elif isinstance(fields[name], serializers.BaseSerializer):
            prune_serializer(fields[name], subtree)
