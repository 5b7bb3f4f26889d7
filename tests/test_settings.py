"""live_settings: defaults, override_settings, and loud failure on unknown keys."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from drf_graphql_live.settings import DEFAULTS, live_settings


def test_empty_dict_gives_every_default(settings):
    settings.DRF_GRAPHQL_LIVE = {}
    for key, value in DEFAULTS.items():
        assert getattr(live_settings, key) == value


def test_override_settings_is_seen(settings):
    settings.DRF_GRAPHQL_LIVE = {"PATH": "api/gql"}
    assert live_settings.path == "/api/gql/"


def test_unknown_key_fails_loudly_and_in_checks(settings):
    settings.DRF_GRAPHQL_LIVE = {"GRAPHIQl": False}
    with pytest.raises(ImproperlyConfigured, match="GRAPHIQl"):
        live_settings.GRAPHIQL  # noqa: B018
    errors = checks.run_checks()
    assert [e.id for e in errors if e.id.startswith("drf_graphql_live")] == [
        "drf_graphql_live.E001"
    ]


def test_mask_internal_errors_follows_debug(settings):
    settings.DRF_GRAPHQL_LIVE = {}
    settings.DEBUG = False
    assert live_settings.mask_internal_errors is True
    settings.DEBUG = True
    assert live_settings.mask_internal_errors is False


def test_in_memory_layer_is_warned_about(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    ids = [e.id for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]
    assert ids == ["drf_graphql_live.W001"]
    settings.CHANNEL_LAYERS = {}
    ids = [e.id for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]
    assert ids == ["drf_graphql_live.W002"]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    assert not [e for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]
