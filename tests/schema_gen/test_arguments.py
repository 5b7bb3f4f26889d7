"""Arguments of list fields: filters, search, ordering and the paginator's own.

Every argument stands for the REST query parameter of the same list endpoint, so the
GraphQL call ``tasks(status: "done", limit: 5)`` must become ``?status=done&limit=5``.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import django_filters
import strawberry
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, pagination, serializers, viewsets

from sample_site.board.filters import TaskFilter
from sample_site.board.models import Task
from schema_gen import Endpoint, generate_schema
from schema_gen.arguments import Argument, to_query_params

# --------------------------------------------------------------------------- helpers


class TaskRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "status", "priority"]


def _runner(field: Any) -> Any:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
        return None

    return impl


def task_viewset(**attrs: Any) -> type:
    attrs = {"queryset": Task.objects.all(), "serializer_class": TaskRowSerializer,
             "pagination_class": None, "filter_backends": [], **attrs}  # fmt: skip
    return type("TaskRowViewSet", (viewsets.ModelViewSet,), attrs)


def build(viewset: type, runner: Any = _runner) -> Any:
    return generate_schema([Endpoint("tasks", "task", viewset)], runner=runner)


def list_args(schema: Any, field: str = "tasks") -> dict[str, str]:
    """``{argument: printed type}`` of a Query field, in declaration order."""
    args = schema._schema.query_type.fields[field].args
    return {name: str(arg.type) for name, arg in args.items()}


def list_type(schema: Any, field: str = "tasks") -> str:
    return str(schema._schema.query_type.fields[field].type)


def fields_of(schema: Any, type_name: str) -> dict[str, str]:
    graphql_type = schema._schema.type_map[type_name]
    return {name: str(field.type) for name, field in graphql_type.fields.items()}


# --------------------------------------------------------------------- django-filter


def test_filterset_fields_give_one_camel_cased_argument_per_filter() -> None:
    viewset = task_viewset(
        filter_backends=[DjangoFilterBackend],
        filterset_fields=["status", "project", "assignee", "due_date"],
    )
    assert list_args(build(viewset)) == {
        "status": "String",
        "project": "ID",
        "assignee": "ID",
        "dueDate": "String",
    }


def test_filterset_fields_with_lookups_name_each_lookup() -> None:
    viewset = task_viewset(
        filter_backends=[DjangoFilterBackend],
        filterset_fields={"priority": ["exact", "gte"], "estimate": ["lt"], "title": ["icontains"]},
    )
    assert list_args(build(viewset)) == {
        "priority": "String",  # a ChoiceFilter: the model field has choices
        "priorityGte": "Int",
        "estimateLt": "Float",  # a NumberFilter on a DecimalField
        "titleIcontains": "String",
    }


def test_filterset_class_gives_one_argument_per_declared_filter() -> None:
    viewset = task_viewset(filter_backends=[DjangoFilterBackend], filterset_class=TaskFilter)
    schema = build(viewset)
    assert list_args(schema) == {
        "status": "String",
        "project": "ID",
        "assignee": "ID",
        "priority": "String",
        "dueBefore": "String",
    }
    due_before = schema._schema.query_type.fields["tasks"].args["dueBefore"]
    assert due_before.description == "Due on or before"


class RichTaskFilter(django_filters.FilterSet):
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    min_priority = django_filters.NumberFilter(field_name="priority", lookup_expr="gte")
    max_estimate = django_filters.NumberFilter(field_name="estimate", lookup_expr="lte")
    statuses = django_filters.MultipleChoiceFilter(field_name="status", choices=Task.Status.choices)
    projects = django_filters.ModelMultipleChoiceFilter(
        field_name="project", queryset=Task._meta.get_field("project").related_model.objects.all()
    )
    priority_range = django_filters.RangeFilter(field_name="priority")
    due = django_filters.DateFromToRangeFilter(field_name="due_date")
    ids = django_filters.BaseInFilter(field_name="id", lookup_expr="in")

    class Meta:
        model = Task
        fields: list[str] = []


def test_django_filter_types_map_to_precise_graphql_types() -> None:
    viewset = task_viewset(filter_backends=[DjangoFilterBackend], filterset_class=RichTaskFilter)
    assert list_args(build(viewset)) == {
        "unassigned": "Boolean",
        "minPriority": "Int",
        "maxEstimate": "Float",
        "statuses": "[String!]",
        "projects": "[ID!]",
        "priorityRangeMin": "String",
        "priorityRangeMax": "String",
        "dueAfter": "String",
        "dueBefore": "String",
        "ids": "String",
    }


def test_django_filter_backend_without_filters_adds_no_arguments() -> None:
    viewset = task_viewset(filter_backends=[DjangoFilterBackend])
    assert list_args(build(viewset)) == {}


def test_callable_filter_queryset_is_still_called_per_request_after_generation() -> None:
    """Reading a filter's form field caches it on the filter; every FilterSet deep-copies
    its ``base_filters``, so the generator must not leave its request-less field there."""
    requests: list[Any] = []

    def per_request(request: Any) -> Any:
        requests.append(request)
        return Task.objects.none() if request is None else Task.objects.filter(pk=request)

    class PerRequestFilter(django_filters.FilterSet):
        same = django_filters.ModelChoiceFilter(field_name="id", queryset=per_request)

        class Meta:
            model = Task
            fields: list[str] = []

    build(task_viewset(filter_backends=[DjangoFilterBackend], filterset_class=PerRequestFilter))
    assert "_field" not in PerRequestFilter.base_filters["same"].__dict__
    filterset = PerRequestFilter(queryset=Task.objects.all(), request=7)
    assert str(filterset.form.fields["same"].queryset.query) == str(Task.objects.filter(pk=7).query)
    assert requests[-1] == 7


# --------------------------------------------------------------- search and ordering


def test_search_argument_with_search_filter_and_search_fields() -> None:
    viewset = task_viewset(filter_backends=[filters.SearchFilter], search_fields=["title"])
    assert list_args(build(viewset)) == {"search": "String"}


def test_no_search_argument_without_search_fields() -> None:
    """DRF ignores ?search= when the view has no search_fields: no dead argument."""
    viewset = task_viewset(filter_backends=[filters.SearchFilter])
    assert "search" not in list_args(build(viewset))


def test_no_search_argument_without_search_filter() -> None:
    viewset = task_viewset(filter_backends=[filters.OrderingFilter], search_fields=["title"])
    assert "search" not in list_args(build(viewset))


def test_search_argument_uses_the_configured_search_param() -> None:
    class QSearch(filters.SearchFilter):
        search_param = "q"

    viewset = task_viewset(filter_backends=[QSearch], search_fields=["title"])
    assert list_args(build(viewset)) == {"q": "String"}


def test_ordering_argument_with_ordering_filter() -> None:
    viewset = task_viewset(filter_backends=[filters.OrderingFilter], ordering_fields=["title"])
    schema = build(viewset)
    assert list_args(schema) == {"ordering": "String"}


def test_no_ordering_argument_without_ordering_filter() -> None:
    viewset = task_viewset(filter_backends=[filters.SearchFilter], search_fields=["title"])
    assert "ordering" not in list_args(build(viewset))


def test_project_default_filter_backends_apply_when_the_viewset_sets_none() -> None:
    """sample_site's DEFAULT_FILTER_BACKENDS: django-filter, SearchFilter, OrderingFilter."""
    attrs = {"queryset": Task.objects.all(), "serializer_class": TaskRowSerializer,
             "pagination_class": None, "filterset_fields": ["status"],
             "search_fields": ["title"]}  # fmt: skip
    viewset = type("DefaultBackendsViewSet", (viewsets.ModelViewSet,), attrs)
    assert list_args(build(viewset)) == {
        "status": "String",
        "search": "String",
        "ordering": "String",
    }


