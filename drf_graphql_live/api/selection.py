"""What the client selected, as a tree of GraphQL field names.

Fragments and inline fragments are merged, aliases collapse onto their field, so a
serializer can be trimmed to exactly the fields some part of the query asks for::

    # { tasks { results { id assignee { username } ...F } } }  fragment F on Task { title }
    selection_tree(info.selected_fields[0].selections)
    # {"results": {"id": {}, "assignee": {"username": {}}, "title": {}}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from rest_framework import serializers

from schema_gen.introspection import serializer_fields
from schema_gen.naming import camel

__all__ = ["SelectionTree", "ast_selection_tree", "prune_serializer", "selection_tree"]

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
    fields = serializer_fields(serializer)
    for name in list(fields):
        subtree = tree.get(camel(name))
        field = fields[name]
        if subtree is None:
            del fields[name]
        elif _nested(field):
            prune_serializer(cast(serializers.BaseSerializer, field), subtree)


def _nested(field: Any) -> bool:
    """A nested serializer, of a ``ListSerializer`` too, but not ``ListSerializer(child=
    CharField())``: a list of plain values has no fields to prune."""
    if isinstance(field, serializers.ListSerializer):
        return isinstance(field.child, serializers.BaseSerializer)
    return isinstance(field, serializers.BaseSerializer)


def ast_selection_tree(
    selection_set: Any, fragments: dict[str, Any], tree: SelectionTree | None = None
) -> SelectionTree:
    """:func:`selection_tree` from graphql-core's AST (the WebSocket fast path's input)."""
    tree = {} if tree is None else tree
    for node in getattr(selection_set, "selections", None) or ():
        if isinstance(node, FieldNode):
            if not node.name.value.startswith("__"):
                ast_selection_tree(
                    node.selection_set, fragments, tree.setdefault(node.name.value, {})
                )
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                ast_selection_tree(fragment.selection_set, fragments, tree)
        elif isinstance(node, InlineFragmentNode):
            ast_selection_tree(node.selection_set, fragments, tree)
    return tree
