"""``path("graphql/", include("drf_graphql_live.urls"))``: GraphQL as a Django view.

Queries, mutations and GraphiQL under ``runserver``, WSGI or any ASGI server, from the
project's URLconf (see :mod:`drf_graphql_live.transport.django_view`)::

    urlpatterns = [
        path("api/", include(router.urls)),
        path("graphql/", include("drf_graphql_live.urls")),
    ]

The schema is ``DRF_GRAPHQL_LIVE["SCHEMA"]``, else the one ``build_schema()`` built,
looked up per request. GraphiQL's assets are served under ``assets/``.
"""

from __future__ import annotations

from django.urls import path

from .installed import warn_unless_installed
from .transport.django_view import LiveGraphQLView, graphiql_asset

__all__ = ["app_name", "urlpatterns"]

app_name = "drf_graphql_live"

warn_unless_installed()

urlpatterns = [
    path("", LiveGraphQLView.as_view(), name="graphql"),
    path("assets/<str:name>", graphiql_asset, name="graphiql-asset"),
]
