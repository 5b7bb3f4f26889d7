"""The WebSocket fast path: a live subscription rendered once per group, as bytes.

Strawberry executes a subscription's selection and JSON-encodes the result once per
event *per subscriber*. For our generated ``*Changed`` fields the result depends only
on the document, its variables and the event, so subscribers sharing those share the
work: the hub renders a ``next`` payload once per group and event (:meth:`LiveDocument.render`)
and each socket gets it with its own operation id spliced in::

    admitted = await admit(schema, query, variables, operation_name)  # the gate (limits)
    live = live_operation(schema, admitted.document, query, operation_name)  # cached
    document = live.bind(context, variables)                        # None: let Strawberry do it
    payload = await document.render({"kind": "ADDED", "id": "7", "node": {...}})

The document reaches here admitted by :mod:`drf_graphql_live.gate` (size, tokens,
variables, depth, aliases, cost, search, validation, the schema's extensions), as on
every other path. Anything unusual (several root fields, directives, a field that is
not ours, variables that do not coerce) returns None and takes Strawberry's path.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import secrets
from collections import OrderedDict
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from graphql.execution import Executor, execute_subscription_event
from graphql.execution.values import get_argument_values
from strawberry import UNSET

from schema_gen import RootField

from ..api.selection import SelectionTree, ast_selection_tree
from ..gate import admit_sync

__all__ = [
    "CURSOR_SLOT",
    "LiveDocument",
    "LiveOperation",
    "Start",
    "live_operation",
    "prepare_live_operation",
    "split_arguments",
    "with_cursor",
]

#: Rendered in place of an event's cursor, so groups that show an object the same way
#: share one rendering and each puts its own cursor in (:func:`with_cursor`). Random per
#: process: no data can contain it by chance.
CURSOR_SLOT = f"~dgl-cursor-{secrets.token_hex(8)}~"


def with_cursor(body: str, cursor: str) -> str:
    """``body`` rendered with :data:`CURSOR_SLOT`, with ``cursor`` put in its place."""
    return body.replace(CURSOR_SLOT, cursor) if CURSOR_SLOT in body else body


_PREPARED: OrderedDict[tuple[int, str, str | None], LiveOperation | None] = OrderedDict()
_PREPARED_MAX = 512


@dataclasses.dataclass(frozen=True)
class Start:
    """How a subscription begins: ``initial`` (a snapshot first) or ``after`` (resume)."""

    initial: bool = False
    after: str | None = None


def split_arguments(raw: dict[str, Any]) -> tuple[dict[str, Any], Start]:
    """(the arguments a subscription filters by, how it starts)."""
    given = {name: value for name, value in raw.items() if value is not None and value is not UNSET}
    after = given.pop("after", None)
    return given, Start(bool(given.pop("initial", False)), after)


#: The arguments that say how a subscription starts, not what it follows.
START_ARGUMENTS = frozenset({"initial", "after"})


@dataclasses.dataclass(frozen=True)
class LiveOperation:
    """A valid subscription document whose only root field is a generated ``*Changed``."""

    schema: Any
    document: DocumentNode
    operation_name: str | None
    field: RootField
    field_node: FieldNode
    selection: SelectionTree
    source: str
    #: the document selects the event's ``cursor`` (its group then keeps a resume log)
    wants_cursor: bool = False

    def bind(self, context: Any, variables: dict[str, Any] | None) -> LiveDocument | None:
        """The operation with ``variables`` coerced, or None when they do not coerce."""
        executor = Executor.build(
            self.schema._schema,
            self.document,
            context_value=context,
            raw_variable_values=variables or {},
            operation_name=self.operation_name,
        )
        if isinstance(executor, list):
            return None
        definition = self.schema._schema.subscription_type.fields[self.field.name]
        coerced = get_argument_values(definition, self.field_node, executor.variable_values)
        python_names = {
            argument.graphql_name: argument.python_name for argument in self.field.arguments
        }
        arguments = {
            python_names[name]: value for name, value in coerced.items() if name in python_names
        }
        # How a subscription starts does not change its frames: subscribers resuming from
        # different cursors (or asking for ``initial``) still share their group's frames.
        shared = {
            name: value
            for name, value in (variables or {}).items()
            if name not in self.start_variables
        }
        key = (
            self.source,
            self.operation_name,
            json.dumps(shared, sort_keys=True, default=str),
        )
        return LiveDocument(self, executor, arguments, key)

    @functools.cached_property
    def start_variables(self) -> frozenset[str]:
        """The variables given to ``initial`` and ``after`` (not part of a group's key)."""
        return frozenset(
            argument.value.name.value
            for argument in self.field_node.arguments or ()
            if argument.name.value in START_ARGUMENTS and isinstance(argument.value, VariableNode)
        )


@dataclasses.dataclass(frozen=True)
class LiveDocument:
    """A :class:`LiveOperation` with its variables: what subscribers may share bytes on."""

    operation: LiveOperation
    executor: Any
    arguments: dict[str, Any]
    key: tuple[str, str | None, str]

    async def render(self, event: dict[str, Any]) -> str:
        """The ``next`` payload (``{"data": ...}``) for ``event``, JSON-encoded."""
        outcome = execute_subscription_event(self.executor.build_per_event_executor(event))
        result = await outcome if isawaitable(outcome) else outcome
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        return json.dumps(payload, separators=(",", ":"))


def prepare_live_operation(
    schema: Any, query: str, operation_name: str | None
) -> LiveOperation | None:
    """The gate without variables, then :func:`live_operation` (for tests and benchmarks)."""
    admitted = admit_sync(schema, query, None, operation_name)
    if admitted.errors or admitted.document is None:
        return None
    return live_operation(schema, admitted.document, query, operation_name)


def live_operation(
    schema: Any, document: DocumentNode, query: str, operation_name: str | None
) -> LiveOperation | None:
    """A :class:`LiveOperation` if the admitted ``document`` fits the fast path (cached)."""
    key = (id(schema), query, operation_name)
    if key in _PREPARED:
        _PREPARED.move_to_end(key)
        return _PREPARED[key]
    prepared = _prepare(schema, document, query, operation_name)
    _PREPARED[key] = prepared
    if len(_PREPARED) > _PREPARED_MAX:
        _PREPARED.popitem(last=False)
    return prepared


def _prepare(
    schema: Any, document: DocumentNode, query: str, operation_name: str | None
) -> LiveOperation | None:
    root_fields = getattr(schema, "root_fields", None)
    if not root_fields:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.SUBSCRIPTION:
        return None
    selections = chosen[0].selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode) or selections[0].directives:
        return None
    field = root_fields.get(selections[0].name.value)
    if field is None or chosen[0].directives:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    tree = ast_selection_tree(selections[0].selection_set, fragments)
    return LiveOperation(
        schema,
        document,
        operation_name,
        field,
        selections[0],
        tree.get("node", {}),
        query,
        wants_cursor="cursor" in tree,
    )
