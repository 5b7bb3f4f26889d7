"""generate_schema(): endpoints in, a ``strawberry.Schema`` out.

The generator decides every name, type and argument; the *runtime* decides what runs.
It passes ``runner``, which turns each :class:`~schema_gen.root_fields.RootField` into an
async ``impl(info, arguments) -> result``::

    schema = generate_schema(endpoints, runner=lambda field: run_through_viewset(field))

Generated object types resolve fields straight from DRF's representation dict
(:func:`dict_resolver`), so a field costs a dict lookup, not a resolver call.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Annotated, Any, cast

import strawberry
from django.core.exceptions import ImproperlyConfigured
from strawberry.schema.config import StrawberryConfig

from .object_types import TypeBuilder
from .root_fields import Endpoint, Operation, RootField, root_fields
from .subscriptions import subscription_fields
from .types import async_generator_of

__all__ = ["Runner", "dict_resolver", "generate_schema", "make_resolver"]

#: Awaitable for queries and mutations, an async iterator for subscriptions.
Impl = Callable[[strawberry.Info, dict[str, Any]], Awaitable[Any] | AsyncIterator[Any]]
Runner = Callable[[RootField], Impl]

MUTATIONS = frozenset({Operation.CREATE, Operation.UPDATE, Operation.DESTROY})
SUBSCRIPTIONS = frozenset({Operation.SUBSCRIBE_ONE, Operation.SUBSCRIBE_LIST})
QUERIES = frozenset({Operation.LIST, Operation.RETRIEVE})


def dict_resolver(root: Any, name: str) -> Any:
    """Strawberry's default resolver, for DRF's representation dicts as well as objects."""
    if isinstance(root, Mapping):
        return root.get(name)
    return getattr(root, name)


def make_resolver(field: RootField, impl: Impl) -> Callable[..., Any]:
    """An async resolver (an async generator for subscriptions) declaring ``field``'s arguments."""
    if field.operation in SUBSCRIPTIONS:

        async def resolver(info: strawberry.Info, **arguments: Any) -> Any:
            async for event in cast(AsyncIterator[Any], impl(info, arguments)):
                yield event

        return_type: Any = async_generator_of(field.return_type)
    else:

        async def resolver(info: strawberry.Info, **arguments: Any) -> Any:  # type: ignore[misc]
            return await cast(Awaitable[Any], impl(info, arguments))

        return_type = field.return_type

    parameters = [
        inspect.Parameter(
            "info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=strawberry.Info
        )
    ]
    for argument in field.arguments:
        optional = _is_optional(argument.annotation)
        default = argument.default if optional else inspect.Parameter.empty
        parameters.append(
            inspect.Parameter(
                argument.python_name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    argument.annotation,
                    strawberry.argument(
                        name=argument.graphql_name, description=argument.description
                    ),
                ],
                default=default,
            )
        )
    resolver.__signature__ = inspect.Signature(parameters, return_annotation=return_type)  # type: ignore[attr-defined]
    resolver.__name__ = field.name
    return resolver


def _is_optional(annotation: Any) -> bool:
    return type(None) in getattr(annotation, "__args__", ())


def _root_type(name: str, fields: list[RootField], runner: Runner) -> type | None:
    if not fields:
        return None
    namespace = {
        f"f_{field.name}": (
            strawberry.subscription if field.operation in SUBSCRIPTIONS else strawberry.field
        )(
            resolver=make_resolver(field, runner(field)),
            name=field.name,
            description=field.description,
        )
        for field in fields
    }
    return strawberry.type(type(name, (), namespace), name=name)


def generate_schema(
    endpoints: Iterable[Endpoint],
    runner: Runner,
    *,
    schema_class: type[strawberry.Schema] = strawberry.Schema,
    **schema_kwargs: Any,
) -> strawberry.Schema:
    """Build the schema: Query, Mutation and Subscription root types."""
    endpoints = list(endpoints)
    if not endpoints:
        raise ImproperlyConfigured(
            "build_schema() got no registered viewsets: register at least one."
        )
    builder = TypeBuilder()
    fields = [
        field
        for endpoint in endpoints
        for field in (*root_fields(endpoint, builder), *subscription_fields(endpoint, builder))
    ]
    _check_unique_roots(fields)
    query = _root_type("Query", [f for f in fields if f.operation in QUERIES], runner)
    if query is None:
        raise ImproperlyConfigured("No registered viewset has a list or retrieve action.")
    schema = schema_class(
        query=query,
        mutation=_root_type("Mutation", [f for f in fields if f.operation in MUTATIONS], runner),
        subscription=_root_type(
            "Subscription", [f for f in fields if f.operation in SUBSCRIPTIONS], runner
        ),
        config=StrawberryConfig(default_resolver=dict_resolver),
        **schema_kwargs,
    )
    #: Every generated root field by GraphQL name, for runtimes that look operations up.
    schema.root_fields = {field.name: field for field in fields}  # type: ignore[attr-defined]
    return schema


def _check_unique_roots(fields: list[RootField]) -> None:
    seen: dict[str, RootField] = {}
    for field in fields:
        other = seen.setdefault(field.name, field)
        if other is not field:
            raise ImproperlyConfigured(
                f"Two registrations generate the root field {field.name!r}: prefix "
                f"{other.endpoint.prefix!r} ({other.endpoint.viewset.__name__}) and prefix "
                f"{field.endpoint.prefix!r} ({field.endpoint.viewset.__name__}). Give one a "
                "different prefix or basename."
            )
