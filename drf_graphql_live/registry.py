"""What is registered: a DRF router, or (prefix, viewset[, basename]) pairs.

Registering for GraphQL is registering for REST: ``build_schema(router)`` reads the
router the project already has, with the same basenames (``router.get_default_basename``)
the same duplicate-basename error DRF raises, and the router's method map (an action
its ``routes`` do not map is not served by REST, so it gets no GraphQL field)::

    endpoints_from(router)                         # [Endpoint("posts", "post", PostViewSet)]
    endpoints_from([("posts", PostViewSet)])       # the same
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.routers import BaseRouter, SimpleRouter
from rest_framework.viewsets import ViewSetMixin

from schema_gen import Endpoint
from schema_gen.root_fields import routed_actions

__all__ = ["endpoints_from"]


def endpoints_from(source: BaseRouter | Iterable[Any]) -> list[Endpoint]:
    """One :class:`~schema_gen.Endpoint` per viewset registration, in registration order."""
    if isinstance(source, BaseRouter):
        # A BaseRouter without `routes` writes its own URLs: assume DRF's default map.
        routes = routed_actions(getattr(source, "routes", SimpleRouter.routes))
        return [
            _endpoint(prefix, viewset, basename, routes)
            for prefix, viewset, basename in source.registry
        ]
    router = SimpleRouter()  # for its default basename and duplicate check, nothing else
    for entry in source:
        if not isinstance(entry, tuple | list) or len(entry) not in (2, 3):
            raise ImproperlyConfigured(
                f"build_schema() expects a DRF router or (prefix, viewset[, basename]) pairs; "
                f"got {entry!r}."
            )
        _check_viewset(entry[0], entry[1])
        router.register(*entry)
    return endpoints_from(router)


def _endpoint(
    prefix: str, viewset: Any, basename: str, routes: frozenset[tuple[str, str]]
) -> Endpoint:
    _check_viewset(prefix, viewset)
    return Endpoint(prefix=prefix.strip("/"), basename=basename, viewset=viewset, routes=routes)


def _check_viewset(prefix: str, viewset: Any) -> None:
    if not (isinstance(viewset, type) and issubclass(viewset, ViewSetMixin)):
        raise ImproperlyConfigured(
            f"Registered {viewset!r} under {prefix!r}: build_schema() needs a DRF ViewSet "
            "(a subclass of rest_framework.viewsets.ViewSetMixin)."
        )
