"""generate_schema(): endpoints in, a ``strawberry.Schema`` out.

The generator decides every name, type and argument; the *runtime* decides what runs.
It passes ``runner``, which turns each :class:`~schema_gen.root_fields.RootField` into an
async ``impl(info, arguments) -> result``::

    schema = generate_schema(endpoints, runner=lambda field: run_through_viewset(field))

Generated object types resolve fields straight from DRF's representation dict
(:func:`dict_resolver`), so a field costs a dict lookup, not a resolver call.

One viewset never takes the others down: what cannot be typed (while its fields are
built, or when Strawberry rejects the assembled schema) is left out and listed in
``schema.skipped``, each with a :class:`~schema_gen.skipped.SchemaBuildWarning`;
``strict=True`` raises them all at once instead. A registration REST serves only
writes for (``CreateModelMixin`` alone, ``@action`` POSTs) builds too: GraphQL requires
a Query type, so its Query is a placeholder (``_empty: Boolean``).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Annotated, Any, cast

import strawberry
from django.core.exceptions import ImproperlyConfigured
from strawberry.schema.config import StrawberryConfig
from strawberry.types.fields.resolver import StrawberryResolver

from .actions import action_fields
from .enums import tolerate_unknown_values
from .object_types import TypeBuilder
from .root_fields import Endpoint, Operation, RootField, root_fields
from .skipped import SkippedList, reason_of
from .subscriptions import subscription_fields
from .types import async_generator_of

__all__ = ["Runner", "dict_resolver", "generate_schema", "make_resolver"]

#: Awaitable for queries and mutations, an async iterator for subscriptions.
Impl = Callable[[strawberry.Info, dict[str, Any]], Awaitable[Any] | AsyncIterator[Any]]
Runner = Callable[[RootField], Impl]

MUTATIONS = frozenset(
    {Operation.CREATE, Operation.UPDATE, Operation.DESTROY, Operation.ACTION_MUTATION}
)
SUBSCRIPTIONS = frozenset({Operation.SUBSCRIBE_ONE, Operation.SUBSCRIBE_LIST})
QUERIES = frozenset({Operation.LIST, Operation.RETRIEVE, Operation.ACTION_QUERY})


def dict_resolver(root: Any, name: str) -> Any:
    """Strawberry's default resolver, for DRF's representation dicts as well as objects.

    A list or a scalar where the type wants an object (a method field declared one
    serializer that returns a list) is an error for that field, saying so.
    """
    if isinstance(root, Mapping):
        return root.get(name)
    if isinstance(root, list | tuple | str | int | float):
        raise TypeError(
            f"The representation holds a {type(root).__name__} where its type wants an "
            "object: the field's declared type and its value disagree."
        )
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


def _root_type(
    name: str, fields: list[RootField], runner: Runner, probing: bool = False
) -> type | None:
    if not fields:
        return None
    namespace = {
        f"f_{field.name}": (
            strawberry.subscription if field.operation in SUBSCRIPTIONS else strawberry.field
        )(
            resolver=_probe_resolver(field) if probing else make_resolver(field, runner(field)),
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
    strict: bool = False,
    schema_class: type[strawberry.Schema] = strawberry.Schema,
    **schema_kwargs: Any,
) -> strawberry.Schema:
    """Build the schema: Query, Mutation and Subscription root types.

    ``schema.skipped`` lists what was left out (:class:`~schema_gen.skipped.Skipped`);
    with ``strict`` any such omission raises ``ImproperlyConfigured`` instead.
    """
    endpoints = list(endpoints)
    if not endpoints:
        raise ImproperlyConfigured(
            "build_schema() got no registered viewsets: register at least one."
        )
    builder = TypeBuilder()
    skipped = SkippedList()
    fields = [field for endpoint in endpoints for field in _fields(endpoint, builder, skipped)]
    fields = _unique_roots(fields, skipped)

    def assemble(fields: list[RootField]) -> strawberry.Schema:
        return _assemble(fields, runner, schema_class, schema_kwargs)

    try:
        schema = assemble(fields)
    except Exception as exc:
        if skipped and not any(f.operation in QUERIES for f in fields):
            raise skipped.error(f"{exc} Left out:") from exc
        probed = fields
        try:
            fields = _bisected(_by_endpoint(fields), skipped, exc)
            try:
                schema = assemble(fields)
            except Exception as again:  # accepted apart, refused together
                fields = _together(fields, skipped, again)
                schema = assemble(fields)
        finally:
            for field in probed:
                _PROBED.pop(id(field), None)
    tolerate_unknown_values(schema)  # a stored value outside today's choices (issue 11)
    skipped.report(strict=strict)
    #: Every generated root field by GraphQL name, for runtimes that look operations up.
    schema.root_fields = {field.name: field for field in fields}  # type: ignore[attr-defined]
    #: What could not be typed and was left out, with why.
    schema.skipped = tuple(skipped)  # type: ignore[attr-defined]
    return schema


def _fields(endpoint: Endpoint, builder: TypeBuilder, skipped: SkippedList) -> list[RootField]:
    """Every root field of ``endpoint`` that can be built; the others recorded."""
    since = len(skipped)
    fields = skipped.attempt(
        endpoint,
        None,
        lambda: [
            *root_fields(endpoint, builder, skipped),
            *action_fields(endpoint, builder, skipped),  # custom @action routes (issue 11)
            *subscription_fields(endpoint, builder, skipped),
        ],
    )
    if not fields and len(skipped) > since + 1:
        skipped.merge_viewset(endpoint, since)
    return fields or []


def _assemble(
    fields: list[RootField],
    runner: Runner,
    schema_class: type[strawberry.Schema],
    schema_kwargs: dict[str, Any],
) -> strawberry.Schema:
    if not fields:
        raise ImproperlyConfigured(
            "No registered viewset has a list or retrieve action, nor any other root field."
        )
    query = _root_type("Query", [f for f in fields if f.operation in QUERIES], runner)
    return schema_class(
        query=query or _PlaceholderQuery,
        mutation=_root_type("Mutation", [f for f in fields if f.operation in MUTATIONS], runner),
        subscription=_root_type(
            "Subscription", [f for f in fields if f.operation in SUBSCRIPTIONS], runner
        ),
        config=StrawberryConfig(default_resolver=dict_resolver),
        **schema_kwargs,
    )


@strawberry.type(
    name="Query",
    description="No registered viewset has a list or retrieve action: the API is in Mutation.",
)
class _PlaceholderQuery:
    """GraphQL requires a Query type; REST serves write-only viewsets (create, actions)."""

    @strawberry.field(
        name="_empty", description="Always null: a placeholder, as GraphQL needs one field."
    )
    def empty(self) -> bool | None:
        return None


def _unique_roots(fields: list[RootField], skipped: SkippedList) -> list[RootField]:
    """The first field of each name; later ones (case-only variants too) are left out."""
    seen: dict[str, RootField] = {}
    unique: list[RootField] = []
    for field in fields:
        other = seen.setdefault(field.name.lower(), field)
        if other is field:
            unique.append(field)
            continue
        names = (
            f"the same root field {field.name!r}"
            if other.name == field.name
            else f"root fields differing only in case, {other.name!r} and {field.name!r}"
        )
        skipped.add(
            field.endpoint,
            field.name,
            f"prefix {other.endpoint.prefix!r} ({other.endpoint.viewset.__name__}) and prefix "
            f"{field.endpoint.prefix!r} ({field.endpoint.viewset.__name__}) generate {names}. "
            "Give one a different prefix or basename.",
        )
    return unique


# --------------------------------------------------- what Strawberry rejects, isolated


def _probe_runner(field: RootField) -> Impl:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> None:
        return None

    return impl


def _bisected(
    groups: list[list[RootField]], skipped: SkippedList, refused: Exception | None = None
) -> list[RootField]:
    """The fields of ``groups`` (a registration's each) that Strawberry accepts, found
    once the whole schema was refused (``refused``: why, when known).

    Bisected: a half Strawberry accepts is kept in one probe, a refused one split again,
    down to the registration, then its fields. A probe costs the size of the types its
    fields reach, which in a real API is most of the schema: one refused field among 138
    registrations costs ~15 probes, not one per registration and field (291, 504 s).
    """
    flat = [field for group in groups for field in group]
    if not flat:
        return []
    refused = refused or _probe(flat)
    if refused is None:
        return flat
    if len(groups) == 1:
        group = groups[0]
        if len(group) == 1:
            field = group[0]
            skipped.add(field.endpoint, field.name, f"Strawberry refuses it: {reason_of(refused)}")
            return []
        groups = [[field] for field in group]  # the registration's fields, bisected in turn
    middle = len(groups) // 2
    return [*_bisected(groups[:middle], skipped), *_bisected(groups[middle:], skipped)]


#: A probe's resolver of each root field, while the build that made the field runs: a
#: field is probed in several halves, and Strawberry reading its resolver's signature
#: (arguments, annotations) was a third of a probe. Keyed by ``id()``, the field kept
#: with it (an id is reused only once its field is gone).
_PROBED: dict[int, tuple[RootField, StrawberryResolver[Any]]] = {}


def _probe_resolver(field: RootField) -> StrawberryResolver[Any]:
    found = _PROBED.get(id(field))
    if found is None or found[0] is not field:
        found = (field, StrawberryResolver(make_resolver(field, _probe_runner(field))))
        _PROBED[id(field)] = found
    return found[1]


def _probe(fields: list[RootField]) -> Exception | None:
    """Why Strawberry refuses a schema of just ``fields``, or None if it accepts it."""
    queries = [f for f in fields if f.operation in QUERIES]
    mutations = [f for f in fields if f.operation in MUTATIONS]
    subscriptions = [f for f in fields if f.operation in SUBSCRIPTIONS]
    try:
        query = _root_type("Query", queries, _probe_runner, True) or _PlaceholderQuery
        strawberry.Schema(
            query=query,
            mutation=_root_type("Mutation", mutations, _probe_runner, True),
            subscription=_root_type("Subscription", subscriptions, _probe_runner, True),
            config=StrawberryConfig(default_resolver=dict_resolver),
        )
    except Exception as exc:
        return exc
    return None


def _by_endpoint(fields: list[RootField]) -> list[list[RootField]]:
    by_endpoint: dict[Endpoint, list[RootField]] = {}
    for field in fields:
        by_endpoint.setdefault(field.endpoint, []).append(field)
    return list(by_endpoint.values())


def _together(fields: list[RootField], skipped: SkippedList, error: Exception) -> list[RootField]:
    """Registrations Strawberry accepts apart but refuses together (types that cannot
    coexist): added one at a time, a refused one left out."""
    together: list[RootField] = []
    for group in _by_endpoint(fields):
        if _probe([*together, *group]) is None:
            together += group
        elif group:
            skipped.add(group[0].endpoint, None, f"Strawberry refuses it: {reason_of(error)}")
    return together
