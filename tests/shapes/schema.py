"""The shapes' GraphQL schema, from the router."""

from drf_graphql_live import build_schema

from .api import router

schema = build_schema(router)
