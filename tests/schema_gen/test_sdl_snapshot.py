"""The SDL of the sample_site schema, compared with a committed snapshot.

Any change to a generated name or type shows up as a diff of
``tests/schema_gen/snapshots/sample_site.graphql`` in review. After an intended change,
regenerate it with::

    UPDATE_SNAPSHOTS=1 pytest tests/schema_gen/test_sdl_snapshot.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from strawberry.printer import print_schema

SNAPSHOT = Path(__file__).parent / "snapshots" / "sample_site.graphql"


@pytest.fixture(scope="module")
def sdl() -> str:
    from sample_site.schema import schema

    return print_schema(schema) + "\n"


def test_sample_site_sdl_matches_the_snapshot(sdl: str) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(sdl, encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT} is missing: run with UPDATE_SNAPSHOTS=1 to create it"
    assert sdl == SNAPSHOT.read_text(encoding="utf-8"), (
        "The generated SDL changed. If the change is intended, regenerate the snapshot "
        "with UPDATE_SNAPSHOTS=1 and review the diff."
    )


def _block(sdl: str, keyword: str, name: str) -> str:
    match = re.search(rf"^{keyword} {name} \{{\n(.*?)^\}}", sdl, re.MULTILINE | re.DOTALL)
    assert match, f"{keyword} {name} not in the SDL"
    return match.group(1)


def _root_field(sdl: str, root: str, field: str) -> str:
    """One root field as a single line, arguments (without descriptions) included."""
    body = _block(sdl, "type", root)
    body = re.sub(r'\s*""".*?"""', "", body, flags=re.DOTALL)  # drop descriptions
    match = re.search(rf"^  {field}(\(.*?\))?: \S+$", body, re.MULTILINE | re.DOTALL)
    assert match, f"{root}.{field} not in the SDL"
    return " ".join(match.group(0).split()).replace("( ", "(").replace(" )", ")")


@pytest.mark.parametrize(
    ("root", "field", "line"),
    [
        ("Query", "task", "task(id: ID!): Task!"),
        ("Query", "project", "project(id: ID!): Project!"),
        ("Query", "comment", "comment(id: ID!): Comment!"),
        ("Query", "user", "user(id: ID!): User!"),
        ("Query", "users", "users(search: String ordering: String): [User!]!"),
        ("Mutation", "createTask", "createTask(input: TaskInput!): Task!"),
        ("Mutation", "updateTask", "updateTask(id: ID!, input: TaskPartialInput!): Task!"),
        ("Mutation", "deleteTask", "deleteTask(id: ID!): ID!"),
        ("Mutation", "createProject", "createProject(input: ProjectInput!): Project!"),
        ("Mutation", "deleteComment", "deleteComment(id: ID!): ID!"),
    ],
)
def test_sample_site_root_fields_follow_design_names(
    sdl: str, root: str, field: str, line: str
) -> None:
    assert _root_field(sdl, root, field) == line


def test_sample_site_task_list_has_filter_search_ordering_and_limit_offset(sdl: str) -> None:
    assert _root_field(sdl, "Query", "tasks") == (
        "tasks(status: String project: ID assignee: ID priority: String dueBefore: String "
        "search: String ordering: String limit: Int offset: Int): TaskPage!"
    )


def test_sample_site_comment_list_uses_page_numbers(sdl: str) -> None:
    assert _root_field(sdl, "Query", "comments") == (
        "comments(task: ID search: String ordering: String page: Int pageSize: Int): CommentPage!"
    )


def test_sample_site_project_list_uses_a_cursor(sdl: str) -> None:
    assert _root_field(sdl, "Query", "projects") == (
        "projects(search: String cursor: String): ProjectPage!"
    )


def test_sample_site_users_are_read_only(sdl: str) -> None:
    mutations = _block(sdl, "type", "Mutation")
    assert "User" not in re.sub(r'""".*?"""', "", mutations, flags=re.DOTALL)


def test_sample_site_task_page_has_the_design_shape(sdl: str) -> None:
    page = _block(sdl, "type", "TaskPage")
    assert page.split() == [
        "count:", "Int", "results:", "[Task!]!", "next:", "String", "previous:", "String",
    ]  # fmt: skip


def test_sample_site_task_status_is_an_enum(sdl: str) -> None:
    assert _block(sdl, "enum", "TaskStatus").split() == ["TODO", "IN_PROGRESS", "DONE"]
    assert "  status: TaskStatus!\n" in _block(sdl, "type", "Task")
    assert "  status: TaskStatus\n" in _block(sdl, "input", "TaskPartialInput")


def test_sample_site_has_design_subscriptions_for_one_task_and_for_the_filtered_list(
    sdl: str,
) -> None:
    assert _root_field(sdl, "Subscription", "taskChanged") == (
        "taskChanged(id: ID! after: String): TaskEvent!"
    )
    assert _root_field(sdl, "Subscription", "tasksChanged") == (
        "tasksChanged(status: String project: ID assignee: ID priority: String "
        "dueBefore: String search: String ordering: String initial: Boolean = false "
        "after: String): "
        "TaskEvent!"
    )


def test_sample_site_list_subscriptions_take_no_pagination_arguments(sdl: str) -> None:
    for field in ("projectsChanged", "tasksChanged", "commentsChanged", "usersChanged"):
        line = _root_field(sdl, "Subscription", field)
        for pagination_argument in ("limit:", "offset:", "page:", "pageSize:", "cursor:"):
            assert pagination_argument not in line


def test_sample_site_event_type_and_change_kind_have_the_design_shape(sdl: str) -> None:
    assert _block(sdl, "type", "TaskEvent").split() == [
        "kind:", "ChangeKind!", "id:", "ID!", "cursor:", "String!", "node:", "Task",
    ]  # fmt: skip
    assert _block(sdl, "enum", "ChangeKind").split() == ["ADDED", "MODIFIED", "REMOVED"]
