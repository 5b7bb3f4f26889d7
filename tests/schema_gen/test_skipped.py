"""One viewset never takes the others down (issue 11 part A; docs/DESIGN.md, last bullet).

Each case registers a small viewset the generator cannot type next to one it can,
and checks what a client would see: the good viewset's fields in the SDL, the bad one
left out with a warning naming it and why, or everything refused at once in strict mode.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import strawberry
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers, viewsets
from strawberry.printer import print_schema

from sample_site.board.models import Project, Task
from schema_gen import Endpoint, generate_schema
from schema_gen.mapping import FIELD_TYPE_MAP
from schema_gen.skipped import SchemaBuildWarning, Skipped


def _runner(field: Any) -> Any:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
        return None

    return impl


def build(*endpoints: tuple[str, str, type], strict: bool = False) -> Any:
    return generate_schema([Endpoint(*e) for e in endpoints], runner=_runner, strict=strict)


def query_fields(schema: Any) -> list[str]:
    return list(schema._schema.query_type.fields)


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    pagination_class = None
    filter_backends: list[Any] = []


class ExplodingSerializer(serializers.ModelSerializer):
    """A serializer whose fields cannot be read at build time (a bug in the project)."""

    class Meta:
        model = Task
        fields = ["id", "title"]

    def get_fields(self) -> dict[str, Any]:
        raise RuntimeError("settings.FEATURE_FLAGS is not configured")


class ExplodingViewSet(ProjectViewSet):
    queryset = Task.objects.all()
    serializer_class = ExplodingSerializer


class NoSerializerViewSet(viewsets.ViewSet):
    """A plain ViewSet writing its responses by hand: nothing to type it from."""

    def list(self, request: Any) -> Any:
        raise NotImplementedError


def test_raising_serializer_leaves_only_its_viewset_out_with_a_warning() -> None:
    with pytest.warns(SchemaBuildWarning) as record:
        schema = build(("tasks", "task", ExplodingViewSet), ("projects", "project", ProjectViewSet))
    assert query_fields(schema) == ["projects", "project"]
    assert "tasks" not in print_schema(schema)
    messages = [str(w.message) for w in record]
    assert messages == [
        "test_skipped.ExplodingViewSet (registered as 'tasks') is left out of the GraphQL "
        "schema: RuntimeError: settings.FEATURE_FLAGS is not configured"
    ]
    assert schema.skipped == (
        Skipped(
            "test_skipped.ExplodingViewSet",
            "tasks",
            None,
            "RuntimeError: settings.FEATURE_FLAGS is not configured",
        ),
    )


def test_viewset_without_any_serializer_is_left_out_naming_why() -> None:
    with pytest.warns(SchemaBuildWarning, match=r"NoSerializerViewSet.*no serializer_class"):
        schema = build(
            ("reports", "report", NoSerializerViewSet), ("projects", "project", ProjectViewSet)
        )
    assert query_fields(schema) == ["projects", "project"]


def test_failing_write_serializer_leaves_only_its_mutations_out() -> None:
    class WriteViewSet(viewsets.ModelViewSet):
        queryset = Project.objects.all()
        pagination_class = None
        filter_backends: list[Any] = []

        def get_serializer_class(self) -> type:
            if self.action in ("create", "partial_update"):
                raise LookupError("no write serializer registered for this tenant")
            return ProjectSerializer

    with pytest.warns(SchemaBuildWarning) as record:
        schema = build(("projects", "project", WriteViewSet))
    assert list(schema._schema.mutation_type.fields) == ["deleteProject"]
    assert [entry.field for entry in schema.skipped] == ["createProject", "updateProject"]
    assert "LookupError: no write serializer registered" in str(record[0].message)
    assert "root field 'createProject'" in str(record[0].message)


@strawberry.input
class CodeInput:
    code: str


class CodeField(serializers.Field):
    """Mapped (FIELD_TYPE_MAP) to an input type: Strawberry refuses it in an output type."""


def test_type_strawberry_refuses_leaves_its_viewset_out(monkeypatch) -> None:
    monkeypatch.setitem(FIELD_TYPE_MAP, CodeField, CodeInput)

    class SecuritySerializer(serializers.Serializer):
        two_factor = CodeField(source="*", read_only=True)

    class SecurityViewSet(ProjectViewSet):
        serializer_class = SecuritySerializer

    with pytest.warns(SchemaBuildWarning, match=r"SecurityViewSet.*Strawberry refuses it"):
        schema = build(
            ("security", "security", SecurityViewSet), ("projects", "project", ProjectViewSet)
        )
    assert query_fields(schema) == ["projects", "project"]


def test_two_fields_with_one_graphql_name_leave_their_viewset_out_naming_both() -> None:
    """``first_name`` and ``first-name`` are both ``firstName``: neither is silently lost."""

    class PersonSerializer(serializers.Serializer):
        first_name = serializers.CharField(source="name")

    PersonSerializer._declared_fields["first-name"] = serializers.CharField(source="name")

    class PersonViewSet(ProjectViewSet):
        serializer_class = PersonSerializer

    with pytest.warns(SchemaBuildWarning, match=r"'first_name' and 'first-name' both"):
        schema = build(("people", "person", PersonViewSet), ("projects", "project", ProjectViewSet))
    assert query_fields(schema) == ["projects", "project"]


def test_strict_raises_once_listing_every_omission() -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build(
            ("tasks", "task", ExplodingViewSet),
            ("reports", "report", NoSerializerViewSet),
            ("projects", "project", ProjectViewSet),
            strict=True,
        )
    message = str(excinfo.value)
    assert "2 part(s)" in message
    assert "ExplodingViewSet" in message
    assert "NoSerializerViewSet" in message
    assert "STRICT" in message


def test_nothing_left_to_serve_names_every_cause() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"list or retrieve(.|\n)*ExplodingViewSet"):
        build(("tasks", "task", ExplodingViewSet))


def test_schema_that_builds_has_no_warning_and_empty_skipped() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SchemaBuildWarning)
        schema = build(("projects", "project", ProjectViewSet))
    assert schema.skipped == ()
