"""The board's filter values are scoped to the requesting user, over REST and GraphQL.

A choice queryset of ``Project.objects.all()`` is an existence oracle: another team's
project id answered an empty list where a nonexistent id answered a validation error.
Scoped (``sample_site/board/filters.py``), both answer the same refusal, so ids of
other teams cannot be probed through a filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from rest_framework.test import APIClient

from drf_graphql_live.testing import execute
from sample_site.board.models import Project, Task
from sample_site.schema import schema

if TYPE_CHECKING:
    from conftest import Board

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Any], APIClient]

TASKS = (
    "query($project: ID, $assignee: ID) { tasks(project: $project, assignee: $assignee) { count } }"
)
COMMENTS = "query($task: ID) { comments(task: $task) { count } }"


def missing_pk(model: type[Any]) -> int:
    """An id no row of ``model`` has."""
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def graphql_error(query: str, user: Any, **variables: Any) -> dict[str, Any]:
    result = execute(schema, query, variables, user=user)
    assert result.errors, f"expected an error, got {result.data}"
    return {"message": result.errors[0].message, **(result.errors[0].extensions or {})}


def without_ids(answer: Any, *ids: int) -> str:
    """The answer as text with the probed ids masked: only they may differ."""
    text = str(answer)
    for pk in ids:
        text = text.replace(str(pk), "<id>")
    return text


def test_rest_foreign_project_filter_answers_like_a_nonexistent_one(
    board: Board, client_for: ClientFor
) -> None:
    alice = client_for(board.alice)
    foreign = alice.get(f"/api/tasks/?project={board.carol_only.pk}")
    nonexistent = alice.get(f"/api/tasks/?project={missing_pk(Project)}")
    assert foreign.status_code == nonexistent.status_code == 400
    assert without_ids(foreign.json(), board.carol_only.pk) == without_ids(
        nonexistent.json(), missing_pk(Project)
    )


def test_graphql_foreign_project_filter_answers_like_a_nonexistent_one(board: Board) -> None:
    foreign = graphql_error(TASKS, board.alice, project=str(board.carol_only.pk))
    nonexistent = graphql_error(TASKS, board.alice, project=str(missing_pk(Project)))
    assert foreign["code"] == nonexistent["code"] == "VALIDATION_ERROR"
    assert foreign == nonexistent  # DRF's "Select a valid choice" names no id


def test_graphql_foreign_project_filter_error_equals_rest(
    board: Board, client_for: ClientFor
) -> None:
    rest = client_for(board.alice).get(f"/api/tasks/?project={board.carol_only.pk}").json()
    assert graphql_error(TASKS, board.alice, project=str(board.carol_only.pk))["fields"] == rest


def test_foreign_assignee_filter_answers_like_a_nonexistent_user(
    board: Board, client_for: ClientFor
) -> None:
    alice = client_for(board.alice)
    assert alice.get(f"/api/tasks/?assignee={board.carol.pk}").status_code == 400
    foreign = graphql_error(TASKS, board.alice, assignee=str(board.carol.pk))
    nonexistent = graphql_error(TASKS, board.alice, assignee=str(missing_pk(type(board.carol))))
    assert foreign == nonexistent
    assert foreign["code"] == "VALIDATION_ERROR"


def test_foreign_task_comment_filter_answers_like_a_nonexistent_task(
    board: Board, client_for: ClientFor
) -> None:
    alice = client_for(board.alice)
    assert alice.get(f"/api/comments/?task={board.lab.pk}").status_code == 400
    foreign = graphql_error(COMMENTS, board.alice, task=str(board.lab.pk))
    nonexistent = graphql_error(COMMENTS, board.alice, task=str(missing_pk(Task)))
    assert foreign == nonexistent
    assert foreign["code"] == "VALIDATION_ERROR"


def test_own_values_still_filter_over_rest_and_graphql(board: Board, client_for: ClientFor) -> None:
    bob = client_for(board.bob)
    rest = bob.get(f"/api/tasks/?project={board.shared.pk}&assignee={board.alice.pk}").json()
    result = execute(
        schema, TASKS, {"project": str(board.shared.pk), "assignee": str(board.alice.pk)},
        user=board.bob,
    )  # fmt: skip
    assert result.errors is None, result.errors
    assert result.data == {"tasks": {"count": rest["count"]}}
    assert rest["count"] == 1  # "Design landing page"
    comments = execute(schema, COMMENTS, {"task": str(board.design.pk)}, user=board.bob)
    assert comments.errors is None, comments.errors
    assert comments.data == {"comments": {"count": 2}}
