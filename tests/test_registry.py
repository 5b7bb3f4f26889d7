"""build_schema() takes the router the project already has, or (prefix, viewset) pairs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.views import APIView
from strawberry.printer import print_schema

from drf_graphql_live import build_schema
from drf_graphql_live.registry import endpoints_from
from sample_site.board.views import CommentViewSet, TaskViewSet, UserViewSet


def test_pairs_and_router_give_the_same_schema():
    router = SimpleRouter()
    router.register("tasks", TaskViewSet)
    router.register("people", UserViewSet, basename="person")
    from_router = print_schema(build_schema(router))
    from_pairs = print_schema(
        build_schema([("tasks", TaskViewSet), ("people", UserViewSet, "person")])
    )
    assert from_router == from_pairs
    assert "  people(" in from_router
    assert "person(id: ID!): User!" in from_router


def test_router_basenames_are_reused():
    router = DefaultRouter()
    router.register("tasks", TaskViewSet, basename="todo")
    assert [(e.prefix, e.basename) for e in endpoints_from(router)] == [("tasks", "todo")]
    assert "deleteTodo(id: ID!): ID!" in print_schema(build_schema(router))


def test_duplicate_basename_is_drf_error():
    with pytest.raises(ImproperlyConfigured, match="basename"):
        build_schema([("tasks", TaskViewSet), ("more-tasks", TaskViewSet)])


def test_non_viewset_is_refused_with_its_name():
    with pytest.raises(ImproperlyConfigured, match="ViewSet"):
        build_schema([("things", APIView)])


def test_malformed_entry_is_refused():
    with pytest.raises(ImproperlyConfigured, match="pairs"):
        build_schema(["tasks"])


def test_empty_registration_is_refused():
    with pytest.raises(ImproperlyConfigured, match="no registered viewsets"):
        build_schema([])


def test_prefix_with_separators_is_camel_cased():
    schema = print_schema(build_schema([("board/comments", CommentViewSet)]))
    assert "boardComments(" in schema


# ------------------------------------------------- a schema that cannot be built


BROKEN = "tests.schemas.broken.schema"


def test_import_schema_shows_the_modules_own_error():
    from drf_graphql_live.registry import import_schema

    with pytest.raises(AttributeError, match="GRAPHQL_SCHEMA_OPTIONS_THAT_DO_NOT_EXIST"):
        import_schema(BROKEN)
    with pytest.raises(ImportError, match="does not define 'nothing'"):
        import_schema("tests.schemas.partial.nothing")


@pytest.mark.django_db(transaction=True)
def test_model_save_with_a_broken_schema_module_does_not_raise_and_logs(
    settings, monkeypatch, caplog
):
    """As ``migrate`` or a REST POST in a process that never built the schema."""
    from drf_graphql_live.live.dependencies import LIVE
    from sample_site.board.models import Project

    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": BROKEN}
    monkeypatch.setattr(LIVE, "_loaded", False)
    with caplog.at_level("ERROR", logger="drf_graphql_live"):
        project = Project.objects.create(name="Saved anyway")
    assert Project.objects.filter(pk=project.pk).exists()
    assert "could not be loaded" in caplog.text
    assert "GRAPHQL_SCHEMA_OPTIONS_THAT_DO_NOT_EXIST" in caplog.text
    caplog.clear()
    Project.objects.create(name="Second save")
    assert caplog.text == ""  # logged once, not on every save


def test_left_out_viewset_does_not_take_the_router_down():
    from tests.schemas import partial

    assert list(partial.schema.root_fields) == ["projects", "project", "projectChanged",
                                                "projectsChanged"]  # fmt: skip
    assert "tasks" not in print_schema(partial.schema)
    assert [entry.prefix for entry in partial.schema.skipped] == ["tasks"]
