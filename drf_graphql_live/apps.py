"""The Django app: ``"drf_graphql_live"`` in ``INSTALLED_APPS``.

``ready()`` registers the system checks, connects the model signals and wraps the ORM's
bulk writes, so processes that never import the URLconf (a management command, a
worker) publish changes too; ``migrate`` installs the PostgreSQL capture triggers.
"""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["DrfGraphqlLiveConfig"]


class DrfGraphqlLiveConfig(AppConfig):
    name = "drf_graphql_live"
    verbose_name = "DRF GraphQL Live"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (checks register on import)
        from .capture import install, orm
        from .live import credentials, signals

        signals.connect()
        credentials.connect()
        orm.install()
        post_migrate.connect(
            install.on_post_migrate, sender=self, dispatch_uid="drf_graphql_live.capture"
        )
