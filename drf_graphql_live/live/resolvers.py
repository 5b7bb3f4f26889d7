"""The generated subscription resolvers, fed by the hub.

    subscription { tasksChanged(status: "todo", initial: true) { kind id node { title } } }

subscribes to the process's :class:`~drf_graphql_live.live.hub.Hub` with the selection
under ``node`` and yields ``{kind, id, node}`` events until the client completes or the
socket closes (the ``finally`` leaves the group, so an abandoned socket leaks nothing).
This is Strawberry's path (the legacy protocol, documents the fast path does not take);
graphql-transport-ws subscriptions to one generated field take the fast path instead
(:mod:`.render`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError

from schema_gen import RootField
from schema_gen.schema import Impl

from ..api.request import LiveContext, OperationRequest
from ..api.selection import selection_tree
from .delivery import Subscriber
from .hub import Hub
from .render import split_arguments

__all__ = ["FailedEvent", "subscription_impl"]


def subscription_impl(field: RootField) -> Impl:
    """The async-iterator implementation of a ``*Changed`` field."""

    async def impl(info: Any, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        context: LiveContext = info.context
        tree = selection_tree(info.selected_fields[0].selections)
        given, start = split_arguments(arguments)
        hub = Hub.for_running_loop()
        subscriber = Subscriber(wants_cursor="cursor" in tree)
        operation = OperationRequest(field, context, given, tree.get("node", {}))
        await hub.subscribe(operation, subscriber, start)  # a refusal raises
        try:
            async for event in subscriber:
                yield event
        except GraphQLError as error:
            yield FailedEvent(error)  # a last result carrying the error, then complete
        finally:
            hub.unsubscribe(subscriber)

    return impl


class FailedEvent:
    """A result whose every field raises ``error``: the client gets it in ``errors``.

    Raising from the event stream itself would only make Strawberry log and send
    ``complete``; resolving through this object puts the coded error on the wire.
    """

    def __init__(self, error: GraphQLError) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        raise self.error
