"""Query limits: what a parsed document costs, measured in one walk before any work.

Every limit is a setting (``MAX_QUERY_DEPTH``, ``MAX_ALIASES``, ``MAX_QUERY_COST``,
``MAX_SEARCH_LENGTH``, ``MAX_SEARCH_TERMS`` here; sizes and tokens in :mod:`.gate`,
which applies them all in order; None turns one off) and a refusal is a GraphQL error
with ``extensions.code`` QUERY_TOO_COMPLEX naming the limit::

    {"message": "Query cost 12,650 exceeds the limit of 10,000 (MAX_QUERY_COST).",
     "extensions": {"code": "QUERY_TOO_COMPLEX", "limit": "MAX_QUERY_COST",
                    "max": 10000, "value": 12650}}

Search: a ``search`` argument that feeds DRF's ``SearchFilter`` builds one ``Q`` per term,
so its length and its terms (split as DRF splits them) are bounded like the URL a REST
client could send. Depth and aliases are not Strawberry's ``QueryDepthLimiter`` or
``MaxAliasesLimiter``: both walk a fragment once per spread, so
``fragment F1 { ...F2 ...F2 }`` chains cost 2^n inside validation (18 fragments: 2 s)
before the limit can answer. One walk here measures depth, aliases (fragments counted
at each use), cost and search, each fragment once.

Cost: one per field, and a list multiplies its items' cost by its length: the page
size of the root list field (``limit``/``pageSize`` if given, capped by the
paginator's maximum, else the paginator's default), :data:`UNPAGINATED_LIST_SIZE`
for other lists. Introspection is schema-sized: its lists count once, and ``ofType``
(wrapping, never a fan-out) adds no depth.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from rest_framework.filters import SearchFilter, search_smart_split

from .exceptions import QUERY_TOO_COMPLEX, LiveGraphQLError
from .settings import live_settings

__all__ = [
    "UNPAGINATED_LIST_SIZE",
    "QueryMeasure",
    "limit_errors",
    "measure",
    "search_terms",
    "too_complex",
]

#: Items assumed in a list no paginator bounds (a nested ``many=True`` serializer, a
#: viewset without ``pagination_class``).
UNPAGINATED_LIST_SIZE = 10


@dataclasses.dataclass(frozen=True)
class QueryMeasure:
    """What a selection costs: deepest field nesting, aliases, estimated values."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    #: the longest ``search`` argument, in characters, and the most terms in one
    search_length: int = 0
    search_terms: int = 0

    def __add__(self, other: QueryMeasure) -> QueryMeasure:
        return QueryMeasure(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.cost + other.cost,
            max(self.search_length, other.search_length),
            max(self.search_terms, other.search_terms),
        )


def too_complex(setting: str, value: int, maximum: int, what: str) -> LiveGraphQLError:
    """The QUERY_TOO_COMPLEX error for ``setting`` (its name is what the client sees)."""
    return LiveGraphQLError(
        f"{what} {value:,} exceeds the limit of {maximum:,} ({setting}).".lstrip(),
        QUERY_TOO_COMPLEX,
        limit=setting,
        max=maximum,
        value=value,
    )


