"""The fast path's entrance: the gate, the schema's extensions, then the live operation.

Both transports that take the fast path (graphql-transport-ws and the HTTP streams)
admit a document exactly as Strawberry's path does (:mod:`drf_graphql_live.gate`)::

    entry = await enter(schema, query, variables, operation_name, context)
    entry.errors      # refused: QUERY_TOO_COMPLEX, invalid, or an extension's refusal
    entry.live        # a LiveOperation; None: Strawberry's path runs the document,
                      # which gets the admitted document handed over (never parsed twice)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import GraphQLError

from ..gate import admit, hand_over, run_extensions
from ..live.render import LiveOperation, live_operation

__all__ = ["Entry", "enter"]


@dataclasses.dataclass(frozen=True)
class Entry:
    """What the gate said, and the fast path's operation when the document fits it."""

    errors: list[GraphQLError]
    live: LiveOperation | None = None


async def enter(
    schema: Any, query: str, variables: Any, operation_name: str | None, context: Any
) -> Entry:
    """Admit ``query``; a :class:`LiveOperation` if it is one generated ``*Changed`` field."""
    admitted = await admit(schema, query, variables, operation_name)
    if admitted.errors or admitted.document is None:
        schema.process_errors(admitted.errors)
        return Entry(admitted.errors)
    hand_over(query, variables, admitted.document)  # for the lifecycle, whichever runs
    live = live_operation(schema, admitted.document, query, operation_name)
    if live is None:
        return Entry([])  # Strawberry's path runs it
    refused = await run_extensions(schema, query, variables, operation_name, context)
    if refused:
        schema.process_errors(refused)
    return Entry(refused, None if refused else live)
