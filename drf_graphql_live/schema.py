"""build_schema(): the public entry point, a router in, a live ``strawberry.Schema`` out.

    from drf_graphql_live import build_schema
    schema = build_schema(router)

The schema it returns knows how to run every root field through its viewset
(queries and mutations: :mod:`.api`; subscriptions: :mod:`.live`) and gives every
error an ``extensions.code``, including errors graphql-core raises before any
resolver runs (syntax, unknown fields): those are ``BAD_REQUEST``. In production
(``DEBUG`` off, or the settings ``INTROSPECTION`` / ``FIELD_SUGGESTIONS`` off) it
answers no introspection and no "Did you mean ...?", which would map the schema for
anyone probing it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import strawberry
from django.core.exceptions import ImproperlyConfigured
from graphql import GraphQLError
from rest_framework.routers import BaseRouter
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema_gen import Endpoint, RootField, generate_schema
from schema_gen.actions import ActionField
from schema_gen.schema import SUBSCRIPTIONS, Impl
from schema_gen.skipped import SchemaBuildWarning, reason_of

from .api.actions import action_impl
from .api.resolvers import query_impl
from .exceptions import BAD_REQUEST, INTERNAL_SERVER_ERROR
from .gate import GateExtension, admit, hand_over, handed_over, operation_type, refused_stream
from .installed import warn_unless_installed
from .live.dependencies import LIVE
from .live.resolvers import subscription_impl
from .registry import endpoints_from, last_built, remember
from .settings import live_settings

__all__ = ["LiveSchema", "build_schema", "last_built_schema", "run_root_field"]

#: How graphql-core appends a suggestion to a message ("... Did you mean 'title'?").
SUGGESTION = " Did you mean "


class LiveSchema(strawberry.Schema):
    """A Strawberry schema whose errors always carry ``extensions.code``."""

    async def execute(self, query: str | None, *args: Any, **kwargs: Any) -> Any:
        """One result per request: a subscription needs a WebSocket (or a stream).

        Strawberry would otherwise run ``subscription { ... }`` sent by plain HTTP POST
        and answer with a confusing null-field error; refusing it gives the client
        "subscriptions are not allowed when using POST" (HTTP 400).
        """
        names = (
            "variable_values",
            "context_value",
            "root_value",
            "operation_name",
            "allowed_operation_types",
        )
        kwargs.update(zip(names, args, strict=False))
        allowed = kwargs.get("allowed_operation_types") or DEFAULT_ALLOWED_OPERATION_TYPES
        kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        refused = await self._admit(query, kwargs)
        if refused:
            return ExecutionResult(data=None, errors=refused)
        return await super().execute(query, **kwargs)

    async def stream(self, query: str | None, *args: Any, **kwargs: Any) -> Any:
        """Strawberry's ``stream`` (subscriptions on every transport), behind the gate."""
        names = ("variable_values", "context_value", "root_value", "operation_name")
        kwargs.update(zip(names, args, strict=False))
        refused = await self._admit(query, kwargs)
        if refused:
            return refused_stream(refused)
        return await super().stream(query, **kwargs)

    async def _admit(self, query: str | None, kwargs: dict[str, Any]) -> list[GraphQLError]:
        """The gate (:mod:`.gate`): its refusals, coded; an admitted document is handed over."""
        variables = kwargs.get("variable_values")
        if not query or handed_over(query, variables) is not None:
            return []  # Strawberry's "No GraphQL query found", or admitted by the caller
        name = kwargs.get("operation_name")
        admitted = await admit(self, query, variables, name)
        allowed = kwargs.get("allowed_operation_types")
        if admitted.document is not None and allowed is not None:
            kind = operation_type(admitted.document, name)
            # Strawberry's OperationType and graphql-core's share their values.
            if kind is not None and kind.value not in {t.value for t in allowed}:
                hand_over(query, variables, admitted.document)  # Strawberry's 400 says why
                return []
        if admitted.errors:
            self.process_errors(admitted.errors)
            return admitted.errors
        if admitted.document is not None:
            hand_over(query, variables, admitted.document)
        return []

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        """The gate's seam first (:class:`~.gate.GateExtension`), then Strawberry's and
        the user's, and Strawberry's ``DisableIntrospection`` while ``INTROSPECTION`` is off.

        Strawberry asks for them per operation (HTTP and both WebSocket protocols), so
        the setting is read per operation: ``override_settings`` works, no rebuild.
        """
        extensions = [GateExtension(), *super().get_extensions(sync)]
        if not live_settings.introspection:
            extensions.append(DisableIntrospection())
        return extensions

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        if not live_settings.field_suggestions:
            # Strawberry's own switch (disable_field_suggestions) trims only unknown
            # fields; arguments, types, input fields and enum values suggest too.
            for error in errors:
                error.message = error.message.split(SUGGESTION, 1)[0]
        for error in errors:
            if not (error.extensions or {}).get("code"):
                code = BAD_REQUEST if _client_error(error) else INTERNAL_SERVER_ERROR
                error.extensions = {**(error.extensions or {}), "code": code}
        # A refusal DRF would answer with a 4xx is the client's business, not a server
        # error: only unexpected failures reach Strawberry's error log.
        unexpected = [
            e for e in errors if (e.extensions or {}).get("code") == INTERNAL_SERVER_ERROR
        ]
        super().process_errors(unexpected, execution_context)


