"""Every DRF pattern of USERS.md "What a real DRF project..." builds, typed as REST answers.

Each test registers a small self-written viewset through ``drf_graphql_live.build_schema``
and reads the printed GraphQL type a client sees (no database: building touches none).
"""

from __future__ import annotations

import warnings
from typing import Any, NotRequired, TypedDict

import pytest
from django.contrib.auth.models import Group
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import filters, serializers, viewsets

from drf_graphql_live import build_schema
from sample_site.board.models import Project, Task
from schema_gen import UnmappedFieldWarning


def viewset_for(serializer_class: type, queryset: Any, **attrs: Any) -> type:
    base = attrs.pop("base", viewsets.ReadOnlyModelViewSet)
    namespace = {
        "serializer_class": serializer_class,
        "queryset": queryset,
        "pagination_class": None,
        "filter_backends": [],
        **attrs,
    }
    return type(f"{serializer_class.__name__}ViewSet", (base,), namespace)


def schema_of(serializer_class: type, queryset: Any = None, **attrs: Any) -> Any:
    queryset = Task.objects.all() if queryset is None else queryset
    return build_schema([("items", viewset_for(serializer_class, queryset, **attrs))])


def field_types(schema: Any, type_name: str) -> dict[str, str]:
    graphql_type = schema._schema.type_map[type_name]
    return {name: str(field.type) for name, field in graphql_type.fields.items()}


def arguments_of(schema: Any, field: str) -> dict[str, str]:
    root = schema._schema.query_type.fields[field]
    return {name: str(arg.type) for name, arg in root.args.items()}


# ---------------------------------------------------------------- 1. recursive serializers


class NodeSerializer(serializers.Serializer):
    name = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["children"] = NodeSerializer(many=True)
        return fields


def test_self_nesting_serializer_builds_one_recursive_type() -> None:
    schema = schema_of(NodeSerializer)
    assert field_types(schema, "Node")["children"] == "[Node!]"
    assert "items" in schema._schema.query_type.fields


# ------------------------------------------------------ 2. no readable field: placeholder


class TokenSerializer(serializers.Serializer):
    secret = serializers.CharField(write_only=True)


def test_serializer_without_readable_field_gets_the_empty_placeholder() -> None:
    schema = schema_of(TokenSerializer)
    assert field_types(schema, "Token") == {"_empty": "Boolean"}


# ---------------------------------- 3. ReadOnlyField, ModelField, properties, method hints


class Stats(TypedDict):
    """Counts for one task."""

    comments: int
    last_author: NotRequired[str]


class ProjectRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class TypedTaskSerializer(serializers.ModelSerializer):
    project_name = serializers.ReadOnlyField(source="project.name")
    project_key = serializers.ReadOnlyField(source="project_id")
    created = serializers.ReadOnlyField(source="created_at")
    estimate_raw = serializers.ReadOnlyField(source="estimate")
    title_model = serializers.ModelField(model_field=Task._meta.get_field("title"))
    project_ref = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "project_name",
            "project_key",
            "created",
            "estimate_raw",
            "title_model",
            "project_ref",
            "stats",
            "labels",
            "score",
        ]

    def get_project_ref(self, obj: Task) -> ProjectRefSerializer:
        return ProjectRefSerializer(obj.project).data  # type: ignore[return-value]

    def get_stats(self, obj: Task) -> Stats:
        return {"comments": obj.comments.count()}

    def get_labels(self, obj: Task) -> list[str] | None:
        return list(obj.tags)

    @extend_schema_field(OpenApiTypes.INT)
    def get_score(self, obj: Task) -> Any:
        return obj.priority * 10


def test_read_only_and_method_fields_are_typed_from_their_sources() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedFieldWarning)
        schema = schema_of(TypedTaskSerializer)
    assert field_types(schema, "TypedTask") == {
        "id": "Int!",
        "projectName": "String!",
        "projectKey": "Int!",
        "created": "String!",
        "estimateRaw": "Float",
        "titleModel": "String!",
        "projectRef": "ProjectRef!",
        "stats": "Stats!",
        "labels": "[String!]",
        "score": "Int",  # declared for drf-spectacular: nothing proves it (issue 23)
    }
    assert field_types(schema, "Stats") == {"comments": "Int!", "lastAuthor": "String"}


