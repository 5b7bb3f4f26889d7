"""Subscription fields: ``postChanged(id, after)`` and ``postsChanged(<filters>, initial, after)``.

    enum ChangeKind { ADDED MODIFIED REMOVED }
    type TaskEvent { kind: ChangeKind!, id: ID!, cursor: String!, node: Task }
    type Subscription {
      taskChanged(id: ID!, after: String): TaskEvent!
      tasksChanged(status: String, ..., initial: Boolean = false, after: String): TaskEvent!
    }

Pure description, like :mod:`schema_gen.root_fields`: the runtime supplies the async
iterator behind each field. List subscriptions take the list's filter and search
arguments but not its pagination: a subscription follows the whole filtered set.
"""

from __future__ import annotations

import enum
import warnings
from typing import TYPE_CHECKING, Any

import strawberry

from .arguments import Argument
from .introspection import dotted
from .root_fields import (
    Endpoint,
    Operation,
    Planned,
    RootField,
    build_planned,
    list_arguments,
    lookup_argument,
)
from .skipped import SchemaBuildWarning

if TYPE_CHECKING:
    from .skipped import SkippedList
    from .types import Builder

__all__ = ["ChangeKind", "event_type", "subscription_fields"]


@strawberry.enum(description="How an object changed, seen from the subscriber.")
class ChangeKind(enum.Enum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    REMOVED = "REMOVED"


INITIAL = Argument(
    "initial",
    "initial",
    bool | None,
    "",
    "First send ADDED for every object currently visible, then the live changes.",
    default=False,
)
AFTER = Argument(
    "after",
    "after",
    str | None,
    "",
    "Resume after this event's cursor: first what changed since, as seen now, then the "
    "live changes (RESUME_EXPIRED when it cannot be resumed). Wins over initial.",
)


def event_type(builder: Builder, node: Any) -> type:
    """``<Type>Event { kind, id, cursor, node }``, cached per node type."""
    if node not in builder.events:
        name = f"{node.__strawberry_definition__.name}Event"
        builder.names.claim(name, dotted(node.__drf_serializer__) + " (event)")
        annotations = {
            "kind": ChangeKind,
            "id": strawberry.ID,
            "cursor": str,
            "node": node | None,
        }
        namespace = {"__annotations__": annotations, "__module__": __name__}
        builder.events[node] = strawberry.type(
            type(name, (), namespace),
            name=name,
            description=f"A change to a {name[: -len('Event')]}; node is null when REMOVED.",
        )
    return builder.events[node]


def _name(node: Any) -> str:
    return str(node.__strawberry_definition__.name)


def _one_field(endpoint: Endpoint, builder: Builder) -> RootField:
    node = builder.output_type(endpoint.serializer_class("retrieve"))
    return RootField(
        f"{endpoint.detail_name}Changed", Operation.SUBSCRIBE_ONE, endpoint,
        event_type(builder, node), (lookup_argument(endpoint), AFTER),
        f"Changes to one {_name(node)}, as its subscriber may see them.",
    )  # fmt: skip


def _list_field(endpoint: Endpoint, builder: Builder) -> RootField:
    node = builder.output_type(endpoint.serializer_class("list"))
    return RootField(
        f"{endpoint.list_name}Changed", Operation.SUBSCRIBE_LIST, endpoint,
        event_type(builder, node), (*list_arguments(endpoint), INITIAL, AFTER),
        f"Changes to the {_name(node)} objects matching the filters.",
    )  # fmt: skip


def subscription_fields(
    endpoint: Endpoint, builder: Builder, skipped: SkippedList | None = None
) -> list[RootField]:
    """The detail and list subscriptions of ``endpoint`` (only if it can list/retrieve).

    Named after the query fields they follow: ``<detail field>Changed`` (so
    ``usersDetailChanged`` where prefix == basename) and ``<list field>Changed``.
    """
    if not hasattr(endpoint.viewset, "get_queryset"):
        # A plain ViewSet: who sees a change is decided by get_queryset() and the
        # filter backends, which it does not have; its queries still answer. A note,
        # not a STRICT failure: nothing REST serves is missing.
        warnings.warn(
            f"{dotted(endpoint.viewset)} (registered as {endpoint.prefix!r}) has no "
            "subscriptions: a plain ViewSet has no get_queryset() to decide who sees a change.",
            SchemaBuildWarning,
            stacklevel=2,
        )
        return []
    planned: list[Planned] = []
    if endpoint.has_action("retrieve"):
        name = f"{endpoint.detail_name}Changed"
        planned.append((name, "retrieve", lambda: _one_field(endpoint, builder)))
    if endpoint.has_action("list"):
        name = f"{endpoint.list_name}Changed"
        planned.append((name, "list", lambda: _list_field(endpoint, builder)))
    return build_planned(endpoint, planned, skipped)
