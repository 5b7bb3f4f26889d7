"""Serializer shapes from real projects: types, parity with REST, mutations."""

from __future__ import annotations

import pytest

from .helpers import graphql, list_parity, schema_of, sdl_field
from .models import Article, Category, City, Country, Secret, Street, Term, Writer

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db):
    writer = Writer.objects.create(name="Wu")
    first = Article.objects.create(title="One", body="a b c", author=writer)
    second = Article.objects.create(title="Two", body="d", author=writer, status="published")
    return writer, first, second


def test_self_nesting_tree_serializer_answers_like_rest(people, settings):
    settings.DRF_GRAPHQL_LIVE = {"MAX_QUERY_COST": 1_000_000}  # three nested lists
    schema = schema_of("tree")
    root = Category.objects.create(name="root")
    child = Category.objects.create(name="child", parent=root)
    Category.objects.create(name="leaf", parent=child)
    list_parity(schema, "categories", "Category", "/tree/categories/", people["ben"])


def test_serializer_with_no_readable_field_still_creates(people):
    schema = schema_of("no_readable_field")
    Country.objects.create(name="Peru")
    list_parity(schema, "countries", "Country", "/no_readable_field/countries/", people["ben"])
    created = graphql(
        schema,
        'mutation { createSecret(input: {value: "psst"}) { __typename } }',
        user=people["ben"],
    )
    assert created["createSecret"]["__typename"]
    assert Secret.objects.get().value == "psst"


def test_read_only_field_is_typed_from_its_source(people, articles):
    schema = schema_of("read_only_source")
    assert sdl_field(schema, "ArticleReadOnly", "heading") == "heading: String!"
    list_parity(schema, "headings", "ArticleReadOnly", "/read_only_source/headings/", people["ben"])


def test_read_only_field_answers_like_rest(people, articles):
    schema = schema_of("read_only_source")
    list_parity(schema, "headings", "ArticleReadOnly", "/read_only_source/headings/", people["ben"])


def test_method_field_hints_become_types(people, articles):
    schema = schema_of("method_hints")
    assert sdl_field(schema, "ArticleHints", "wordCount") == "wordCount: Int!"
    assert sdl_field(schema, "ArticleHints", "writer").startswith("writer: Writer")
    assert sdl_field(schema, "ArticleHints", "stats").startswith("stats: Stats")


def test_method_fields_answer_like_rest(people, articles):
    schema = schema_of("method_hints")
    list_parity(schema, "summaries", "ArticleHints", "/method_hints/summaries/", people["ben"])


def test_reverse_primary_keys_are_ints_like_rest(people, articles):
    schema = schema_of("reverse_pk")
    list_parity(schema, "writers", "WriterArticles", "/reverse_pk/writers/", people["ben"])


def test_choice_value_outside_the_choices_never_fails_the_list(people, articles):
    schema = schema_of("old_choices")
    Article.objects.filter(pk=articles[2].pk).update(status="archived")
    got = graphql(schema, "{ articles { id title status } }", user=people["ben"])["articles"]
    assert (got[0]["title"], got[0]["status"]) == ("One", "DRAFT")
    assert len(got) == 2
    created = graphql(
        schema,
        f'mutation {{ createArticle(input: {{title: "N", author: "{articles[0].pk}", status: PUBLISHED}}) {{ status }} }}',
        user=people["ben"],
    )
    assert created == {"createArticle": {"status": "PUBLISHED"}}


def test_list_serializer_of_plain_values(people):
    schema = schema_of("list_of_values")
    Term.objects.create(word="car", aliases=["auto", "automobile"])
    assert sdl_field(schema, "Term", "aliases").startswith("aliases: [String!]")
    list_parity(schema, "terms", "Term", "/list_of_values/terms/", people["ben"])
    created = graphql(
        schema,
        'mutation { createTerm(input: {word: "bus", aliases: ["coach"]}) { aliases } }',
        user=people["ben"],
    )
    assert created == {"createTerm": {"aliases": ["coach"]}}


def test_meta_depth_on_two_serializers_builds_and_nests(people):
    schema = schema_of("depth")
    peru = Country.objects.create(name="Peru")
    lima = City.objects.create(name="Lima", country=peru)
    Street.objects.create(name="Jiron", city=lima)
    list_parity(schema, "cities", "City", "/depth/cities/", people["ben"])
    list_parity(schema, "streets", "Street", "/depth/streets/", people["ben"])