def test_method_field_without_hint_warns_naming_the_field() -> None:
    class LooseSerializer(serializers.Serializer):
        summary = serializers.SerializerMethodField()

        def get_summary(self, obj):  # type: ignore[no-untyped-def]
            return {}

    with pytest.warns(UnmappedFieldWarning, match=r"LooseSerializer\.summary: no return type"):
        schema = schema_of(LooseSerializer)
    assert field_types(schema, "Loose")["summary"] == "JSON"


# ----------------------------------------------------- 4. reverse relations, real pk type


class GroupMembersSerializer(serializers.ModelSerializer):
    user_set = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Group
        fields = ["id", "name", "user_set"]


def test_reverse_primary_key_relation_keeps_the_integer_pk() -> None:
    schema = schema_of(GroupMembersSerializer, Group.objects.all())
    assert field_types(schema, "GroupMembers")["userSet"] == "[Int!]!"


# ------------------------------------------------------- 5. request-dependent fields


class StaffOnlySerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and not request.user.is_staff:
            self.fields.pop("description", None)


def test_serializer_fields_that_vary_per_request_are_nullable() -> None:
    schema = schema_of(StaffOnlySerializer)
    assert field_types(schema, "StaffOnly")["title"] == "String"


# ------------------------------------------------------------ 7. lists, depth, files


class NestedDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "project", "assignee"]
        depth = 1


class PlainListsSerializer(serializers.Serializer):
    names = serializers.ListSerializer(child=serializers.CharField())
    numbers = serializers.ListField(child=serializers.IntegerField())
    attachment = serializers.FileField()
    picture = serializers.ImageField(required=False)


def test_meta_depth_nested_types_are_named_after_their_place() -> None:
    schema = schema_of(NestedDepthSerializer)
    types = field_types(schema, "NestedDepth")
    assert types["project"] == "NestedDepthProject!"
    assert types["assignee"] == "NestedDepthAssignee"
    assert "name" in field_types(schema, "NestedDepthProject")


def test_lists_of_plain_values_and_files_have_precise_types() -> None:
    schema = schema_of(PlainListsSerializer)
    assert field_types(schema, "PlainLists") == {
        "names": "[String!]!",
        "numbers": "[Int!]",  # a plain Serializer's field: provably nothing
        "attachment": "String",
        "picture": "String",
    }


# -------------------------------------------------------- 9. declared list parameters


class TaskTitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


class DeclaredFiltersViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskTitleSerializer
    queryset = Task.objects.all()
    pagination_class = None
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["status"]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="Updated after."),
            OpenApiParameter("min_priority", int),
            OpenApiParameter("ids", int, many=True),
        ]
    )
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)


def test_backend_and_extend_schema_parameters_become_list_arguments() -> None:
    schema = build_schema([("tasks", DeclaredFiltersViewSet)])
    assert arguments_of(schema, "tasks") == {
        "status": "String",
        "ordering": "String",
        "since": "String",
        "minPriority": "Int",
        "ids": "[Int!]",
    }


# ------------------------------------------------- serializers declared to drf-spectacular


class TaskIdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


class DeclaredOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """As drf-spectacular's suite writes it: the serializer exists only in the declaration."""

    queryset = Task.objects.all()
    pagination_class = None

    def get_serializer_class(self) -> Any:
        if self.request.user.is_anonymous:
            raise PermissionError("needs a signed-in user")
        return TaskIdSerializer

    @extend_schema(responses=TaskIdSerializer(many=True))
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=TaskIdSerializer)
    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().retrieve(request, *args, **kwargs)


def test_serializer_declared_only_to_extend_schema_types_the_viewset() -> None:
    schema = build_schema([("declared", DeclaredOnlyViewSet)])
    query = schema._schema.query_type.fields
    assert str(query["declared"].type) == "[TaskId!]!"
    assert str(query["task"].type) == "TaskId!"


class ChildIdsSerializer(serializers.ModelSerializer):
    """paperless-ngx's TagSerializer: a method field declared as a list of related pks."""

    children = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "children"]

    @extend_schema_field(
        serializers.ListSerializer(
            child=serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
        )
    )
    def get_children(self, obj: Any) -> list[int]:
        return []


def test_extend_schema_field_list_of_related_pks_is_a_list_of_pk_type() -> None:
    schema = schema_of(ChildIdsSerializer)
    # A declaration nothing checks: nullable, so a value contradicting it costs this field.
    assert field_types(schema, "ChildIds")["children"] == "[Int!]"
