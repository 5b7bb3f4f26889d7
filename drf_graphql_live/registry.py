"""What is registered: a DRF router, or (prefix, viewset[, basename]) pairs.

Registering for GraphQL is registering for REST: ``build_schema(router)`` reads the
router the project already has, with the same basenames (``router.get_default_basename``)
the same duplicate-basename error DRF raises, and the router's method map (an action
its ``routes`` do not map is not served by REST, so it gets no GraphQL field)::

    endpoints_from(router)                         # [Endpoint("posts", "post", PostViewSet)]
    endpoints_from([("posts", PostViewSet)])       # the same

It also finds the project's schema (:func:`load_project_schema`), for the processes
that never served a request: ``export_schema``, the system checks, and the first model
signal of a management command or worker.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver
from rest_framework.routers import BaseRouter, SimpleRouter
from rest_framework.viewsets import ViewSetMixin

from schema_gen import Endpoint
from schema_gen.naming import name_apart
from schema_gen.root_fields import routed_actions

from .settings import live_settings

__all__ = ["endpoints_from", "import_schema", "last_built", "load_project_schema", "remember"]

#: The schema ``build_schema`` built last in this process.
_last_built: list[Any] = []


def remember(schema: Any) -> None:
    """Record ``schema`` as the last one built (``build_schema`` calls it)."""
    _last_built[:] = [schema]


def last_built() -> Any | None:
    """The schema ``build_schema`` built last in this process, if any."""
    return _last_built[0] if _last_built else None


def import_schema(dotted: str) -> Any:
    """``module.attribute`` imported, the module's own exception left intact.

    Django's ``import_string`` turns an ``AttributeError`` raised *while the module
    runs* (a viewset reading ``self.request.user`` as the schema is built) into
    "does not define a 'schema' attribute", hiding the real error.
    """
    module_path, _, attribute = dotted.rpartition(".")
    if not module_path:
        raise ImportError(f"{dotted!r} is not a dotted path (module.attribute).")
    module = importlib.import_module(module_path)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f"Module {module_path!r} does not define {attribute!r}.") from None


def load_project_schema() -> Any | None:
    """``DRF_GRAPHQL_LIVE["SCHEMA"]`` imported, else the schema the ROOT_URLCONF built.

    Exceptions propagate: callers on a host app's path (model signals) must catch them.
    """
    if live_settings.SCHEMA:
        return import_schema(live_settings.SCHEMA)
    get_resolver(settings.ROOT_URLCONF).url_patterns  # noqa: B018  (imports the URLconf)
    return last_built()


def endpoints_from(source: BaseRouter | Iterable[Any] | Mapping[str, Any]) -> list[Endpoint]:
    """One :class:`~schema_gen.Endpoint` per viewset registration, in registration order.

    ``source`` is a router, (prefix, viewset[, basename]) pairs, or several routers: a
    list of them (``[dcim_router, ipam_router]``, or ``(mount, router)`` pairs) or a
    mapping ``{mount: router}``, the mount being where the URLconf includes it
    (``"api/dcim/"``). A name two routers would both generate (NetBox's ``interfaces``
    in two apps) is qualified apart in each (:func:`schema_gen.naming.name_apart`).
    """
    if isinstance(source, BaseRouter):
        return _router_endpoints(source)
    entries = list(source.items()) if isinstance(source, Mapping) else list(source)
    routers: list[tuple[str, list[Endpoint]]] = []
    pairs = SimpleRouter()  # for its default basename and duplicate check, nothing else
    for entry in entries:
        if isinstance(entry, BaseRouter):
            routers.append(("", _router_endpoints(entry)))
        elif (
            isinstance(entry, tuple | list) and len(entry) == 2 and isinstance(entry[1], BaseRouter)
        ):
            routers.append((str(entry[0]), _router_endpoints(entry[1])))
        elif isinstance(entry, tuple | list) and len(entry) in (2, 3):
            _check_viewset(entry[0], entry[1])
            pairs.register(*entry)
        else:
            raise ImproperlyConfigured(
                "build_schema() expects a DRF router, (prefix, viewset[, basename]) pairs, "
                f"or several routers (a list, or {{mount: router}}); got {entry!r}."
            )
    if pairs.registry:
        routers.insert(0, ("", _router_endpoints(pairs)))
    return name_apart(routers) if len(routers) > 1 else (routers[0][1] if routers else [])


def _is_mount(entry: Any) -> bool:
    return isinstance(entry, tuple | list) and len(entry) == 2 and isinstance(entry[1], BaseRouter)


def _router_endpoints(router: BaseRouter) -> list[Endpoint]:
    # A BaseRouter without `routes` writes its own URLs: assume DRF's default map.
    routes = routed_actions(getattr(router, "routes", SimpleRouter.routes))
    return [
        _endpoint(prefix, viewset, basename, routes)
        for prefix, viewset, basename in router.registry
    ]


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
