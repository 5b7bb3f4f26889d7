"""REST behaviour of /api/tasks/: visibility, filters, search, ordering, pagination,
validation and object permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sample_site.board.models import Task

if TYPE_CHECKING:
    from conftest import Board

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Any], APIClient]


def titles(response: Any) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


# --- visibility ---------------------------------------------------------------------


def test_anonymous_is_rejected(board: Board, client_for: ClientFor) -> None:
    response = client_for(None).get("/api/tasks/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_each_user_sees_only_tasks_of_their_projects(board: Board, client_for: ClientFor) -> None:
    assert titles(client_for(board.alice).get("/api/tasks/")) == [
        "Design landing page",
        "Write docs",
        "Backlog grooming",
        "Renew passport",
    ]
    assert titles(client_for(board.bob).get("/api/tasks/")) == [
        "Design landing page",
        "Write docs",
        "Backlog grooming",
    ]
    assert titles(client_for(board.carol).get("/api/tasks/")) == ["Calibrate sensors"]


def test_task_of_a_foreign_project_is_not_found(board: Board, client_for: ClientFor) -> None:
    bob = client_for(board.bob)
    assert bob.get(f"/api/tasks/{board.errand.pk}/").status_code == 404
    assert bob.patch(f"/api/tasks/{board.errand.pk}/", {"title": "x"}).status_code == 404
    assert bob.delete(f"/api/tasks/{board.errand.pk}/").status_code == 404


def test_task_representation(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.bob).get(f"/api/tasks/{board.design.pk}/").json()
    assert data["id"] == board.design.pk
    assert data["url"] == f"http://testserver/api/tasks/{board.design.pk}/"
    assert data["project"] == board.shared.pk
    assert data["project_name"] == "Shared"
    assert data["status"] == "in_progress"
    assert data["priority"] == 3
    assert data["assignee"] == board.alice.pk
    assert data["assignee_detail"] == {
        "id": board.alice.pk,
        "username": "alice",
        "first_name": "",
        "last_name": "",
    }
    assert data["estimate"] == "8.00"
    assert data["tags"] == ["design"]
    assert data["comment_count"] == 2
    assert [c["body"] for c in data["comments"]] == ["Mock-ups soon.", "Looks good."]
    assert data["comments"][1]["author"]["username"] == "bob"
    assert set(data) >= {"description", "due_date", "created_at", "updated_at"}


# --- filters, search, ordering, pagination -------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=todo", ["Write docs", "Backlog grooming"]),
        ("status=done", ["Renew passport"]),
        ("priority=3", ["Design landing page"]),
        ("status=todo&priority=1", ["Backlog grooming"]),
    ],
)
def test_filter_by_status_and_priority(
    board: Board, client_for: ClientFor, query: str, expected: list[str]
) -> None:
    response = client_for(board.alice).get(f"/api/tasks/?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


def test_filter_by_project(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert titles(alice.get(f"/api/tasks/?project={board.alice_only.pk}")) == ["Renew passport"]
    # A project the user does not belong to is refused as a nonexistent one is
    # (test_sample_site_filters.py), never answered with carol's tasks.
    assert alice.get(f"/api/tasks/?project={board.carol_only.pk}").status_code == 400


def test_filter_by_assignee(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert titles(alice.get(f"/api/tasks/?assignee={board.bob.pk}")) == ["Write docs"]
    assert titles(alice.get(f"/api/tasks/?assignee={board.alice.pk}")) == [
        "Design landing page",
        "Renew passport",
    ]


def test_filter_by_due_date(board: Board, client_for: ClientFor) -> None:
    limit = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client_for(board.alice).get(f"/api/tasks/?due_before={limit}")
    assert titles(response) == ["Design landing page"]


def test_invalid_filter_value_is_a_400(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.alice).get("/api/tasks/?status=sleeping")
    assert response.status_code == 400
    assert "status" in response.json()


def test_search_by_title(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert titles(alice.get("/api/tasks/?search=DOCS")) == ["Write docs"]
    assert titles(alice.get("/api/tasks/?search=sensors")) == []  # carol's


def test_ordering(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert titles(alice.get("/api/tasks/?ordering=-priority,title")) == [
        "Design landing page",
        "Renew passport",
        "Write docs",
        "Backlog grooming",
    ]
    assert titles(alice.get("/api/tasks/?ordering=title")) == sorted(
        ["Design landing page", "Write docs", "Backlog grooming", "Renew passport"]
    )
    # Fields outside ordering_fields are ignored: the default order (id) applies.
    assert titles(alice.get("/api/tasks/?ordering=description")) == titles(alice.get("/api/tasks/"))


def test_limit_offset_pagination(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.alice).get("/api/tasks/?limit=2&offset=1").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 4
    assert [row["title"] for row in data["results"]] == ["Write docs", "Backlog grooming"]
    assert "limit=2" in data["next"]
    assert "offset=3" in data["next"]
    assert data["previous"] is not None


# --- create / update / validation ----------------------------------------------------


def test_create_task(board: Board, client_for: ClientFor) -> None:
    payload = {
        "project": board.shared.pk,
        "title": "Ship it",
        "assignee": board.bob.pk,
        "priority": 3,
        "estimate": "2.5",
        "tags": [" Release ", "release", "QA"],
    }
    response = client_for(board.alice).post("/api/tasks/", payload, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "todo"
    assert data["estimate"] == "2.50"
    assert data["tags"] == ["release", "qa"]
    assert data["assignee_detail"]["username"] == "bob"
    assert data["comments"] == []
    assert data["comment_count"] == 0
    assert Task.objects.get(pk=data["id"]).project == board.shared


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "!!!"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"status": "sleeping"}, "status"),
        ({"priority": 7}, "priority"),
        ({"estimate": "-1"}, "estimate"),
        ({"estimate": "123456.00"}, "estimate"),
        ({"due_date": "2000-01-01"}, "due_date"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
    ],
)
def test_create_validation_errors(
    board: Board, client_for: ClientFor, changes: dict[str, Any], field: str
) -> None:
    payload = {"project": board.shared.pk, "title": "Valid", **changes}
    response = client_for(board.alice).post("/api/tasks/", payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert isinstance(errors[field], list)
    assert errors[field]


def test_cannot_create_in_a_foreign_project(board: Board, client_for: ClientFor) -> None:
    payload = {"project": board.alice_only.pk, "title": "Sneaky"}
    response = client_for(board.bob).post("/api/tasks/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["project"]
    assert not Task.objects.filter(title="Sneaky").exists()


def test_assignee_must_be_a_project_member(board: Board, client_for: ClientFor) -> None:
    payload = {"project": board.shared.pk, "title": "Help", "assignee": board.carol.pk}
    response = client_for(board.alice).post("/api/tasks/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]

    # Moving a task to a project its assignee is not in is caught too.
    response = client_for(board.alice).patch(
        f"/api/tasks/{board.docs.pk}/", {"project": board.alice_only.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]


def test_partial_update(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).patch(
        f"/api/tasks/{board.design.pk}/", {"status": "done", "assignee": None}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    assert response.json()["assignee_detail"] is None
    board.design.refresh_from_db()
    assert board.design.status == Task.Status.DONE


def test_overdue_task_can_still_be_updated(board: Board, client_for: ClientFor) -> None:
    """The past-due rule applies to a *new* due date, not to the one a task already has."""
    Task.objects.filter(pk=board.docs.pk).update(due_date="2000-01-01")
    response = client_for(board.bob).patch(
        f"/api/tasks/{board.docs.pk}/",
        {"status": "done", "due_date": "2000-01-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()


# --- object permissions --------------------------------------------------------------


def test_only_assignee_deletes_an_assigned_task(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).delete(f"/api/tasks/{board.design.pk}/")
    assert response.status_code == 403
    assert "assignee" in response.json()["detail"]
    assert Task.objects.filter(pk=board.design.pk).exists()

    assert client_for(board.alice).delete(f"/api/tasks/{board.design.pk}/").status_code == 204
    assert not Task.objects.filter(pk=board.design.pk).exists()


def test_any_member_deletes_an_unassigned_task(board: Board, client_for: ClientFor) -> None:
    assert client_for(board.bob).delete(f"/api/tasks/{board.backlog.pk}/").status_code == 204


def test_members_may_update_tasks_assigned_to_others(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).patch(
        f"/api/tasks/{board.design.pk}/", {"priority": 1}, format="json"
    )
    assert response.status_code == 200
