"""REST under ``/api/``, GraphQL (HTTP, under runserver) at ``/graphql/``."""

from django.urls import include, path

from .api import router

urlpatterns = [
    path("api/", include(router.urls)),
    path("graphql/", include("drf_graphql_live.urls")),
]

from . import schema as _schema  # noqa: E402, F401  (built with the URLconf)