def test_filter_arguments_only_on_the_list_field() -> None:
    viewset = task_viewset(
        filter_backends=[DjangoFilterBackend, filters.SearchFilter],
        filterset_fields=["status"],
        search_fields=["title"],
    )
    assert list_args(build(viewset), "task") == {"id": "ID!"}


# ------------------------------------------------------------------------ pagination


def test_limit_offset_pagination_gives_limit_and_offset() -> None:
    viewset = task_viewset(pagination_class=pagination.LimitOffsetPagination)
    assert list_args(build(viewset)) == {"limit": "Int", "offset": "Int"}


def test_page_number_pagination_with_page_size_param_gives_page_and_page_size() -> None:
    class Pages(pagination.PageNumberPagination):
        page_size = 10
        page_size_query_param = "page_size"

    viewset = task_viewset(pagination_class=Pages)
    assert list_args(build(viewset)) == {"page": "Int", "pageSize": "Int"}


def test_page_number_pagination_without_page_size_param_gives_page_only() -> None:
    class Pages(pagination.PageNumberPagination):
        page_size = 10

    viewset = task_viewset(pagination_class=Pages)
    assert list_args(build(viewset)) == {"page": "Int"}


def test_cursor_pagination_gives_cursor() -> None:
    class Cursor(pagination.CursorPagination):
        ordering = "-id"

    viewset = task_viewset(pagination_class=Cursor)
    assert list_args(build(viewset)) == {"cursor": "String"}


