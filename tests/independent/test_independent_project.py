"""An independent DRF project: its schema builds, its names follow docs/DESIGN.md, and its
GraphQL answers equal its REST answers, per user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from graphql.pyutils import Undefined
from rest_framework.test import APIClient
from strawberry.printer import print_schema

from drf_graphql_live import build_schema
from drf_graphql_live.testing import execute, full_selection, rest_to_graphql

from .project import router

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.independent.project")]

schema = build_schema(router)
SDL = print_schema(schema)


@pytest.fixture
def people():
    ann = User.objects.create_user("ann", email="ann@example.com")
    ben = User.objects.create_user("ben")
    boss = User.objects.create_user("boss", is_staff=True)
    red, blue = Group.objects.create(name="red"), Group.objects.create(name="blue")
    green = Group.objects.create(name="green")
    red.user_set.add(ann, ben)
    blue.user_set.add(ann)
    green.user_set.add(ben)
    red.permissions.add(Permission.objects.get(codename="add_user"))
    return {"ann": ann, "ben": ben, "boss": boss}


def rest(user, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url).json()


def signature(root: str, name: str) -> str:
    field = getattr(schema._schema, f"{root}_type").fields[name]
    arguments = ", ".join(
        f"{n}: {a.type}" + ("" if a.default_value is Undefined else f" = {a.default_value}".lower())
        for n, a in field.args.items()
    )
    return f"{name}({arguments}): {field.type}" if arguments else f"{name}: {field.type}"


def test_generated_names_follow_the_contract():
    assert (
        signature("query", "teams")
        == "teams(name: String, search: String, ordering: String, page: Int): GroupPage!"
    )
    assert signature("query", "team") == "team(name: ID!): GroupDetail!"
    assert (
        signature("query", "me") == "me(ordering: String): [Me!]!"
    )  # OrderingFilter is a default backend
    assert signature("query", "profile") == "profile(id: ID!): Me!"
    assert (
        signature("mutation", "createTeam") == "createTeam(input: GroupDetailInput!): GroupDetail!"
    )
    assert (
        signature("mutation", "updateTeam")
        == "updateTeam(name: ID!, input: GroupDetailPartialInput!): GroupDetail!"
    )
    assert signature("mutation", "deleteTeam") == "deleteTeam(name: ID!): ID!"
    assert (
        signature("subscription", "teamChanged")
        == "teamChanged(name: ID!, after: String): GroupDetailEvent!"
    )
    assert (
        signature("subscription", "teamsChanged")
        == "teamsChanged(name: String, search: String, ordering: String, initial: Boolean = false, "
        "after: String): GroupEvent!"
    )
    assert "memberCount: Int!" in SDL
    assert "teams: [String!]!" in SDL
    assert "createMe" not in SDL
    assert "createProfile" not in SDL


@pytest.mark.parametrize("who", ["ann", "ben", "boss"])
def test_lists_and_details_equal_rest_per_user(people, who):
    user = people[who]
    for page in (1, 2):
        data = execute(
            schema,
            f"{{ teams(page: {page}) {{ count next previous results {full_selection(schema, 'Group')} }} }}",
            user=user,
        )
        expected = rest(user, f"/v1/teams/?page={page}")
        if "results" not in expected:  # past the last page: DRF answers 404
            assert data.errors[0].extensions["code"] == "NOT_FOUND"
            continue
        assert data.errors is None, data.errors
        got = data.data["teams"]
        assert (got["count"], got["next"], got["previous"]) == (
            expected["count"],
            expected["next"],
            expected["previous"],
        )
        assert got["results"] == rest_to_graphql(schema, "Group", expected["results"])
    me = execute(schema, f"{{ me {full_selection(schema, 'Me')} }}", user=user)
    assert me.data["me"] == rest_to_graphql(schema, "Me", rest(user, "/v1/me/"))
    detail = execute(
        schema, f'{{ team(name: "red") {full_selection(schema, "GroupDetail")} }}', user=user
    )
    assert detail.data["team"] == rest_to_graphql(
        schema, "GroupDetail", rest(user, "/v1/teams/red/")
    )


def test_invisible_team_is_not_found_and_writes_need_staff(people):
    assert (
        execute(schema, '{ team(name: "blue") { name } }', user=people["ben"])
        .errors[0]
        .extensions["code"]
        == "NOT_FOUND"
    )
    denied = execute(
        schema,
        'mutation { createTeam(input: {name: "x", permissions: []}) { name } }',
        user=people["ann"],
    )
    assert denied.errors[0].extensions["code"] == "PERMISSION_DENIED"
    created = execute(
        schema,
        'mutation { createTeam(input: {name: "x", permissions: ["add_user"]}) { url name permissions } }',
        user=people["boss"],
    )
    assert created.errors is None, created.errors
    assert created.data["createTeam"] == {
        "url": "http://testserver/v1/teams/x/",
        "name": "x",
        "permissions": ["add_user"],
    }
    renamed = execute(
        schema,
        'mutation { updateTeam(name: "x", input: {name: "y"}) { name } }',
        user=people["boss"],
    )
    assert renamed.data == {"updateTeam": {"name": "y"}}
    assert execute(schema, 'mutation { deleteTeam(name: "y") }', user=people["boss"]).data == {
        "deleteTeam": "y"
    }
    assert not Group.objects.filter(name__in=["x", "y"]).exists()
