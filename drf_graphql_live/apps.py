"""The Django app: ``"drf_graphql_live"`` in ``INSTALLED_APPS``.

``ready()`` registers the system checks and connects the model signals, so processes
that never import the URLconf (a management command, a worker) publish changes too.
"""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["DrfGraphqlLiveConfig"]


class DrfGraphqlLiveConfig(AppConfig):
    name = "drf_graphql_live"
    verbose_name = "DRF GraphQL Live"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (checks register on import)
        from .live import credentials, signals

        signals.connect()
        credentials.connect()
