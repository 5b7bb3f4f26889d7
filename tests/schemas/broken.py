"""A schema module that raises while it runs: an ``AttributeError``, which Django's
``import_string`` would report as "does not define a 'schema' attribute"."""

from __future__ import annotations

from django.conf import settings

from drf_graphql_live import build_schema
from tests.schemas.partial import router

__all__ = ["schema"]

schema = build_schema(router, **settings.GRAPHQL_SCHEMA_OPTIONS_THAT_DO_NOT_EXIST)
