"""Queries run through the viewset: the GraphQL answer equals the REST answer.

Every registered endpoint of sample_site, for each user, with filters, search,
ordering and each paginator, is compared with what ``/api/...`` returns to the same
user (keys camelCased, choices as enum names: :func:`rest_to_graphql`).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from drf_graphql_live.testing import execute, full_selection, rest_to_graphql
from sample_site.board.models import Comment, Task
from sample_site.schema import schema

pytestmark = pytest.mark.django_db

TASK = full_selection(schema, "Task")


def graphql(query: str, user: Any = None, **variables: Any) -> dict[str, Any]:
    result = execute(schema, query, variables or None, user=user)
    assert result.errors is None, result.errors
    return result.data


def error_of(query: str, user: Any = None, **variables: Any) -> dict[str, Any]:
    result = execute(schema, query, variables or None, user=user)
    assert result.errors, f"expected an error, got {result.data}"
    return {"message": result.errors[0].message, **(result.errors[0].extensions or {})}


@pytest.mark.parametrize("username", ["alice", "bob", "carol"])
@pytest.mark.parametrize(
    ("query_args", "rest_query"),
    [
        ("", ""),
        ('(status: "todo")', "?status=todo"),
        ('(ordering: "-priority,title")', "?ordering=-priority,title"),
        ('(search: "docs")', "?search=docs"),
        ("(limit: 2, offset: 1)", "?limit=2&offset=1"),
        ("(project: $project)", "?project={project}"),
    ],
)
def test_task_list_equals_rest_for_each_user(board, client_for, username, query_args, rest_query):
    user = getattr(board, username)
    # A project of the user's own: another team's id is refused like a nonexistent one
    # (tests/sample_site/test_sample_site_filters.py).
    project = board.carol_only if username == "carol" else board.shared
    variables = {"project": str(project.pk)} if "$project" in query_args else {}
    declaration = "($project: ID)" if variables else ""
    data = graphql(
        f"query{declaration} {{ tasks{query_args} {{ count next previous results {TASK} }} }}",
        user,
        **variables,
    )
    rest = client_for(user).get("/api/tasks/" + rest_query.format(project=project.pk)).json()
    assert data["tasks"]["count"] == rest["count"]
    assert data["tasks"]["next"] == rest["next"]
    assert data["tasks"]["previous"] == rest["previous"]
    assert data["tasks"]["results"] == rest_to_graphql(schema, "Task", rest["results"])


@pytest.mark.parametrize(
    ("field", "type_name", "rest_path", "page_fields"),
    [
        ("projects", "Project", "/api/projects/", "next previous"),
        ("comments", "Comment", "/api/comments/", "count next previous"),
    ],
)
def test_other_paginated_lists_equal_rest(
    board, client_for, field, type_name, rest_path, page_fields
):
    for user in (board.alice, board.bob, board.carol):
        data = graphql(
            f"{{ {field} {{ {page_fields} results {full_selection(schema, type_name)} }} }}", user
        )
        rest = client_for(user).get(rest_path).json()
        assert data[field]["results"] == rest_to_graphql(schema, type_name, rest["results"])
        for key in page_fields.split():
            assert data[field][key] == rest[key]


def test_cursor_page_follows_rest_next_link(board, client_for):
    for n in range(25):
        project = board.shared.__class__.objects.create(name=f"p{n}")
        project.members.add(board.alice)
    first = graphql("{ projects { next results { id } } }", board.alice)["projects"]
    rest_first = client_for(board.alice).get("/api/projects/").json()
    assert first["next"] == rest_first["next"]
    cursor = first["next"].split("cursor=")[1]
    second = graphql(
        "query($c: String) { projects(cursor: $c) { results { id } } }", board.alice, c=cursor
    )
    rest_second = client_for(board.alice).get(rest_first["next"]).json()
    assert [r["id"] for r in second["projects"]["results"]] == [
        r["id"] for r in rest_second["results"]
    ]


def test_unpaginated_list_is_a_plain_list_equal_to_rest(board, client_for):
    for user in (board.alice, board.carol):
        data = graphql(f"{{ users {full_selection(schema, 'User')} }}", user)
        assert data["users"] == rest_to_graphql(
            schema, "User", client_for(user).get("/api/users/").json()
        )


def test_detail_equals_rest(board, client_for):
    data = graphql(f"query($id: ID!) {{ task(id: $id) {TASK} }}", board.bob, id=board.design.pk)
    rest = client_for(board.bob).get(f"/api/tasks/{board.design.pk}/").json()
    assert data["task"] == rest_to_graphql(schema, "Task", rest)
    assert data["task"]["estimate"] == "8.00"  # DRF's representation, unchanged


def test_detail_of_invisible_object_is_not_found(board):
    error = error_of("query($id: ID!) { task(id: $id) { id } }", board.bob, id=board.errand.pk)
    assert error["code"] == "NOT_FOUND"


def test_anonymous_list_is_not_authenticated(board):
    assert error_of("{ tasks { count } }")["code"] == "NOT_AUTHENTICATED"


def test_token_header_authenticates_like_rest(board):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=board.carol)
    result = execute(
        schema, "{ tasks { results { title } } }", headers={"Authorization": f"Token {token.key}"}
    )
    assert result.data["tasks"]["results"] == [{"title": "Calibrate sensors"}]
    bad = execute(schema, "{ tasks { count } }", headers={"Authorization": "Token nope"})
    assert bad.errors[0].extensions["code"] == "NOT_AUTHENTICATED"


def test_invalid_filter_value_is_a_validation_error(board):
    error = error_of('{ tasks(status: "nonsense") { count } }', board.alice)
    assert error["code"] == "VALIDATION_ERROR"
    assert "status" in error["fields"]


def test_list_query_count_does_not_grow_with_rows(board, django_assert_num_queries):
    query = f"{{ tasks {{ count results {TASK} }} }}"
    with django_assert_num_queries(_count_queries(query, board.alice)):
        graphql(query, board.alice)
    for n in range(20):
        task = Task.objects.create(project=board.shared, title=f"extra {n}", assignee=board.bob)
        Comment.objects.create(task=task, author=board.alice, body="more")
    with django_assert_num_queries(_count_queries(query, board.alice)) as captured:
        data = graphql(query, board.alice)
    assert data["tasks"]["count"] == 24
    assert len(captured.captured_queries) <= 8


def _count_queries(query: str, user: Any) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        graphql(query, user)
    return len(captured.captured_queries)


def test_only_selected_fields_are_computed(board, django_assert_num_queries, monkeypatch):
    from sample_site.board.serializers import TaskSerializer

    calls = []
    original = TaskSerializer.get_comment_count
    monkeypatch.setattr(
        TaskSerializer,
        "get_comment_count",
        lambda self, obj: calls.append(obj) or original(self, obj),
    )
    data = graphql("{ tasks { results { title } } }", board.alice)
    assert calls == []
    assert set(data["tasks"]["results"][0]) == {"title"}
    graphql("{ tasks { results { commentCount } } }", board.alice)
    assert len(calls) == 4


def test_fragments_and_aliases_select_serializer_fields(board):
    data = graphql(
        """{ tasks(ordering: "id") { results { ...T  name: title assigneeDetail { ... on User { username } } } } }
        fragment T on Task { id }""",
        board.alice,
    )
    assert data["tasks"]["results"][0] == {
        "id": board.design.pk,
        "name": "Design landing page",
        "assigneeDetail": {"username": "alice"},
    }
