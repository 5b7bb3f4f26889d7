"""Views, serializers and filter sets read with a mock request, as drf-spectacular does.

Routers as real projects write them (USERS.md): ``get_serializer_class()`` reading
``self.request``, serializers reading ``context["request"]``, plain ``ViewSet``s and
filters without a queryset. Each must build the fields a client would expect.
"""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
import strawberry
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, versioning, viewsets
from rest_framework.response import Response

from sample_site.board.models import Project, Task
from schema_gen import Endpoint, generate_schema
from schema_gen.introspection import instantiate, introspecting


def _runner(field: Any) -> Any:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
        return None

    return impl


def build(*endpoints: tuple[str, str, type]) -> Any:
    return generate_schema([Endpoint(*e) for e in endpoints], runner=_runner, strict=True)


def fields_of(schema: Any, type_name: str) -> list[str]:
    return list(schema._schema.type_map[type_name].fields)


def args_of(schema: Any, field: str) -> list[str]:
    return list(schema._schema.query_type.fields[field].args)


class TaskSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


class TaskWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "description"]


class TaskV2Serializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "status"]


class BaseTaskViewSet(viewsets.ModelViewSet):
    queryset = Task.objects.all()
    pagination_class = None
    filter_backends: list[Any] = []


def test_get_serializer_class_reading_request_method_user_and_version_builds() -> None:
    class TaskViewSet(BaseTaskViewSet):
        versioning_class = type(
            "Versioning", (versioning.QueryParameterVersioning,), {"default_version": "v2"}
        )

        def get_serializer_class(self) -> type:
            if self.request.method == "POST":
                return TaskWriteSerializer
            if self.request.user.is_staff:
                return TaskSummarySerializer
            return TaskV2Serializer if self.request.version == "v2" else TaskSummarySerializer

    schema = build(("tasks", "task", TaskViewSet))
    assert fields_of(schema, "TaskV2") == ["id", "title", "status"]
    assert list(schema._schema.type_map["TaskWriteInput"].fields) == ["title", "description"]


def test_serializer_reading_context_request_in_get_fields_builds() -> None:
    class ProjectSerializer(serializers.ModelSerializer):
        class Meta:
            model = Project
            fields = ["id", "name", "created_at"]

        def get_fields(self) -> dict[str, Any]:
            fields = super().get_fields()
            if not self.context["request"].user.is_authenticated:
                fields.pop("created_at")
            return fields

    class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
        queryset = Project.objects.all()
        serializer_class = ProjectSerializer
        pagination_class = None
        filter_backends: list[Any] = []

    schema = build(("projects", "project", ProjectViewSet))
    # Issue 11 part B (schema_gen/variants.py): a field some requests get (here an
    # authenticated one) is in the type too, nullable, and null where REST leaves it out.
    assert fields_of(schema, "Project") == ["id", "name", "createdAt"]


def test_plain_viewset_with_a_serializer_class_builds() -> None:
    class ReportViewSet(viewsets.ViewSet):
        serializer_class = TaskSummarySerializer

        def list(self, request: Any) -> Response:
            return Response([])

        def retrieve(self, request: Any, pk: str) -> Response:
            return Response({})

    schema = build(("reports", "report", ReportViewSet))
    assert list(schema._schema.query_type.fields) == ["reports", "report"]
    assert schema._schema.mutation_type is None


def test_filters_without_a_queryset_are_read_from_the_bound_filterset() -> None:
    class TaskFilter(django_filters.FilterSet):
        title = django_filters.AllValuesFilter()
        watchers = django_filters.ModelMultipleChoiceFilter(field_name="project__members")
        priority = django_filters.RangeFilter()

        class Meta:
            model = Task
            fields = ["title", "watchers", "priority"]

    class TaskViewSet(BaseTaskViewSet):
        serializer_class = TaskSummarySerializer
        filter_backends = [DjangoFilterBackend]
        filterset_class = TaskFilter

    schema = build(("tasks", "task", TaskViewSet))
    assert args_of(schema, "tasks") == ["title", "watchers", "priorityMin", "priorityMax"]


def test_filterset_adding_filters_per_request_is_read_with_the_mock_request() -> None:
    class TaskFilter(django_filters.FilterSet):
        class Meta:
            model = Task
            fields = ["status"]

        def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, request=request, **kwargs)
            if request is not None and request.method == "GET":
                self.filters["title"] = django_filters.CharFilter(field_name="title")

    class TaskViewSet(BaseTaskViewSet):
        serializer_class = TaskSummarySerializer
        filter_backends = [DjangoFilterBackend]
        filterset_class = TaskFilter

    schema = build(("tasks", "task", TaskViewSet))
    assert args_of(schema, "tasks") == ["status", "title"]


@pytest.mark.parametrize(("action", "method"), [("list", "GET"), ("create", "POST")])
def test_serializers_get_the_view_context_with_an_anonymous_mock_request(
    action: str, method: str
) -> None:
    class TaskViewSet(BaseTaskViewSet):
        serializer_class = TaskSummarySerializer

    view = Endpoint("tasks", "task", TaskViewSet).view(action)
    with introspecting(view):
        context = instantiate(TaskSummarySerializer).context
    assert context["view"] is view
    assert context["request"].method == method
    assert context["request"].path == reverse("task-list")  # the REST route, as mounted
    assert context["request"].user.is_anonymous
    assert instantiate(TaskSummarySerializer).context == {}  # outside of introspection


def test_get_serializer_class_reading_the_routes_path_and_basename_builds() -> None:
    """drf-spectacular's mock request is a request to the route's real URL."""

    class TaskViewSet(BaseTaskViewSet):
        def get_serializer_class(self) -> type:
            assert self.request.path.startswith(reverse("task-list"))
            assert self.basename == "task"
            return TaskSummarySerializer if self.detail else TaskWriteSerializer

    schema = build(("tasks", "task", TaskViewSet))
    assert (
        schema._schema.query_type.fields["tasks"].type.of_type.of_type.of_type.name == "TaskWrite"
    )
    assert schema._schema.query_type.fields["task"].type.of_type.name == "TaskSummary"


def test_mock_request_of_a_detail_route_has_the_lookup_placeholder_in_its_path() -> None:
    class TaskViewSet(BaseTaskViewSet):
        serializer_class = TaskSummarySerializer

    view = Endpoint("tasks", "task", TaskViewSet).view("retrieve")
    assert view.request.path == reverse("task-list") + "{pk}/"


def test_mock_request_of_a_router_not_in_the_urlconf_is_to_its_prefix() -> None:
    class TaskViewSet(BaseTaskViewSet):
        serializer_class = TaskSummarySerializer

    endpoint = Endpoint("chores", "chore", TaskViewSet)
    assert endpoint.view("list").request.path == "/chores/"
    assert endpoint.view("destroy").request.path == "/chores/{pk}/"
