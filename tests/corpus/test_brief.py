"""A nested serializer instance is typed by the fields it has (issue 23, item 8).

NetBox's ``FooSerializer(nested=True)`` keeps ``Meta.brief_fields``, DRF's "dynamic
fields" ``FooSerializer(fields=...)`` the fields named: the nested type has those only.
"""

from __future__ import annotations

import pytest

from .helpers import assert_parity, graphql, list_parity, rest, schema_of

pytestmark = pytest.mark.django_db


def _fields(schema, type_name):
    return set(schema._schema.type_map[type_name].fields)


@pytest.fixture
def books(db):
    from .models import Book, Shelf, Tag

    shelf = Shelf.objects.create(name="north")
    first = Book.objects.create(shelf=shelf, title="Dune", genre="sf")
    first.tags.add(Tag.objects.create(name="sand"), Tag.objects.create(name="spice"))
    Book.objects.create(shelf=shelf, title="Emma", genre="novel")
    return first


def test_a_brief_nested_serializer_has_only_its_brief_fields_in_the_sdl():
    schema = schema_of("brief")
    book = schema._schema.type_map["Book"]
    assert str(book.fields["shelf"].type) == "ShelfBrief"
    assert _fields(schema, "ShelfBrief") == {"id", "name"}
    # The same class listed by its own viewset keeps every field.
    assert _fields(schema, "Shelf") == {"id", "name", "display", "books"}
    # fields= chosen by the parent: a type of those fields, named after them.
    assert str(book.fields["tags"].type) == "[TagName!]"
    assert _fields(schema, "TagName") == {"name"}


def test_brief_nested_fields_answer_like_rest(people, books):
    schema = schema_of("brief")
    list_parity(schema, "books", "Book", "/brief/books/", people["ben"])
    list_parity(schema, "shelves", "Shelf", "/brief/shelves/", people["ben"])
    query = f'{{ book(id: "{books.pk}") {{ id title shelf {{ id name }} tags {{ name }} }} }}'
    got = graphql(schema, query, user=people["ben"])["book"]
    expected = rest(people["ben"], f"/brief/books/{books.pk}/")
    assert_parity(schema, "Book", got, expected)
    assert got["shelf"] == {"id": books.shelf_id, "name": "north"}
    assert got["tags"] == [{"name": "sand"}, {"name": "spice"}]
