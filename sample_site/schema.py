"""The GraphQL schema, generated from the REST router — nothing is declared twice."""

from drf_graphql_live import build_schema
from sample_site.urls import router

schema = build_schema(router)
