"""DRF patterns answer as REST answers them: pk lists, absent fields, old choices, @actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from drf_graphql_live import build_schema
from drf_graphql_live.testing import execute
from sample_site.board.models import Task

pytestmark = pytest.mark.django_db


def answer(schema: Any, query: str, user: Any = None) -> Any:
    result = execute(schema, query, user=user)
    assert result.errors is None, result.errors
    return result.data


class GroupMembersSerializer(serializers.ModelSerializer):
    user_set = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Group
        fields = ["id", "name", "user_set"]


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Group.objects.all()
    serializer_class = GroupMembersSerializer
    pagination_class = None


def test_reverse_primary_keys_answer_integers_as_rest(board: Any) -> None:
    group = Group.objects.create(name="ops")
    group.user_set.set([board.alice, board.bob])
    schema = build_schema([("groups", GroupViewSet)])
    data = answer(schema, "{ groups { name userSet } }", board.alice)
    assert data["groups"] == [{"name": "ops", "userSet": [board.alice.pk, board.bob.pk]}]


class StaffOnlySerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "description", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and not request.user.is_staff:
            self.fields.pop("description", None)


class TaskViewSet(viewsets.ModelViewSet):
    queryset = Task.objects.order_by("id")
    serializer_class = StaffOnlySerializer
    pagination_class = None
    filter_backends: list[Any] = []
    permission_classes = [permissions.IsAuthenticated]

    # Answers another shape than the serializer's: declared, as OpenAPI needs it anyway.
    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def finish(self, request: Any, pk: Any = None) -> Response:
        task = self.get_object()
        task.status = Task.Status.DONE
        task.save()
        return Response({"id": task.pk, "status": task.status})

    # Answers another shape than the serializer's: declared, as OpenAPI needs it anyway.
    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False)
    def open_count(self, request: Any) -> Response:
        return Response({"count": self.get_queryset().exclude(status="done").count()})

    # Answers another shape than the serializer's: declared, as OpenAPI needs it anyway.
    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def rename(self, request: Any, pk: Any = None) -> Response:
        title = request.data.get("title", "")
        if not title:
            return Response({"title": ["This field is required."]}, status=400)
        Task.objects.filter(pk=pk).update(title=title)
        return Response({"title": title})


def test_field_absent_for_this_request_answers_null(board: Any) -> None:
    schema = build_schema([("tasks", TaskViewSet)])
    data = answer(schema, f'{{ task(id: "{board.docs.pk}") {{ title description }} }}', board.bob)
    assert data["task"] == {"title": board.docs.title, "description": None}


def test_choice_value_outside_today_choices_does_not_fail_the_list(board: Any) -> None:
    Task.objects.filter(pk=board.docs.pk).update(status="archived")
    schema = build_schema([("tasks", TaskViewSet)])
    statuses = [t["status"] for t in answer(schema, "{ tasks { status } }", board.alice)["tasks"]]
    assert "ARCHIVED" in statuses
    assert "IN_PROGRESS" in statuses


def test_custom_actions_run_through_the_viewset(board: Any) -> None:
    schema = build_schema([("tasks", TaskViewSet)])
    query = schema._schema.query_type.fields
    mutation = schema._schema.mutation_type.fields
    assert "openCountTasks" in query
    assert str(mutation["finishTask"].args["id"].type) == "ID!"
    done = answer(schema, f'mutation {{ finishTask(id: "{board.docs.pk}") }}', board.alice)
    assert done["finishTask"] == {"id": board.docs.pk, "status": "done"}
    board.docs.refresh_from_db()
    assert board.docs.status == "done"
    count = answer(schema, "{ openCountTasks }", board.alice)["openCountTasks"]
    assert count == {"count": Task.objects.exclude(status="done").count()}


def test_custom_action_refusals_are_coded_errors(board: Any) -> None:
    schema = build_schema([("tasks", TaskViewSet)])
    anonymous = execute(schema, f'mutation {{ finishTask(id: "{board.docs.pk}") }}')
    assert anonymous.errors[0].extensions["code"] == "NOT_AUTHENTICATED"
    invalid = execute(
        schema, f'mutation {{ renameTask(id: "{board.docs.pk}", input: {{}}) }}', user=board.alice
    )
    assert invalid.errors[0].extensions["code"] == "VALIDATION_ERROR"
    renamed = answer(
        schema,
        f'mutation {{ renameTask(id: "{board.docs.pk}", input: {{title: "New"}}) }}',
        board.alice,
    )
    assert renamed["renameTask"] == {"title": "New"}


class UndeclaredActionsViewSet(viewsets.ModelViewSet):
    """Write actions typed from the viewset's serializer, answering other shapes."""

    queryset = Task.objects.order_by("id")
    serializer_class = StaffOnlySerializer
    pagination_class = None
    filter_backends: list[Any] = []
    permission_classes = [permissions.IsAuthenticated]

    @action(detail=True, methods=["post"])
    def finish(self, request: Any, pk: Any = None) -> Response:
        task = self.get_object()
        task.status = Task.Status.DONE
        task.save()
        return Response({"detail": "finished"})  # DRF's set_password example: a status

    @action(detail=False, methods=["post"])
    def finish_all(self, request: Any) -> Response:
        self.get_queryset().update(status=Task.Status.DONE)
        return Response(["done"])  # not the one Task the type promises, nothing to re-read


def test_write_action_typed_from_the_serializer_answers_its_object_after_commit(
    board: Any, caplog: pytest.LogCaptureFixture
) -> None:
    schema = build_schema([("tasks", UndeclaredActionsViewSet)])
    mutation = schema._schema.mutation_type.fields
    assert str(mutation["finishTask"].type) == "StaffOnly"
    query = f'mutation {{ finishTask(id: "{board.docs.pk}") {{ id title status }} }}'
    data = answer(schema, query, board.alice)
    board.docs.refresh_from_db()
    assert board.docs.status == "done"
    # As a GET of the task reads it now, as the action answered nothing of the selection.
    assert data["finishTask"] == {"id": board.docs.pk, "title": board.docs.title, "status": "DONE"}
    assert "committed" not in caplog.text


def test_write_action_answer_that_does_not_fit_its_type_is_null_not_an_error(
    board: Any, caplog: pytest.LogCaptureFixture
) -> None:
    schema = build_schema([("tasks", UndeclaredActionsViewSet)])
    data = answer(schema, "mutation { finishAllTasks { id title } }", board.alice)
    assert data == {"finishAllTasks": None}
    assert not Task.objects.exclude(status="done").exists()  # committed
    assert "finishAllTasks committed, but its answer does not fit its type" in caplog.text
