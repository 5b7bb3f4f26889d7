"""System checks, so a misconfiguration is reported by ``manage.py check`` with an id.

drf_graphql_live.E001  DRF_GRAPHQL_LIVE has unknown keys
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .settings import live_settings

__all__ = ["check_settings"]


@checks.register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001: every key of ``DRF_GRAPHQL_LIVE`` must be a known option."""
    live_settings.reload()
    try:
        live_settings.user_settings  # noqa: B018  (validates)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="drf_graphql_live.E001")]
    return []


@checks.register()
def check_channel_layer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W001/W002: live updates across processes need a shared channel layer."""
    try:
        alias = live_settings.CHANNEL_LAYER
    except ImproperlyConfigured:
        return []  # E001 reports it
    layers = getattr(settings, "CHANNEL_LAYERS", {}) or {}
    backend = layers.get(alias, {}).get("BACKEND", "")
    if not backend:
        return [
            checks.Warning(
                f"No channel layer {alias!r} in CHANNEL_LAYERS: model "
                "changes are not published and subscriptions receive nothing.",
                hint="Add CHANNEL_LAYERS (channels_redis for several processes).",
                id="drf_graphql_live.W002",
            )
        ]
    if backend.endswith("InMemoryChannelLayer"):
        return [
            checks.Warning(
                "The in-memory channel layer only carries changes made inside the server "
                "process: changes from management commands, workers or other server "
                "processes never reach subscribers.",
                hint="Use channels_redis.core.RedisChannelLayer when more than one process writes.",
                id="drf_graphql_live.W001",
            )
        ]
    return []
