"""Filters as real projects declare them, and variables of the wrong type."""

from __future__ import annotations

import pytest

from .helpers import graphql, list_parity, rest, schema_of
from .models import Book, Item, Shelf, Song, Tag

pytestmark = pytest.mark.django_db


def test_unbound_filters_become_arguments_and_filter_like_rest(people):
    schema = schema_of("unbound_filters")
    shelf = Shelf.objects.create(name="s")
    red = Tag.objects.create(name="red")
    Book.objects.create(shelf=shelf, title="A", genre="sf").tags.add(red)
    Book.objects.create(shelf=shelf, title="B", genre="crime")
    list_parity(schema, "books", "Book", "/unbound_filters/books/", people["ben"])
    got = graphql(
        schema, f'{{ books(genre: "sf", tags: ["{red.pk}"]) {{ title }} }}', user=people["ben"]
    )
    assert got == {"books": [{"title": "A"}]}
    assert rest(people["ben"], f"/unbound_filters/books/?genre=sf&tags={red.pk}")[0]["title"] == "A"


def test_extend_schema_parameters_become_arguments(people):
    schema = schema_of("hand_read_filters")
    Song.objects.create(title="Hey", artist="X")
    Song.objects.create(title="Ho", artist="Y")
    assert graphql(schema, '{ songs(artist: "Y") { title } }', user=people["ben"]) == {
        "songs": [{"title": "Ho"}]
    }


def test_backend_schema_parameters_become_arguments(people):
    schema = schema_of("hand_read_filters")
    Song.objects.create(title="Hey", artist="X")
    Song.objects.create(title="Ho", artist="Y")
    list_parity(schema, "tracks", "Song", "/hand_read_filters/tracks/", people["ben"])
    got = graphql(schema, '{ tracks(titlePrefix: "Ho") { title } }', user=people["ben"])
    assert got == {"tracks": [{"title": "Ho"}]}


def test_wrong_type_variables_are_client_errors(people):
    from drf_graphql_live.testing import execute

    schema = schema_of("wrong_types")
    item = Item.objects.create(name="pen", price="1.50", quantity=3)
    cases = [
        ("query($id: ID!) { item(id: $id) { name } }", {"id": {"not": "an id"}}),
        ("query($l: Int) { items(limit: $l) { count } }", {"l": "ten"}),
    ]
    for query, variables in cases:
        errors = execute(schema, query, variables, user=people["ben"]).errors
        assert errors, query
        assert errors[0].extensions["code"] == "BAD_REQUEST", errors
    missing = execute(schema, '{ item(id: "abc") { name } }', user=people["ben"]).errors
    assert missing[0].extensions["code"] == "NOT_FOUND"
    invalid = execute(
        schema,
        f'mutation {{ updateItem(id: "{item.pk}", input: {{price: "lots"}}) {{ price }} }}',
        user=people["ben"],
    ).errors
    assert invalid[0].extensions["code"] == "VALIDATION_ERROR"
    assert "price" in invalid[0].extensions["fields"]
