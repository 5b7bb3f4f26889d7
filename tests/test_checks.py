"""System checks for what a project setting the package up can forget (issue 14).

Each check is run as ``manage.py check`` runs it, on sample_site's settings changed the
way a user's project would differ.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from django.apps import apps
from django.core import checks

from drf_graphql_live import build_schema, installed
from drf_graphql_live.checks import asgi_serves_graphql
from sample_site.urls import router
from sample_site.urls import urlpatterns as sample_urlpatterns

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()

#: A URLconf without the ``drf_graphql_live.urls`` entry (a fresh project's).
urlpatterns = [pattern for pattern in sample_urlpatterns if str(pattern.pattern) != "graphql/"]


def ids(**kwargs) -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(**kwargs)
        if message.id and message.id.startswith("drf_graphql_live.")
    )


def messages(code: str) -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks() if message.id == code]


def test_checks_are_quiet_for_the_sample_site(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer"}
    }
    assert ids() == []


def test_missing_urlconf_entry_warns_that_runserver_answers_404(settings):
    settings.ROOT_URLCONF = "tests.test_checks"
    [warning] = messages("drf_graphql_live.W004")
    assert "runserver" in warning.msg
    assert "/graphql/" in warning.msg
    assert 'path("graphql/", include("drf_graphql_live.urls"))' in warning.hint


def test_missing_urlconf_entry_is_fine_when_runserver_is_daphne_with_live_application(settings):
    settings.ROOT_URLCONF = "tests.test_checks"
    settings.INSTALLED_APPS = ["daphne", *settings.INSTALLED_APPS]
    assert messages("drf_graphql_live.W004") == []


def test_asgi_application_without_live_application_warns(settings):
    settings.ASGI_APPLICATION = "django.core.asgi.get_asgi_application"
    [warning] = messages("drf_graphql_live.W005")
    assert "does not route /graphql/" in warning.msg
    assert "live_application(schema, get_asgi_application())" in warning.hint


def test_asgi_application_that_cannot_be_imported_says_why(settings):
    settings.ASGI_APPLICATION = "no_such_project.asgi.application"
    [warning] = messages("drf_graphql_live.W005")
    assert "cannot be imported" in warning.msg
    assert "no_such_project" in warning.msg


def test_live_application_is_found_inside_middlewares_and_routers():
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from sample_site.asgi import application

    wrapped = ProtocolTypeRouter({"http": ASGIStaticFilesHandler(application)})
    assert asgi_serves_graphql(wrapped, "/graphql/")
    assert not asgi_serves_graphql(wrapped, "/api/graphql/")
    assert not asgi_serves_graphql(ASGIStaticFilesHandler(lambda *a: None), "/graphql/")


def test_no_channel_layer_hint_matches_the_readme_deploying_section(settings):
    settings.CHANNEL_LAYERS = {}
    [warning] = messages("drf_graphql_live.W002")
    recommended = re.search(r"Use channels-redis' `(\w+)`", README).group(1)
    assert recommended == "RedisPubSubChannelLayer"
    assert f"channels_redis.pubsub.{recommended}" in warning.hint
    assert "InMemoryChannelLayer" in warning.hint  # one process needs a layer too


def test_in_memory_layer_hint_matches_the_readme_deploying_section(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    [warning] = [
        m
        for m in checks.run_checks(include_deployment_checks=True)
        if m.id == "drf_graphql_live.W001"
    ]
    assert "channels_redis.pubsub.RedisPubSubChannelLayer" in warning.hint
    assert "channels_redis.core" not in warning.hint


def test_build_schema_warns_when_the_app_is_not_installed(monkeypatch):
    installed._warn_once.cache_clear()
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "drf_graphql_live")
    with pytest.warns(installed.NotInstalledWarning, match="not in INSTALLED_APPS"):
        build_schema(router)
    installed._warn_once.cache_clear()


def test_build_schema_is_silent_when_the_app_is_installed():
    installed._warn_once.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", installed.NotInstalledWarning)
        build_schema(router)


def test_in_memory_layer_is_not_reported_by_migrate_or_runserver(settings):
    """W001 is a deployment check: migrations and runserver's one process do not print it."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert "drf_graphql_live.W001" not in ids()
    assert "drf_graphql_live.W001" in ids(include_deployment_checks=True)


@pytest.mark.django_db
def test_a_wrong_schema_path_does_not_stop_migrate(settings, capsys):
    """A schema that cannot be built never breaks migrate: a warning, not a SystemCheckError."""
    from django.core.management import call_command

    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "myproject.no_such_module.schema"}
    call_command("migrate", "--noinput", verbosity=0)
    call_command("check")
    assert "drf_graphql_live.W006" in capsys.readouterr().err
