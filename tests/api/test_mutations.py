"""Mutations run the viewset's create / partial_update / destroy, perform_* included.

Refusals come back as the codes docs/DESIGN.md lists, with DRF's field errors for
validation, and a refused mutation changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.throttling import SimpleRateThrottle

from drf_graphql_live.testing import execute, full_selection, rest_to_graphql
from sample_site.board.models import Comment, Task
from sample_site.schema import schema

pytestmark = pytest.mark.django_db

CREATE_TASK = (
    f"mutation($input: TaskInput!) {{ createTask(input: $input) {full_selection(schema, 'Task')} }}"
)
UPDATE_TASK = "mutation($id: ID!, $input: TaskPartialInput!) { updateTask(id: $id, input: $input) { id title status priority } }"
DELETE_TASK = "mutation($id: ID!) { deleteTask(id: $id) }"


def run(query: str, user: Any, **variables: Any) -> Any:
    return execute(schema, query, variables, user=user)


def test_create_returns_the_rest_representation(board, client_for):
    result = run(
        CREATE_TASK,
        board.alice,
        input={
            "project": board.shared.pk,
            "title": "Ship it",
            "status": "IN_PROGRESS",
            "estimate": "2.5",
            "tags": ["Release"],
        },
    )
    assert result.errors is None, result.errors
    created = result.data["createTask"]
    task = Task.objects.get(pk=created["id"])
    assert (task.title, task.status, str(task.estimate), task.tags) == (
        "Ship it",
        "in_progress",
        "2.50",
        ["release"],
    )
    rest = client_for(board.alice).get(f"/api/tasks/{task.pk}/").json()
    assert created == rest_to_graphql(schema, "Task", rest)


def test_create_runs_perform_create(board):
    result = run(
        "mutation($input: CommentInput!) { createComment(input: $input) { id author { username } } }",
        board.bob,
        input={"task": str(board.docs.pk), "body": "On it"},
    )
    assert result.errors is None, result.errors
    assert result.data["createComment"]["author"] == {"username": "bob"}
    assert Comment.objects.get(pk=result.data["createComment"]["id"]).author == board.bob


def test_validation_error_carries_drf_field_errors(board):
    result = run(CREATE_TASK, board.alice, input={"project": board.carol_only.pk, "title": "!!!"})
    error = result.errors[0]
    assert error.extensions["code"] == "VALIDATION_ERROR"
    assert set(error.extensions["fields"]) == {"project", "title"}
    assert all(isinstance(m, str) for m in error.extensions["fields"]["title"])
    assert not Task.objects.filter(title="!!!").exists()


def test_partial_update_changes_only_given_fields(board):
    result = run(UPDATE_TASK, board.bob, id=board.design.pk, input={"status": "DONE"})
    assert result.errors is None, result.errors
    assert result.data["updateTask"]["status"] == "DONE"
    board.design.refresh_from_db()
    assert (board.design.status, board.design.title) == ("done", "Design landing page")


def test_update_of_invisible_object_is_not_found(board):
    result = run(UPDATE_TASK, board.carol, id=board.design.pk, input={"title": "mine now"})
    assert result.errors[0].extensions["code"] == "NOT_FOUND"
    board.design.refresh_from_db()
    assert board.design.title == "Design landing page"


def test_object_permission_denied(board):
    result = run(
        "mutation($id: ID!, $input: CommentPartialInput!) { updateComment(id: $id, input: $input) { body } }",
        board.bob,
        id=board.alice_comment.pk,
        input={"body": "edited by bob"},
    )
    assert result.errors[0].extensions["code"] == "PERMISSION_DENIED"
    board.alice_comment.refresh_from_db()
    assert board.alice_comment.body == "Mock-ups soon."


def test_delete_returns_id_and_deletes(board):
    result = run(DELETE_TASK, board.alice, id=board.backlog.pk)
    assert result.errors is None, result.errors
    assert result.data == {"deleteTask": str(board.backlog.pk)}
    assert not Task.objects.filter(pk=board.backlog.pk).exists()


def test_delete_forbidden_by_object_permission_keeps_the_row(board):
    result = run(DELETE_TASK, board.bob, id=board.design.pk)  # assigned to alice
    assert result.errors[0].extensions["code"] == "PERMISSION_DENIED"
    assert Task.objects.filter(pk=board.design.pk).exists()


def test_anonymous_mutation_is_not_authenticated(board):
    result = run(DELETE_TASK, None, id=board.backlog.pk)
    assert result.errors[0].extensions["code"] == "NOT_AUTHENTICATED"
    assert Task.objects.filter(pk=board.backlog.pk).exists()


def test_read_only_viewset_has_no_mutations():
    mutation_fields = schema._schema.mutation_type.fields
    assert "createUser" not in mutation_fields
    assert {"createTask", "updateTask", "deleteTask"} <= set(mutation_fields)


def test_throttled_after_rate_limit(board, monkeypatch, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-test",
        }
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    codes = [
        (execute(schema, "{ tasks { count } }", user=board.alice).errors or [None])[0]
        for _ in range(3)
    ]
    assert codes[:2] == [None, None]
    assert codes[2].extensions["code"] == "THROTTLED"
    assert codes[2].extensions["wait"] > 0
