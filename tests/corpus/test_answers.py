"""Answers equal REST where the representation is not a model column (issue 23, items 6-10)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from drf_graphql_live.testing import execute, full_selection

from .helpers import (
    assert_parity,
    graphql,
    list_parity,
    rest,
    schema_of,
    sdl_field,
    subscription_delivers,
)
from .models import Bookmark, Gadget, Member, Tag, Writer

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookmarks(db):
    wu = Writer.objects.create(name="Wu")
    tag = Tag.objects.create(name="red")
    return [
        Bookmark.objects.create(label="writer", target=wu),
        Bookmark.objects.create(label="tag", target=tag),
    ]


def test_a_field_sourced_on_a_generic_foreign_key_lists_like_rest(people, bookmarks):
    """The join planner must not ``select_related`` a GenericForeignKey (it prefetches)."""
    schema = schema_of("generic")
    list_parity(schema, "bookmarks", "Bookmark", "/generic/bookmarks/", people["ben"])
    one = bookmarks[0]
    query = f'{{ bookmark(id: "{one.pk}") {{ id label target targetName }} }}'
    detail = graphql(schema, query, user=people["ben"])
    assert_parity(
        schema, "Bookmark", detail["bookmark"], rest(people["ben"], f"/generic/bookmarks/{one.pk}/")
    )
    assert sdl_field(schema, "Bookmark", "target") == "target: JSON"  # its target may be gone


@pytest.mark.django_db(transaction=True)
async def test_a_generic_foreign_key_list_subscription_delivers(people, fresh_hub):
    schema = schema_of("generic")

    def change() -> None:
        Bookmark.objects.create(label="new", target=Writer.objects.create(name="Li"))

    payload = await subscription_delivers(
        schema, "subscription { bookmarksChanged { kind node { label target } } }",
        people["tokens"]["ben"], change,
    )  # fmt: skip
    node = payload["data"]["bookmarksChanged"]["node"]
    assert node == {"label": "new", "target": {"type": "writer", "id": node["target"]["id"],
                                              "name": f"Writer #{node['target']['id']}"}}  # fmt: skip


@pytest.fixture
def gadget(db):
    owner = Member.objects.create(name="Ola")
    gadget = Gadget.objects.create(name="drill", owner=owner)
    gadget.parts.add(Tag.objects.create(name="bit"), Tag.objects.create(name="chuck"))
    return gadget


def test_a_primary_key_field_rendering_its_serializer_is_typed_as_that_serializer(people, gadget):
    """NetBox's SerializedPKRelatedField: read as the nested object, written by pk."""
    schema = schema_of("serialized_pk")
    assert sdl_field(schema, "Gadget", "parts") == "parts: [Part!]!"
    got = graphql(schema, "{ gadgets { id name owner parts { id name } } }", user=people["ben"])
    [expected] = rest(people["ben"], "/serialized_pk/gadgets/")
    assert got["gadgets"] == [{k: expected[k] for k in ("id", "name", "owner", "parts")}]
    bolt = Tag.objects.create(name="bolt")
    created = graphql(
        schema,
        f'mutation($p: [ID!]) {{ createGadget(input: {{name: "saw", owner: "{gadget.owner_id}",'
        " parts: $p}) { name parts { name } } }",
        {"p": [str(bolt.pk)]},
        user=people["ben"],
    )
    assert created == {"createGadget": {"name": "saw", "parts": [{"name": "bolt"}]}}


def test_a_value_contradicting_its_declared_type_costs_only_that_field(people, gadget):
    """``@extend_schema_field`` declares a list (an object comes) and an object (a list
    comes): those fields are null with a coded error at their path; the rest is REST's."""
    schema = schema_of("serialized_pk")
    result = execute(
        schema, f"{{ gadgets {full_selection(schema, 'Gadget')} }}", user=people["ben"]
    )
    [row] = result.data["gadgets"]
    expected = rest(people["ben"], "/serialized_pk/gadgets/")[0]
    assert row == {**{k: v for k, v in row.items() if k in ("keepers", "keeper")},
                   **{k: v for k, v in expected.items() if k not in ("keepers", "keeper")}}  # fmt: skip
    assert row["keepers"] is None
    assert row["keeper"] is None
    paths = {tuple(error.path[:3]) for error in result.errors}
    assert paths == {("gadgets", 0, "keepers"), ("gadgets", 0, "keeper")}
    assert {error.extensions["code"] for error in result.errors} == {"INTERNAL_SERVER_ERROR"}


