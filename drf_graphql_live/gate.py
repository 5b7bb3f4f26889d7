"""The one gate every document passes, whatever transport or path runs it.

HTTP, SSE, multipart, both WebSocket protocols, the fast path and Strawberry's path all
call :func:`admit` before any work, and it applies the limits cheapest first, nothing
parsed twice::

    1. size      document + variables <= MAX_REQUEST_BODY_SIZE         (before parsing)
    2. parse     graphql-core's parse(max_tokens=MAX_TOKENS)           (stops at the limit)
    3. variables a query's or subscription's <= MAX_VARIABLES_SIZE
    4. measure   depth, aliases, cost, search (:mod:`.limits`, one walk)
    5. validate  graphql-core's specified rules and Strawberry's own
    6. the schema's extensions (the user's ``build_schema(extensions=...)`` among them),
       through Strawberry's lifecycle: :class:`GateExtension` hands them the document

    admitted = await admit(schema, query, variables, operation_name)
    if admitted.errors: ...            # QUERY_TOO_COMPLEX with limit/max/value, or invalid

A document longer than :data:`OFF_LOOP_SIZE` is parsed and validated in a worker
thread: lexing is linear in the text (comments and whitespace are no tokens), and the
event loop must keep serving everyone else while an anonymous client sends 99 KB.
Parsed documents and passed validations are kept (bounded) by text, so a subscription
storm parses each document once.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType as StrawberryOperationType

from .limits import limit_errors, too_complex
from .settings import live_settings

__all__ = [
    "OFF_LOOP_SIZE",
    "Admitted",
    "GateExtension",
    "admit",
    "admit_sync",
    "hand_over",
    "handed_over",
    "operation_type",
    "over_token_limit",
    "refused_stream",
    "run_extensions",
]

#: Documents longer than this (characters) are parsed and validated off the event loop.
OFF_LOOP_SIZE = 2_048
#: Texts kept parsed: this many at most, each at most :data:`CACHED_TEXT_MAX` long.
CACHED_DOCUMENTS = 512
CACHED_TEXT_MAX = 16 * 1024

_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted."
#: What graphql-core's lexer counts as one token (strings whole; comments matched only to
#: be skipped), for :func:`over_token_limit`. A regular expression runs in C: counting
#: 1,001 tokens of a 99 KB document costs a tenth of parsing them.
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*+"""|"(?:\\.|[^"\\\n\r])*+"|#[^\n\r]*'
    r"|-?\d[\d.eE+-]*|[_A-Za-z]\w*|\.\.\.|[!$&():=@\[\]{|}]"
)
_ANY: Any = object()
_PARSED: OrderedDict[tuple[str, int | None], DocumentNode] = OrderedDict()
_VALID: OrderedDict[tuple[int, str], None] = OrderedDict()
#: The document :func:`admit` passed (with its text and variables' identity), for the
#: lifecycle that runs it next in this task.
_HANDED_OVER: contextvars.ContextVar[tuple[str, int, DocumentNode] | None] = contextvars.ContextVar(
    "drf_graphql_live_admitted", default=None
)


@dataclasses.dataclass(frozen=True)
class Admitted:
    """What the gate says of a document: its parse, or why it is refused."""

    document: DocumentNode | None
    errors: list[GraphQLError]


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    if len(cache) > CACHED_DOCUMENTS:
        cache.popitem(last=False)


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str).encode()) if value else 0


def size_error(query: str, variables: Mapping[str, Any] | None) -> GraphQLError | None:
    """Step 1: the document and its variables against ``MAX_REQUEST_BODY_SIZE``."""
    limit = live_settings.MAX_REQUEST_BODY_SIZE
    if limit is None:
        return None
    size = len(query) if len(query) > limit else len(query.encode())  # cheap when far over
    if size <= limit:
        size += _size(variables)
    if size > limit:
        return too_complex("MAX_REQUEST_BODY_SIZE", size, limit, "Document size")
    return None


def over_token_limit(query: str, limit: int) -> bool:
    """Whether ``query`` holds more than ``limit`` tokens, counted without parsing.

    Never more than the lexer counts (a string is one token, a comment none), so a
    document it refuses the parser would refuse too; it stops at ``limit + 1``.
    """
    count = 0
    for match in _TOKEN.finditer(query):
        if query[match.start()] != "#":
            count += 1
            if count > limit:
                return True
    return False


def parse_document(query: str) -> DocumentNode:
    """Step 2: parse with ``MAX_TOKENS``; the token refusal carries its code and numbers."""
    tokens = live_settings.MAX_TOKENS
    key = (query, tokens)
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return _PARSED[key]
    if tokens is not None and len(query) > OFF_LOOP_SIZE and over_token_limit(query, tokens):
        raise too_complex("MAX_TOKENS", tokens + 1, tokens, "Token count")
    try:
        document = parse(query, max_tokens=tokens)
    except GraphQLError as error:
        if tokens is not None and error.message.endswith(_TOKEN_LIMIT_MESSAGE):
            raise too_complex("MAX_TOKENS", tokens + 1, tokens, "Token count") from error
        raise
    if len(query) <= CACHED_TEXT_MAX:
        _remember(_PARSED, key, document)
    return document


def operation_type(document: DocumentNode, operation_name: str | None) -> OperationType | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            return definition.operation
    return None


