"""The public path of :func:`publish_changes` (``drf_graphql_live.signals``).

The receivers live in :mod:`drf_graphql_live.live.signals`; this module only keeps the
import path users call after ``QuerySet.update()`` or ``bulk_create()``::

    from drf_graphql_live.signals import publish_changes
    publish_changes(Task, pks)
"""

from __future__ import annotations

from .live.signals import publish_changes

__all__ = ["publish_changes"]
