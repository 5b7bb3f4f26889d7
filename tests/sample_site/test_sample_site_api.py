"""REST behaviour of /api/projects/, /api/comments/, /api/users/, token auth and the
home page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sample_site.board.models import Comment, Project

if TYPE_CHECKING:
    from conftest import Board

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Any], APIClient]


# --- authentication ------------------------------------------------------------------


def test_token_authentication(board: Board) -> None:
    token = Token.objects.create(user=board.bob)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/users/")
    assert response.status_code == 200
    assert [u["username"] for u in response.json()] == ["alice", "bob"]

    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/users/").status_code == 401


def test_api_root_lists_the_router_prefixes(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.alice).get("/api/").json()
    assert list(data) == ["projects", "tasks", "comments", "users"]


def test_home_page_links_graphql_and_api(db: None) -> None:
    response = APIClient().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/graphql/"' in html
    assert 'href="/api/"' in html


# --- projects (cursor pagination) ----------------------------------------------------


def test_projects_are_per_user_and_cursor_paginated(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.alice).get("/api/projects/").json()
    assert set(data) == {"next", "previous", "results"}
    # Newest first (the cursor paginator's ordering).
    assert [p["name"] for p in data["results"]] == ["Alice only", "Shared"]
    shared = data["results"][1]
    assert shared["members"] == [board.alice.pk, board.bob.pk]
    assert shared["task_count"] == 3

    bob = client_for(board.bob).get("/api/projects/").json()
    assert [p["name"] for p in bob["results"]] == ["Shared"]
    assert client_for(board.bob).get(f"/api/projects/{board.carol_only.pk}/").status_code == 404


def test_project_cursor_walks_every_page(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    for i in range(25):
        alice.post("/api/projects/", {"name": f"P{i:02}"}, format="json")
    first = alice.get("/api/projects/").json()
    assert len(first["results"]) == 20
    assert first["previous"] is None
    second = alice.get(first["next"]).json()
    assert second["next"] is None
    names = [p["name"] for p in first["results"] + second["results"]]
    assert len(names) == len(set(names)) == 27


def test_project_search(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.alice).get("/api/projects/?search=alice").json()
    assert [p["name"] for p in data["results"]] == ["Alice only"]


def test_creating_a_project_makes_the_creator_a_member(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.carol).post(
        "/api/projects/", {"name": "Greenhouse", "members": [board.bob.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    project = Project.objects.get(pk=response.json()["id"])
    assert set(project.members.values_list("username", flat=True)) == {"bob", "carol"}


def test_project_validation_error(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.alice).post("/api/projects/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


# --- comments (page-number pagination) -----------------------------------------------


def test_comments_are_per_user_and_page_number_paginated(
    board: Board, client_for: ClientFor
) -> None:
    Comment.objects.create(task=board.lab, author=board.carol, body="Carol's note")
    data = client_for(board.bob).get("/api/comments/?page_size=1").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 2  # carol's comment is invisible to bob
    assert data["results"][0]["body"] == "Mock-ups soon."
    assert data["results"][0]["author"]["username"] == "alice"
    assert "page=2" in data["next"]
    page2 = client_for(board.bob).get("/api/comments/?page_size=1&page=2").json()
    assert [c["body"] for c in page2["results"]] == ["Looks good."]


def test_comment_filter_by_task(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert alice.get(f"/api/comments/?task={board.design.pk}").json()["count"] == 2
    assert alice.get(f"/api/comments/?task={board.docs.pk}").json()["count"] == 0


def test_comment_search_by_body(board: Board, client_for: ClientFor) -> None:
    data = client_for(board.alice).get("/api/comments/?search=looks").json()
    assert [c["body"] for c in data["results"]] == ["Looks good."]


def test_comment_author_is_the_requesting_user(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).post(
        "/api/comments/",
        {"task": board.docs.pk, "body": "On it", "author": board.alice.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["author"]["username"] == "bob"


def test_cannot_comment_on_an_invisible_task(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).post(
        "/api/comments/", {"task": board.errand.pk, "body": "Hi"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["task"]


def test_comment_validation_error(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.bob).post(
        "/api/comments/", {"task": board.docs.pk, "body": ""}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["body"]


def test_only_the_author_changes_a_comment(board: Board, client_for: ClientFor) -> None:
    url = f"/api/comments/{board.alice_comment.pk}/"
    bob = client_for(board.bob)
    assert bob.get(url).status_code == 200
    assert bob.patch(url, {"body": "Edited"}, format="json").status_code == 403
    assert bob.delete(url).status_code == 403

    alice = client_for(board.alice)
    response = alice.patch(url, {"body": "Edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Edited"
    assert alice.delete(url).status_code == 204


def test_a_comment_cannot_move_to_another_task(board: Board, client_for: ClientFor) -> None:
    response = client_for(board.alice).patch(
        f"/api/comments/{board.alice_comment.pk}/", {"task": board.docs.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["task"]


# --- users (unpaginated) -------------------------------------------------------------


def test_users_are_teammates_plus_self_as_a_plain_list(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice).get("/api/users/").json()
    assert alice == [
        {"id": board.alice.pk, "username": "alice", "first_name": "", "last_name": ""},
        {"id": board.bob.pk, "username": "bob", "first_name": "", "last_name": ""},
    ]
    carol = client_for(board.carol).get("/api/users/").json()
    assert [u["username"] for u in carol] == ["carol"]
    assert client_for(board.carol).get(f"/api/users/{board.alice.pk}/").status_code == 404


def test_users_search_and_read_only(board: Board, client_for: ClientFor) -> None:
    alice = client_for(board.alice)
    assert [u["username"] for u in alice.get("/api/users/?search=bo").json()] == ["bob"]
    assert alice.post("/api/users/", {"username": "eve"}, format="json").status_code == 405