def variables_error(
    document: DocumentNode, variables: Mapping[str, Any] | None, operation_name: str | None
) -> GraphQLError | None:
    """Step 3: a query's or subscription's variables against ``MAX_VARIABLES_SIZE``."""
    limit = live_settings.MAX_VARIABLES_SIZE
    if limit is None or not variables:
        return None
    if operation_type(document, operation_name) is OperationType.MUTATION:
        return None  # a REST body, bounded with the document by MAX_REQUEST_BODY_SIZE
    size = _size(variables)
    return (
        too_complex("MAX_VARIABLES_SIZE", size, limit, "Variables size") if size > limit else None
    )


def _validation_errors(schema: Any, document: DocumentNode, query: str) -> list[GraphQLError]:
    """Step 5: the specified rules and Strawberry's, as Strawberry validates (kept if passed)."""
    key = (id(schema), query)
    if key in _VALID:
        _VALID.move_to_end(key)
        return []
    errors = validate_document(schema._schema, document, tuple(specified_rules))
    if not errors and len(query) <= CACHED_TEXT_MAX:
        _remember(_VALID, key, None)
    return errors


def admit_sync(
    schema: Any, query: str, variables: Mapping[str, Any] | None, operation_name: str | None
) -> Admitted:
    """Steps 1 to 5, in order; the first that refuses answers."""
    error = size_error(query, variables)
    if error is not None:
        return Admitted(None, [error])
    try:
        document = parse_document(query)
    except GraphQLError as parse_error:
        return Admitted(None, [parse_error])
    error = variables_error(document, variables, operation_name)
    if error is not None:
        return Admitted(document, [error])
    refused: list[GraphQLError] = [*limit_errors(schema, document, variables)]
    return Admitted(document, refused or _validation_errors(schema, document, query))


async def admit(
    schema: Any, query: str, variables: Mapping[str, Any] | None, operation_name: str | None
) -> Admitted:
    """:func:`admit_sync`, in a worker thread for a document over :data:`OFF_LOOP_SIZE`."""
    if len(query) <= OFF_LOOP_SIZE:
        return admit_sync(schema, query, variables, operation_name)
    # Checked here first, in C: an oversized text or one over the token limit (what an
    # attacker sends) never costs a thread hop or a parse.
    error = size_error(query, None)
    tokens = live_settings.MAX_TOKENS
    if error is None and tokens is not None and over_token_limit(query, tokens):
        error = too_complex("MAX_TOKENS", tokens + 1, tokens, "Token count")
    if error is not None:
        return Admitted(None, [error])
    return await asyncio.to_thread(admit_sync, schema, query, variables, operation_name)


def hand_over(query: str, variables: Any, document: DocumentNode) -> None:
    """Give Strawberry's lifecycle, next in this task, the document :func:`admit` passed."""
    _HANDED_OVER.set((query, id(variables), document))


def handed_over(query: str | None, variables: Any = _ANY) -> DocumentNode | None:
    """The document handed over for ``query`` (and, if given, these very ``variables``)."""
    handed = _HANDED_OVER.get()
    if handed is None or handed[0] != query:
        return None
    return handed[2] if variables is _ANY or handed[1] == id(variables) else None


async def run_extensions(
    schema: Any, query: str, variables: Any, operation_name: str | None, context: Any
) -> list[GraphQLError]:
    """Step 6 for a path that executes no document through Strawberry (the fast path).

    The schema's extensions run their ``on_operation``, ``on_parse`` and
    ``on_validate`` hooks on the admitted document, as Strawberry runs them before
    execution; what they refuse (an exception, a validation rule, an error they add) is
    refused here too. Nothing runs when the schema has no extensions of its own.
    """
    if not getattr(schema, "extensions", None):
        return []
    execution_context = schema._create_execution_context(
        query=query,
        allowed_operation_types=(StrawberryOperationType.SUBSCRIPTION,),
        variable_values=variables,
        context_value=context,
        operation_name=operation_name,
    )
    extensions = schema.get_extensions()
    for extension in extensions:
        extension.execution_context = execution_context
    runner = schema.create_extensions_runner(execution_context, extensions)
    try:
        async with runner.operation():
            refused = await schema._prepare_operation_async(execution_context, runner)
    except GraphQLError as error:
        return [error]
    except Exception as error:  # an extension's refusal: Strawberry answers it the same way
        return [GraphQLError(str(error), original_error=error)]
    return list(refused.errors or ()) if refused else []


def refused_stream(errors: list[GraphQLError]) -> AsyncIterator[PreExecutionError]:
    """What Strawberry's ``stream`` yields for a document it refuses before execution."""

    async def results() -> AsyncIterator[PreExecutionError]:
        yield PreExecutionError(data=None, errors=errors)

    return results()


class GateExtension(SchemaExtension):
    """Step 6's seam: Strawberry's lifecycle gets the gate's document, parsed once.

    The schema runs :func:`admit` before Strawberry's ``execute``/``stream``; here the
    document it parsed is handed to Strawberry (no second parse), and validation runs
    only the rules the gate did not (those extensions add: ``DisableIntrospection``,
    ``AddValidationRules``). First in the schema's list, so the user's extensions see
    an admitted document.
    """

    def on_operation(self) -> Iterator[None]:
        tokens = live_settings.MAX_TOKENS  # a direct ``schema.execute`` that skipped the gate
        if tokens is not None:
            self.execution_context.parse_options["max_tokens"] = tokens
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None:
            context.graphql_document = handed_over(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            admitted = handed_over(context.query) is document
            _HANDED_OVER.set(None)  # used: a later operation in this task passes the gate
            extra = tuple(rule for rule in context.validation_rules if rule not in specified_rules)
            gated = (
                []
                if admitted
                else _validation_errors(context.schema, document, context.query or "")
            )
            more = validate(context.schema._schema, document, extra) if extra else []
            context.pre_execution_errors = [*gated, *more]
        yield