def test_a_paginated_list_answering_one_object_is_a_page_of_it(people):
    Member.objects.create(name="first")
    Member.objects.create(name="last")
    query = "{ latest { count results { id name } } }"
    got = graphql(schema_of("odd_lists"), query, user=people["ben"])
    assert got["latest"]["results"] == [rest(people["ben"], "/odd_lists/latest/")]


def test_a_paginated_list_answering_one_dict_of_figures_costs_only_that_field(people):
    """``list()`` answers ``{"count": 1, "status": "ok"}``: no page. The field is null with a
    NOT_A_LIST error carrying REST's answer; the other fields of the query answer."""
    Member.objects.create(name="only")
    schema = schema_of("odd_lists")
    assert sdl_field(schema, "Query", "summaries") == "summaries: MemberPage"  # nullable
    assert sdl_field(schema, "Query", "cards") == "cards: [MemberCard!]!"  # DRF's list()
    query = "{ summaries { count results { id } } latest { count } }"
    result = execute(schema, query, user=people["ben"])
    assert result.data == {"summaries": None, "latest": {"count": 1}}
    [error] = result.errors
    assert error.path == ["summaries"]
    assert error.extensions == {
        "code": "NOT_A_LIST", "response": rest(people["ben"], "/odd_lists/summaries/"),
    }  # fmt: skip
    assert "SummaryViewSet.list() answered count, status" in error.message


def test_a_plain_serializer_in_the_output_answers_its_nulls(people):
    Member.objects.create(name="nora")
    Member.objects.create(name="Max")
    schema = schema_of("odd_lists")
    assert sdl_field(schema, "Profile", "age") == "age: Int"
    list_parity(schema, "cards", "MemberCard", "/odd_lists/cards/", people["ben"])


def test_a_plain_viewset_using_its_queryset_by_hand_answers_like_rest(people):
    member = Member.objects.create(name="Mo")
    schema = schema_of("odd_lists")
    list_parity(schema, "roster", "Member", "/odd_lists/roster/", people["ben"])
    got = graphql(
        schema, f'{{ rosterDetail(id: "{member.pk}") {{ id name }} }}', user=people["ben"]
    )
    assert got["rosterDetail"] == rest(people["ben"], f"/odd_lists/roster/{member.pk}/")


@pytest.mark.parametrize(("prefix", "field"), [("owners", "deleteOwner"),
                                               ("guarded-owners", "deleteGuardedOwner")])  # fmt: skip
def test_an_exception_the_viewset_maps_itself_answers_as_rest(people, gadget, prefix, field):
    """NetBox's dispatch() (and a handle_exception()) answer ProtectedError with 409."""
    client = APIClient()
    client.force_authenticate(people["ben"])
    refused = client.delete(f"/mapped_errors/{prefix}/{gadget.owner_id}/")
    assert refused.status_code == 409
    result = execute(
        schema_of("mapped_errors"), f'mutation {{ {field}(id: "{gadget.owner_id}") }}',
        user=people["ben"],
    )  # fmt: skip
    [error] = result.errors
    assert error.message == refused.json()["detail"]
    assert error.extensions["code"] == "BAD_REQUEST"
    assert Member.objects.filter(pk=gadget.owner_id).exists()
    free = Member.objects.create(name="free")
    query = f'mutation {{ {field}(id: "{free.pk}") }}'
    done = graphql(schema_of("mapped_errors"), query, user=people["ben"])
    assert done == {field: str(free.pk)}


@pytest.mark.django_db(transaction=True)
async def test_a_plain_viewset_with_a_queryset_is_followed_live(people, fresh_hub):
    """No filter_queryset(), get_serializer() nor get_object(): its list is its queryset."""
    payload = await subscription_delivers(
        schema_of("odd_lists"), "subscription { rosterChanged { kind node { name } } }",
        people["tokens"]["ben"], lambda: Member.objects.create(name="Ida"),
    )  # fmt: skip
    assert payload == {"data": {"rosterChanged": {"kind": "ADDED", "node": {"name": "Ida"}}}}


