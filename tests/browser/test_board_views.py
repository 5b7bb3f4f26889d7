"""The board page's Django side, without a browser: sign-in, the page, its script."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = get_user_model().objects.create_user("alice", password="demo")
    client.force_login(user)
    return user


def test_board_requires_a_session(client):
    response = client.get("/board/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/board/"


def test_login_form_signs_in_and_returns_to_the_board(client):
    get_user_model().objects.create_user("bob", password="demo")
    page = client.get("/accounts/login/?next=/board/")
    assert page.status_code == 200
    assert b'name="next" value="/board/"' in page.content
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": "demo", "next": "/board/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/board/")
    assert client.get("/board/").status_code == 200


def test_board_page_loads_its_script_and_knows_the_graphql_path(client, alice):
    html = client.get("/board/").content.decode()
    assert '<script type="module" src="/board/assets/board.js"></script>' in html
    assert 'data-graphql-path="/graphql/"' in html
    assert '<meta name="csrf-token" content="' in html
    assert '<strong id="viewer">alice</strong>' in html


def test_board_script_is_served_from_the_build(client, board_bundle):
    response = client.get("/board/assets/board.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response.content == board_bundle.read_bytes()


@pytest.mark.parametrize("name", ["board.ts", "..%2Fboard.ts", "index.html", "board.js.bak"])
def test_only_whitelisted_build_files_are_served(client, name):
    assert client.get(f"/board/assets/{name}").status_code == 404


def test_sign_out_is_a_post_back_to_the_login_form(client, alice):
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert client.get("/board/").status_code == 302
