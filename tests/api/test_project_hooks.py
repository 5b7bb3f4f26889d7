"""Hooks real projects override: never re-entered by us, and a committed write answers.

* ``get_serializer_context()`` calling ``self.filter_queryset(...)`` (paperless-ngx does):
  trimming and joins must not recurse through it, for queries and list subscriptions.
* A serializer whose fields depend on the request (here: ``status`` only on GET): the
  mutation's response lacks a field the type says is non-null, yet the change is
  committed, so the answer is the object read again, never an error.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import include, path
from graphql import GraphQLField, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLString
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from drf_graphql_live import build_schema
from drf_graphql_live.api.payload import filled, missing_fields
from drf_graphql_live.testing import execute
from sample_site.board.models import Project, Task

User = get_user_model()

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class CardSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "project_name"]


class CardViewSet(viewsets.ModelViewSet):
    """paperless-ngx's pattern: the serializer context needs the filtered queryset."""

    serializer_class = CardSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    queryset = Task.objects.order_by("id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_count"] = self.filter_queryset(self.get_queryset()).count()
        return context


class GetOnlyStatusSerializer(serializers.ModelSerializer):
    """``status`` is shown to reads only (a field that depends on the request)."""

    class Meta:
        model = Task
        fields = ["id", "title", "status"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method != "GET":
            fields.pop("status")
        return fields


class StatusCardViewSet(viewsets.ModelViewSet):
    serializer_class = GetOnlyStatusSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    queryset = Task.objects.order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.save(project=Project.objects.get(name="inbox"))


router = SimpleRouter()
router.register("cards", CardViewSet, basename="card")
router.register("status-cards", StatusCardViewSet, basename="status-card")
urlpatterns = [path("", include(router.urls))]


@pytest.fixture(scope="module")
def schema() -> Any:
    return build_schema(router)


@pytest.fixture
def user(db: None) -> Any:
    return User.objects.create_user("paula", password="x")


@pytest.fixture
def task(db: None) -> Task:
    return Task.objects.create(project=Project.objects.create(name="inbox"), title="scan")


def data_of(result: Any) -> Any:
    assert result.errors is None, result.errors
    return result.data


def test_list_with_context_calling_filter_queryset_equals_rest(schema, user, task):
    result = execute(schema, "{ cards { id title projectName } }", user=user)
    client = APIClient()
    client.force_authenticate(user)
    rest = client.get("/cards/").json()
    assert data_of(result)["cards"] == [
        {"id": r["id"], "title": r["title"], "projectName": r["project_name"]} for r in rest
    ]


def test_detail_with_context_calling_filter_queryset_answers(schema, user, task):
    result = execute(
        schema, "query($id: ID!) { card(id: $id) { title } }", {"id": task.pk}, user=user
    )
    assert data_of(result) == {"card": {"title": "scan"}}


def test_list_with_context_calling_filter_queryset_still_joins(
    schema, user, task, django_assert_max_num_queries
):
    Task.objects.create(project=Project.objects.create(name="other"), title="two")
    Task.objects.create(project=Project.objects.create(name="third"), title="three")
    # The project's context hook counts (for the page's serializer and for the one the
    # joins are read from), then one list query with the join: none per row.
    with django_assert_max_num_queries(3):
        data_of(execute(schema, "{ cards { projectName } }", user=user))


def test_update_whose_response_lacks_a_non_null_field_answers_with_data(schema, user, task):
    query = """mutation($id: ID!) {
        updateStatusCard(id: $id, input: { title: "scanned" }) { id title status }
    }"""
    result = execute(schema, query, {"id": task.pk}, user=user)
    assert data_of(result) == {
        "updateStatusCard": {"id": task.pk, "title": "scanned", "status": "TODO"}
    }
    assert Task.objects.get(pk=task.pk).title == "scanned"


def test_create_whose_response_lacks_a_non_null_field_answers_with_data(schema, user, task):
    query = 'mutation { createStatusCard(input: { title: "fresh" }) { title status } }'
    result = execute(schema, query, user=user)
    assert data_of(result) == {"createStatusCard": {"title": "fresh", "status": "TODO"}}


def test_missing_fields_names_absent_fields_and_nulls_where_non_null():
    card = GraphQLObjectType(
        "Card",
        {
            "id": GraphQLField(GraphQLNonNull(GraphQLInt)),
            "title": GraphQLField(GraphQLNonNull(GraphQLString)),
            "status": GraphQLField(GraphQLString),
        },
    )
    tree = {"id": {}, "title": {}, "status": {}}
    value = {"id": 1, "title": None}
    assert missing_fields(value, GraphQLNonNull(card), tree) == ["title", "status"]
    assert missing_fields({**value, "title": "t", "status": None}, card, tree) == []
    assert missing_fields(filled(value, {"title": "t", "status": "todo"}), card, tree) == []