@pytest.mark.django_db(transaction=True)
async def test_a_plain_viewset_detail_is_followed_live(people, fresh_hub):
    member = await Member.objects.acreate(name="Ida")

    def rename() -> None:
        member.name = "Ada"
        member.save()

    payload = await subscription_delivers(
        schema_of("odd_lists"), f'subscription {{ rosterDetailChanged(id: "{member.pk}") '
        "{ kind node { name } } }", people["tokens"]["ben"], rename,
    )  # fmt: skip
    assert payload["data"]["rosterDetailChanged"] == {"kind": "MODIFIED", "node": {"name": "Ada"}}


def test_a_nested_serializer_written_by_primary_key_takes_it_as_rest_does(people):
    """NetBox: ``"tenant": 5`` in REST; its input is JSON (a pk or lookup attributes)."""
    owner = Member.objects.create(name="Ola")
    schema = schema_of("writable_nested")
    assert sdl_field(schema, "ToolInput", "owner") == "owner: JSON!"
    client = APIClient()
    client.force_authenticate(people["ben"])
    rest_made = client.post(
        "/writable_nested/tools/", {"name": "saw", "owner": owner.pk}, format="json"
    )
    assert rest_made.status_code == 201, rest_made.content
    query = 'mutation($o: JSON!) { createTool(input: {name: "drill", owner: $o}) { name owner { name } } }'
    for value in (owner.pk, {"name": "Ola"}):
        made = graphql(schema, query, {"o": value}, user=people["ben"])
        assert made == {"createTool": {"name": "drill", "owner": {"name": "Ola"}}}


def _library_state():
    """Every book with its shelf and tags, every tag and shelf, by name (new rows' ids
    differ between the REST and the GraphQL write)."""
    from .models import Book, Shelf

    books = sorted(
        (b.title, b.genre, b.shelf.name, tuple(sorted(t.name for t in b.tags.all())))
        for b in Book.objects.all()
    )
    return (
        books,
        sorted(Tag.objects.values_list("name", flat=True)),
        sorted(Shelf.objects.values_list("name", flat=True)),
    )


def _known_ids(answer, known):
    """``answer`` with the ids of rows made by the write replaced by "new"."""
    if isinstance(answer, list):
        return [_known_ids(item, known) for item in answer]
    if isinstance(answer, dict):
        return {k: (v if v in known else "new") if k == "id" else _known_ids(v, known)
                for k, v in answer.items()}  # fmt: skip
    return answer


def test_a_writable_nested_serializer_links_existing_rows_by_id_as_rest_does(people):
    """drf-writable-nested: ``{"shelf": {"id": 3, ...}, "tags": [{"id": 5, ...}, {...}]}``
    links (and updates) rows 3 and 5 and creates the other; the nested input has ``id``."""
    from django.db import transaction

    from .models import Shelf

    schema = schema_of("writable_nested")
    assert sdl_field(schema, "LinkedTagNestedInput", "id") == "id: ID"
    assert "id" not in schema._schema.type_map["LinkedBookInput"].fields
    shelf = Shelf.objects.create(name="north")
    tag = Tag.objects.create(name="sand")
    known = {shelf.pk, tag.pk}
    body = {"title": "Dune", "genre": "sf", "shelf": {"id": shelf.pk, "name": "North"},
            "tags": [{"id": tag.pk, "name": "Sand"}, {"name": "spice"}]}  # fmt: skip
    client = APIClient()
    client.force_authenticate(people["ben"])
    with transaction.atomic():
        made = client.post("/writable_nested/linked-books/", body, format="json")
        assert made.status_code == 201, made.content
        expected, expected_state = made.json(), _library_state()
        transaction.set_rollback(True)
    assert _library_state() == ([], ["sand"], ["north"])
    query = (
        "mutation($i: LinkedBookInput!) { createLinkedBook(input: $i) "
        "{ id title genre shelf { id name } tags { id name } } }"
    )
    variables = {"i": {**body, "shelf": {"id": str(shelf.pk), "name": "North"},
                       "tags": [{"id": str(tag.pk), "name": "Sand"}, {"name": "spice"}]}}  # fmt: skip
    got = graphql(schema, query, variables, user=people["ben"])["createLinkedBook"]
    assert _library_state() == expected_state
    assert _known_ids(got, known) == _known_ids(expected, known)
    assert got["shelf"]["id"] == shelf.pk
    assert Shelf.objects.count() == 1
