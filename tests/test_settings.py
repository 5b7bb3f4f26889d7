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


def test_in_memory_layer_is_warned_about_by_check_deploy(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    deploy = checks.run_checks(include_deployment_checks=True)
    ids = [e.id for e in deploy if e.id.startswith("drf_graphql_live")]
    assert ids == ["drf_graphql_live.W001"]
    assert not [e for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]
    settings.CHANNEL_LAYERS = {}
    ids = [e.id for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]
    assert ids == ["drf_graphql_live.W002"]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    assert not [e for e in checks.run_checks() if e.id.startswith("drf_graphql_live")]


def test_strict_is_off_by_default_and_turns_a_left_out_viewset_into_an_error(settings):
    from drf_graphql_live import build_schema
    from tests.schemas.partial import router

    settings.DRF_GRAPHQL_LIVE = {}
    assert live_settings.STRICT is False
    settings.DRF_GRAPHQL_LIVE = {"STRICT": True}
    with pytest.raises(ImproperlyConfigured, match=r"STRICT(.|\n)*ExplodingViewSet"):
        build_schema(router)


def _live_checks() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks() if m.id and m.id.startswith("drf_graphql_live.")]


def test_left_out_viewsets_are_listed_by_the_system_check(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "tests.schemas.partial.schema"}
    messages = _live_checks()
    assert [(m.id, m.level) for m in messages] == [("drf_graphql_live.W003", checks.WARNING)]
    assert "ExplodingViewSet (registered as 'tasks') is left out" in messages[0].msg
    assert "STRICT" in messages[0].hint


def test_schema_that_cannot_be_built_is_a_check_warning_and_an_error_with_strict(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "tests.schemas.broken.schema"}
    messages = _live_checks()
    assert [(m.id, m.level) for m in messages] == [("drf_graphql_live.W006", checks.WARNING)]
    assert "AttributeError" in messages[0].msg
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "tests.schemas.broken.schema", "STRICT": True}
    assert [(m.id, m.level) for m in _live_checks()] == [("drf_graphql_live.E002", checks.ERROR)]
