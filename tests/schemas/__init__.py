"""Schema modules for the build-failure tests: one partly typable, one that cannot build.

Pointed at by ``DRF_GRAPHQL_LIVE["SCHEMA"]`` or passed to ``export_schema``, as a
project's own ``schema.py`` would be.
"""

__all__: list[str] = []
