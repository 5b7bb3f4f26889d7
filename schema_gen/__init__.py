"""schema_gen: the pure generator, DRF viewsets and serializers -> Strawberry types.

It imports Django, DRF and Strawberry, never the runtime (``drf_graphql_live``), so the
generated SDL can be built and snapshotted without Channels::

    from schema_gen import Endpoint, generate_schema
    schema = generate_schema([Endpoint("posts", "post", PostViewSet)], runner=my_runner)
"""

from .converters import UnmappedFieldWarning
from .root_fields import Endpoint, Operation, RootField
from .schema import generate_schema
from .skipped import SchemaBuildWarning

__all__ = [
    "Endpoint",
    "Operation",
    "RootField",
    "SchemaBuildWarning",
    "UnmappedFieldWarning",
    "generate_schema",
]
