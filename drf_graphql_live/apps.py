"""The Django app: ``"drf_graphql_live"`` in ``INSTALLED_APPS``.

``ready()`` registers the system checks; the live-updates issue connects the model
signals here too, so processes that never import the URLconf publish changes.
"""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["DrfGraphqlLiveConfig"]


class DrfGraphqlLiveConfig(AppConfig):
    name = "drf_graphql_live"
    verbose_name = "DRF GraphQL Live"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
