"""Viewsets typed from what they declare to drf-spectacular, where no serializer says it.

drf-spectacular's own suite and paperless-ngx write these: a plain ``ViewSet`` whose
list answers strings, declared under a ``(200, "application/json")`` key; write-only
viewsets declaring ``request=``/``responses=``; ``PolymorphicProxySerializer``; a
``BaseSerializer`` wrapper documented through an extension. Each builds; every JSON
fallback warns.
"""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import pagination, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from drf_graphql_live import build_schema
from drf_graphql_live.testing import execute
from sample_site.board.models import Project, Task
from schema_gen import UnmappedFieldWarning

STRINGS = serializers.ListSerializer(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(responses={(200, "application/json"): STRINGS}),
    retrieve=extend_schema(responses={(200, "application/json"): STRINGS, (404, "x"): None}),
)
class LogViewSet(viewsets.ViewSet):
    """paperless-ngx's LogViewSet: log names, then one log's lines."""

    permission_classes = [AllowAny]

    def list(self, request: Any) -> Response:
        return Response(["mail", "web"])

    def retrieve(self, request: Any, pk: str | None = None) -> Response:
        return Response([f"{pk}: started", f"{pk}: stopped"])


def query_types(schema: Any) -> dict[str, str]:
    return {name: str(field.type) for name, field in schema._schema.query_type.fields.items()}


def mutation_types(schema: Any) -> dict[str, str]:
    fields = schema._schema.mutation_type.fields
    return {
        name: f"({', '.join(f'{a}: {arg.type}' for a, arg in field.args.items())}) -> {field.type}"
        for name, field in fields.items()
    }


def test_plain_viewset_declaring_a_list_of_strings_is_typed_from_it() -> None:
    schema = build_schema([("logs", LogViewSet, "log")])
    assert query_types(schema) == {"logs": "[String!]!", "log": "[String!]!"}


@pytest.mark.django_db
def test_plain_viewset_declaring_a_list_of_strings_answers_like_rest() -> None:
    schema = build_schema([("logs", LogViewSet, "log")])
    result = execute(schema, '{ logs log(id: "mail") }')
    assert result.errors is None
    assert result.data == {"logs": ["mail", "web"], "log": ["mail: started", "mail: stopped"]}


class ProjectNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class TaskTitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


PROJECT_OR_TASK = PolymorphicProxySerializer(
    component_name="ProjectOrTask",
    serializers=[ProjectNameSerializer, TaskTitleSerializer],
    resource_type_field_name=None,
)


class WriteOnlyPolymorphicViewSet(viewsets.GenericViewSet):
    """drf-spectacular's test_polymorphic: no serializer_class, no list or retrieve."""

    permission_classes = [AllowAny]

    @extend_schema(request=PROJECT_OR_TASK, responses=PROJECT_OR_TASK)
    def create(self, request: Any) -> Response:
        return Response(request.data, status=201)


def test_polymorphic_proxy_serializer_is_json_with_a_warning() -> None:
    with pytest.warns(UnmappedFieldWarning, match="PolymorphicProxySerializer") as record:
        schema = build_schema([("things", WriteOnlyPolymorphicViewSet, "thing")])
    assert mutation_types(schema) == {"createThing": "(input: JSON!) -> JSON!"}
    assert {str(w.message).split(":")[0] for w in record} == {
        f"{__name__}.WriteOnlyPolymorphicViewSet.create"
    }


@pytest.mark.django_db
def test_write_only_viewset_answers_its_mutation_behind_a_placeholder_query() -> None:
    schema = build_schema([("things", WriteOnlyPolymorphicViewSet, "thing")])
    assert query_types(schema) == {"_empty": "Boolean"}
    result = execute(schema, 'mutation { createThing(input: {name: "Ops"}) }')
    assert result.errors is None
    assert result.data == {"createThing": {"name": "Ops"}}


class RequestResponseViewSet(viewsets.GenericViewSet):
    """drf-spectacular's test_postprocessing: the serializers exist only as declared."""

    @extend_schema(request=TaskTitleSerializer, responses=TaskTitleSerializer)
    def create(self, request: Any) -> Response:
        return Response(request.data, status=201)  # pragma: no cover


def test_write_only_viewset_declaring_serializers_is_typed_from_them() -> None:
    schema = build_schema([("titles", RequestResponseViewSet, "title")])
    assert mutation_types(schema) == {"createTitle": "(input: TaskTitleInput!) -> TaskTitle!"}


class GenreSerializer(serializers.Serializer):
    genre = serializers.CharField()


class ActionOnlyViewSet(viewsets.GenericViewSet):
    """drf-spectacular's test_list_serializer_with_pagination: only a declared GET action."""

    pagination_class = pagination.LimitOffsetPagination
    permission_classes = [AllowAny]

    @extend_schema(responses=GenreSerializer(many=True))
    @action(methods=["GET"], detail=False)
    def genre(self, request: Any) -> Response:
        return Response([{"genre": "jazz"}])


@pytest.mark.django_db
def test_viewset_with_only_a_declared_action_builds_without_a_model() -> None:
    schema = build_schema([("music", ActionOnlyViewSet, "music")])
    assert query_types(schema) == {"genreMusic": "[Genre!]"}
    assert execute(schema, "{ genreMusic { genre } }").data == {"genreMusic": [{"genre": "jazz"}]}


class PageWrapper(serializers.BaseSerializer):
    """A wrapper drf-spectacular documents through an OpenApiSerializerExtension."""

    def __init__(self, serializer_class: type, **kwargs: Any) -> None:
        self.serializer_class = serializer_class
        super().__init__(**kwargs)


class WrappedMethodSerializer(serializers.ModelSerializer):
    related = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "related"]

    @extend_schema_field(PageWrapper(serializer_class=TaskTitleSerializer))
    def get_related(self, obj: Any) -> Any:
        return {"count": 0, "results": []}


class WrappedViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Task.objects.all()
    serializer_class = WrappedMethodSerializer
    pagination_class = None


def test_method_field_declared_as_a_bare_base_serializer_is_json_with_a_warning() -> None:
    with pytest.warns(UnmappedFieldWarning, match="PageWrapper is a BaseSerializer"):
        schema = build_schema([("wrapped", WrappedViewSet, "wrapped")])
    fields = schema._schema.type_map["WrappedMethod"].fields
    assert str(fields["related"].type) == "JSON"
