"""``<Type>Page``: the paginated list type, the shape of DRF's paginated response.

    type TaskPage { count: Int, results: [Task!]!, next: String, previous: String }

``count`` is null for ``CursorPagination`` (DRF does not count there); ``next`` and
``previous`` are DRF's URLs, exactly as REST returns them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from .introspection import dotted
from .types import list_of

if TYPE_CHECKING:
    from .types import Builder

__all__ = ["page_type"]


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
