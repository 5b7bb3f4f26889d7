"""System checks, so a misconfiguration is reported by ``manage.py check`` with an id.

drf_graphql_live.E001  DRF_GRAPHQL_LIVE has unknown keys
"""

from __future__ import annotations

from typing import Any

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
