"""Names real projects use that collide with generated ones (issue 23, item 5)."""

from __future__ import annotations

import io
import warnings

import pytest
from django.core import checks
from django.core.management import call_command

from .helpers import graphql, list_parity, rest, schema_of, sdl_field
from .models import Memo, Note, Song, Term

pytestmark = pytest.mark.django_db


def test_a_filter_named_like_the_paginators_parameter_is_one_argument(people):
    """``start`` is the FilterSet's (id >= start) and the paginator's offset: REST reads
    one query parameter for both, and so does the one GraphQL argument."""
    for title in ("a", "b", "c", "d"):
        Song.objects.create(title=title, artist="x")
    schema = schema_of("paginator_parameter")
    first = Song.objects.order_by("id")[1].pk
    arguments = schema._schema.query_type.fields["songs"].args
    assert {"start", "limit", "artist"} <= set(arguments)
    got = graphql(
        schema,
        f"{{ songs(start: {first}) {{ count results {{ id title }} }} }}",
        user=people["ben"],
    )["songs"]
    expected = rest(people["ben"], f"/paginator_parameter/songs/?start={first}")
    assert got["count"] == expected["count"]
    assert got["results"] == [{"id": s["id"], "title": s["title"]} for s in expected["results"]]


def test_serializers_named_like_the_root_types_keep_their_viewsets(people):
    Memo.objects.create(text="saved search")
    Note.objects.create(text="BRCA1")
    Term.objects.create(word="weekly")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out, nobody else is blamed
        schema = schema_of("root_names")
    assert not schema.skipped
    assert sdl_field(schema, "Query", "query") == "query: QueryType!"
    for field, url, type_name in [("queries", "queries", "QueryType"),
                                  ("mutations", "mutations", "MutationType"),
                                  ("subscriptions", "subscriptions", "SubscriptionType")]:  # fmt: skip
        list_parity(schema, field, type_name, f"/root_names/{url}/", people["ben"])
    created = graphql(
        schema, 'mutation { createMutation(input: {text: "TP53"}) { text } }', user=people["ben"]
    )
    assert created == {"createMutation": {"text": "TP53"}}


def test_an_export_schema_command_of_an_app_listed_first_is_reported(settings):
    """strawberry-graphql-django's export_schema shadows ours when its app comes first."""
    assert not [m for m in checks.run_checks() if m.id == "drf_graphql_live.W008"]
    settings.INSTALLED_APPS = ["tests.corpus.shadowing", *settings.INSTALLED_APPS]
    [warning] = [m for m in checks.run_checks() if m.id == "drf_graphql_live.W008"]
    assert "tests.corpus.shadowing" in warning.msg
    assert "export_live_schema" in warning.hint
    out = io.StringIO()
    call_command("export_live_schema", "tests.corpus.test_name_clashes.SDL_SCHEMA", stdout=out)
    assert "type Query" in out.getvalue()


def __getattr__(name: str) -> object:
    if name == "SDL_SCHEMA":  # a schema for export_live_schema to print
        return schema_of("root_names")
    raise AttributeError(name)


def test_a_serializer_named_like_a_scalar_keeps_its_viewset():
    """``UploadSerializer`` (file apps have one) beside Strawberry's ``Upload`` scalar."""
    schema = schema_of("post_reading_auth")
    assert not schema.skipped
    assert "UploadType" in schema._schema.type_map
    assert str(schema._schema.type_map["Upload"]).startswith("Upload")  # the scalar
    assert "createUpload" in schema._schema.mutation_type.fields


def test_field_names_that_are_no_graphql_names_get_valid_ones_both_ways(people):
    """``2fa``, ``first-name``, ``é``, ``__x``, ``class``: ``_2fa``, ``firstName``, ``e``,
    ``x``, ``class``, read and written as REST reads and writes the fields."""
    from .models import Item

    schema = schema_of("odd_names")
    fields = schema._schema.type_map["OddNames"].fields
    assert set(fields) == {"id", "_2fa", "firstName", "e", "x", "class"}
    assert set(schema._schema.type_map["OddNamesInput"].fields) == {"_2fa", "firstName", "e"}
    Item.objects.create(name="key", price="2.50", quantity=3)
    list_parity(schema, "oddNames", "OddNames", "/odd_names/odd-names/", people["ben"])
    made = graphql(
        schema,
        'mutation { createOddName(input: {_2fa: "otp", firstName: 7, e: "1.25"}) '
        "{ id _2fa firstName e x class } }",
        user=people["ben"],
    )["createOddName"]
    row = Item.objects.get(pk=made["id"])
    assert (row.name, row.quantity, str(row.price)) == ("otp", 7, "1.25")
    expected = rest(people["ben"], f"/odd_names/odd-names/{row.pk}/")
    assert made == {"id": row.pk, "_2fa": expected["2fa"], "firstName": expected["first-name"],
                    "e": expected["é"], "x": expected["__x"], "class": 7}  # fmt: skip
    updated = graphql(
        schema,
        f'mutation {{ updateOddName(id: "{row.pk}", input: {{firstName: 8}}) {{ firstName }} }}',
        user=people["ben"],
    )
    assert updated == {"updateOddName": {"firstName": 8}}