def _client_error(error: GraphQLError) -> bool:
    """Whether the request itself is wrong: validation, or a variable of the wrong type.

    graphql-core coerces variables before any resolver runs and keeps the scalar's own
    exception (``GraphQLError`` or ``ValueError``) as ``original_error``; such an error
    has no path and graphql-core's fixed "Variable '$x' ..." wording.
    """
    if error.original_error is None:
        return True
    return error.path is None and error.message.startswith("Variable '$")


def run_root_field(field: RootField) -> Impl:
    """The ``runner`` given to :func:`schema_gen.generate_schema`: what runs each root field."""
    if field.operation in SUBSCRIPTIONS:
        return subscription_impl(field)
    if isinstance(field, ActionField):  # custom @action routes (issue 11, api/actions.py)
        return action_impl(field)
    return query_impl(field)


def build_schema(router: BaseRouter | Iterable[Any], **schema_kwargs: Any) -> strawberry.Schema:
    """The GraphQL schema of every viewset registered on ``router``.

    ``router`` may be several: ``[router_a, router_b]``, or ``{mount: router}`` with the
    URL path each is included at (:func:`~.registry.endpoints_from`).

    ``schema_kwargs`` go to ``strawberry.Schema`` (``extensions=``, ``types=``...).
    A viewset that cannot be typed is left out with a ``SchemaBuildWarning`` and listed
    in ``schema.skipped``; with ``DRF_GRAPHQL_LIVE["STRICT"]`` it is an error.
    """
    warn_unless_installed()  # issue 14A: no app, no signals and no checks to say so
    endpoints = endpoints_from(router)
    schema = generate_schema(
        endpoints,
        runner=run_root_field,
        strict=_strict(),
        schema_class=LiveSchema,
        **schema_kwargs,
    )
    built = {field.endpoint for field in schema.root_fields.values()}  # type: ignore[attr-defined]
    for endpoint in endpoints:
        if endpoint in built:
            _track(endpoint)
    remember(schema)
    return schema


def _strict() -> bool:
    """``STRICT``; off while ``DRF_GRAPHQL_LIVE`` itself is invalid (check E001 says so):
    a settings typo must not stop the URLconf, and REST with it, from importing."""
    try:
        return bool(live_settings.STRICT)
    except ImproperlyConfigured:
        return False


def _track(endpoint: Endpoint) -> None:
    """Follow ``endpoint``'s model changes; one whose dependencies cannot be read warns."""
    try:
        LIVE.add([endpoint])
    except Exception as exc:
        warnings.warn(
            f"{endpoint.viewset.__module__}.{endpoint.viewset.__qualname__} (registered as "
            f"{endpoint.prefix!r}): changes to related rows are not followed: {reason_of(exc)}",
            SchemaBuildWarning,
            stacklevel=3,
        )


def last_built_schema() -> strawberry.Schema | None:
    """The schema ``build_schema`` built last in this process (for ``export_schema``)."""
    return last_built()