class _Walk:
    """One measuring walk over a document; fragments are measured once per context."""

    def __init__(self, schema: Any, document: DocumentNode, variables: Mapping[str, Any]):
        self.graphql: GraphQLSchema = schema._schema
        self.root_fields = getattr(schema, "root_fields", {})
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, int | None], QueryMeasure] = {}
        self.active: set[str] = set()
        self.defaults: dict[str, Any] = {}

    def operation(self, node: OperationDefinitionNode) -> QueryMeasure:
        self.defaults = {
            v.variable.name.value: v.default_value for v in node.variable_definitions or ()
        }
        root = self.graphql.get_root_type(node.operation)
        return self.selections(node.selection_set, root, None) if root else QueryMeasure()

    def selections(self, node: SelectionSetNode, parent: Any, page: int | None) -> QueryMeasure:
        total = QueryMeasure()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.graphql.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, page)
        return total

    def spread(self, name: str, page: int | None) -> QueryMeasure:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:  # validation reports both
            return QueryMeasure()
        key = (name, page)
        if key not in self.memo:
            self.active.add(name)
            parent = self.graphql.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selections(fragment.selection_set, parent, page)
            self.active.discard(name)
        return self.memo[key]

    def field(self, node: FieldNode, parent: Any, page: int | None) -> QueryMeasure:
        definition = _definition(self.graphql, parent, node.name.value)
        aliases = 1 if node.alias else 0
        if definition is None or node.selection_set is None:
            return QueryMeasure(1, aliases, 1)
        named = get_named_type(definition.type)
        is_root = parent is self.graphql.query_type
        child_page = self.page_size(node) if is_root else None
        inner = self.selections(node.selection_set, named, child_page)
        searched = QueryMeasure()
        if parent in (self.graphql.query_type, self.graphql.subscription_type):
            searched = self.search(node)
        size = 1
        if isinstance(get_nullable_type(definition.type), GraphQLList) and is_composite_type(named):
            introspection = named.name.startswith("__")
            size = 1 if introspection else page or UNPAGINATED_LIST_SIZE
        depth = inner.depth + (0 if node.name.value == "ofType" else 1)
        return searched + QueryMeasure(depth, inner.aliases + aliases, 1 + size * inner.cost)

    def page_size(self, node: FieldNode) -> int | None:
        """The page a root list field returns at most, from its paginator and arguments."""
        field = self.root_fields.get(node.name.value)
        if field is None or field.action != "list" or not field.endpoint.paginated:
            return None
        paginator = field.endpoint.viewset.pagination_class()
        if hasattr(paginator, "default_limit"):  # LimitOffsetPagination
            param = paginator.limit_query_param
            default, cap = paginator.default_limit, paginator.max_limit
        else:  # PageNumberPagination, CursorPagination
            param = paginator.page_size_query_param
            default, cap = paginator.page_size, paginator.max_page_size
        asked = self.argument(node, field, param)
        if asked is None or asked <= 0:
            return default or cap
        return min(asked, cap) if cap else asked

    def search(self, node: FieldNode) -> QueryMeasure:
        """The ``search`` argument of a root field whose viewset filters with SearchFilter."""
        field = self.root_fields.get(node.name.value)
        backends = getattr(getattr(field, "endpoint", None), "viewset", None)
        params = {
            backend.search_param
            for backend in getattr(backends, "filter_backends", ())
            if isinstance(backend, type) and issubclass(backend, SearchFilter)
        }
        found = QueryMeasure()
        for param in params:
            value = self.value(node, field, param)
            if isinstance(value, StringValueNode):
                value = value.value
            if isinstance(value, str):
                found += QueryMeasure(search_length=len(value), search_terms=search_terms(value))
        return found

    def argument(self, node: FieldNode, field: Any, query_param: str | None) -> int | None:
        value = self.value(node, field, query_param)
        if isinstance(value, IntValueNode):
            value = value.value
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def value(self, node: FieldNode, field: Any, query_param: str | None) -> Any:
        """The value (an AST literal or a variable's value) of the argument for ``query_param``."""
        names = {a.graphql_name for a in field.arguments if a.query_param == query_param}
        for argument in node.arguments or ():
            if argument.name.value not in names:
                continue
            value: Any = argument.value
            if isinstance(value, VariableNode):
                name = value.name.value
                value = self.variables.get(name, self.defaults.get(name))
            return value
        return None


def search_terms(value: str) -> int:
    """How many terms DRF's SearchFilter makes of ``value`` (one ``Q`` each).

    Split only when short enough to be answered: the length limit refuses the rest, and
    splitting 400 KB is itself the cost being bounded.
    """
    cap = live_settings.MAX_SEARCH_LENGTH
    if cap is not None and len(value) > cap:
        return 0
    return len(search_smart_split(value))  # type: ignore[arg-type]  # the stubs say list; DRF splits a str


def _definition(schema: GraphQLSchema, parent: Any, name: str) -> Any:
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    return getattr(parent, "fields", {}).get(name)


def measure(
    schema: Any, document: DocumentNode, variables: Mapping[str, Any] | None = None
) -> QueryMeasure:
    """Depth (deepest operation), aliases and cost (summed over the document's operations)."""
    walk = _Walk(schema, document, variables or {})
    total = QueryMeasure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total += walk.operation(definition)
    return total


def limit_errors(
    schema: Any, document: DocumentNode, variables: Mapping[str, Any] | None = None
) -> list[LiveGraphQLError]:
    """The QUERY_TOO_COMPLEX errors of ``document`` under the current settings."""
    found = measure(schema, document, variables)
    checks = (
        ("MAX_QUERY_DEPTH", found.depth, "Query depth"),
        ("MAX_ALIASES", found.aliases, "Aliases"),
        ("MAX_QUERY_COST", found.cost, "Query cost"),
        ("MAX_SEARCH_LENGTH", found.search_length, "Search length"),
        ("MAX_SEARCH_TERMS", found.search_terms, "Search terms"),
    )
    errors = []
    for setting, value, what in checks:
        maximum = getattr(live_settings, setting)
        if maximum is not None and value > maximum:
            errors.append(too_complex(setting, value, maximum, what))
    return errors