def test_pagination_arguments_follow_filter_arguments() -> None:
    viewset = task_viewset(
        pagination_class=pagination.LimitOffsetPagination,
        filter_backends=[DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter],
        filterset_fields=["status"],
        search_fields=["title"],
    )
    assert list(list_args(build(viewset))) == ["status", "search", "ordering", "limit", "offset"]


def test_paginated_list_returns_a_page_type() -> None:
    schema = build(task_viewset(pagination_class=pagination.LimitOffsetPagination))
    assert list_type(schema) == "TaskRowPage!"
    assert fields_of(schema, "TaskRowPage") == {
        "count": "Int",
        "results": "[TaskRow!]!",
        "next": "String",
        "previous": "String",
    }


def test_unpaginated_list_returns_a_plain_list() -> None:
    schema = build(task_viewset(pagination_class=None))
    assert list_type(schema) == "[TaskRow!]!"
    assert "TaskRowPage" not in schema._schema.type_map


def test_detail_field_is_never_paginated() -> None:
    schema = build(task_viewset(pagination_class=pagination.LimitOffsetPagination))
    assert str(schema._schema.query_type.fields["task"].type) == "TaskRow!"


# --------------------------------------------------------------------- query params


class Colour(enum.Enum):
    DARK_RED = "dark-red"


def _arg(name: str, annotation: Any = str) -> Argument:
    return Argument(f"a_{name}", name, annotation | None, name)


def test_to_query_params_converts_booleans_to_drf_syntax() -> None:
    args = [_arg("unassigned", bool), _arg("archived", bool)]
    assert to_query_params(args, {"a_unassigned": True, "a_archived": False}) == [
        ("unassigned", "true"),
        ("archived", "false"),
    ]


def test_to_query_params_repeats_list_values() -> None:
    args = [_arg("statuses", list[str])]
    assert to_query_params(args, {"a_statuses": ["todo", "done"]}) == [
        ("statuses", "todo"),
        ("statuses", "done"),
    ]


def test_to_query_params_omits_unset_and_none() -> None:
    args = [_arg("status"), _arg("search"), _arg("ordering")]
    values = {"a_status": strawberry.UNSET, "a_search": None}
    assert to_query_params(args, values) == []


def test_to_query_params_sends_enum_values_not_names() -> None:
    assert to_query_params([_arg("colour")], {"a_colour": Colour.DARK_RED}) == [
        ("colour", "dark-red")
    ]


def test_to_query_params_keeps_falsy_non_null_values() -> None:
    args = [_arg("offset", int), _arg("search")]
    assert to_query_params(args, {"a_offset": 0, "a_search": ""}) == [
        ("offset", "0"),
        ("search", ""),
    ]


def test_graphql_arguments_become_the_rest_query_params_of_the_list() -> None:
    captured: list[list[tuple[str, str]]] = []

    def runner(field: Any) -> Any:
        async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
            captured.append(to_query_params(list(field.arguments), arguments))
            return {"count": 0, "results": [], "next": None, "previous": None}

        return impl

    viewset = task_viewset(
        pagination_class=pagination.LimitOffsetPagination,
        filter_backends=[DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter],
        filterset_class=RichTaskFilter,
        search_fields=["title"],
    )
    schema = build(viewset, runner)
    query = """{
      tasks(unassigned: true, minPriority: 2, statuses: ["todo", "done"], dueAfter: "2030-01-01",
            search: "bug", ordering: "-priority,title", limit: 5) { count }
    }"""
    result = asyncio.run(schema.execute(query))
    assert result.errors is None
    assert captured == [
        [
            ("unassigned", "true"),
            ("min_priority", "2"),
            ("statuses", "todo"),
            ("statuses", "done"),
            ("due_after", "2030-01-01"),
            ("search", "bug"),
            ("ordering", "-priority,title"),
            ("limit", "5"),
        ]
    ]


def test_lookup_argument_names_the_url_kwarg() -> None:
    captured: list[Any] = []

    def runner(field: Any) -> Any:
        async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
            captured.append((field.arguments[0].query_param, arguments))
            return {"id": 1}

        return impl

    schema = build(task_viewset(lookup_field="title"), runner)
    result = asyncio.run(schema.execute('{ task(title: "x") { id } }'))
    assert result.errors is None
    assert captured == [("title", {"lookup": "x"})]
