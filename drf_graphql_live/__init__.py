"""drf-graphql-live: your Django REST Framework API, as a live GraphQL API.

    from drf_graphql_live import build_schema
    schema = build_schema(router)                       # urls.py, next to the router

    from drf_graphql_live.asgi import live_application
    application = live_application(schema, django_asgi_app)   # asgi.py

Names are imported lazily: this package is in ``INSTALLED_APPS``, and Django imports it
before the app registry is ready, when DRF's and Django's models cannot be imported yet.
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__", "build_schema"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "build_schema":
        from .schema import build_schema

        return build_schema
    raise AttributeError(f"module 'drf_graphql_live' has no attribute {name!r}")
