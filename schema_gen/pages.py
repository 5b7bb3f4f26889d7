"""``<Type>Page``: the paginated list type, the shape of DRF's paginated response.

    type TaskPage { count: Int, results: [Task!]!, next: String, previous: String }

``count`` is null for ``CursorPagination`` (DRF does not count there); ``next`` and
``previous`` are DRF's URLs, exactly as REST returns them.

A paginated list field is nullable where the viewset's ``list()`` is the project's own:
it may answer what no page is (one dict of figures), and that costs that field (a coded
error at its path), not the whole query. A list not paginated stays non-null (a plain
``ViewSet`` always has its own ``list()``, and answers a list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from .introspection import dotted
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["list_type", "page_type"]


def page_type(builder: Builder, node: Any) -> type:
    """The (cached) page type whose ``results`` are ``node`` objects."""
    if node not in builder.pages:
        name = f"{node.__strawberry_definition__.name}Page"
        builder.names.claim(name, dotted(node.__drf_serializer__) + " (page)")
        annotations = {
            "count": int | None,
            "results": list_of(node),
            "next": str | None,
            "previous": str | None,
        }
        klass = type(name, (), {"__annotations__": annotations, "__module__": __name__})
        builder.pages[node] = strawberry.type(
            klass, name=name, description=f"One page of {node.__strawberry_definition__.name}."
        )
    return builder.pages[node]


def list_type(builder: Builder, node: Any, viewset: type, paginated: bool) -> Any:
    """The list field's type: ``[Type!]``, or ``<Type>Page``, nullable where ``list()`` is
    the project's own (see the module's docstring)."""
    if not paginated:
        return list_of(node)
    page = page_type(builder, node)
    return page | None if _own_list(viewset) else page


def _own_list(viewset: type) -> bool:
    return any(
        "list" in klass.__dict__ and not klass.__module__.startswith("rest_framework")
        for klass in viewset.__mro__
    )
