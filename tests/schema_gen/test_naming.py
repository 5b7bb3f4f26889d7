"""Generated names (docs/DESIGN.md "Generated names"): types, enums, root fields, inputs.

Names are API: clients write them in queries and codegen bakes them into code. These
tests build real schemas and read the names a client would see in the SDL.
"""

from __future__ import annotations

import asyncio
import sys
import types as types_module
import warnings
from typing import Any

import pytest
import strawberry
from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, serializers, viewsets

from sample_site.board.models import Task
from schema_gen import Endpoint, generate_schema
from schema_gen.naming import camel, enum_member_name, list_field_name, pascal, type_name

# --------------------------------------------------------------------------- helpers


def _runner(field: Any) -> Any:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
        return None

    return impl


def make_viewset(serializer_class: type, *bases: type, **attrs: Any) -> type:
    bases = bases or (viewsets.ModelViewSet,)
    attrs = {"serializer_class": serializer_class, "pagination_class": None,
             "filter_backends": [], **attrs}  # fmt: skip
    return type(f"{serializer_class.__name__}ViewSet", bases, attrs)


def build(*endpoints: tuple[str, str, type], strict: bool = False) -> Any:
    return generate_schema([Endpoint(*e) for e in endpoints], runner=_runner, strict=strict)


def types(schema: Any) -> set[str]:
    return {name for name in schema._schema.type_map if not name.startswith("__")}


def root(schema: Any, kind: str) -> dict[str, Any]:
    root_type = getattr(schema._schema, f"{kind}_type")
    return dict(root_type.fields) if root_type is not None else {}


def signature(schema: Any, kind: str, name: str) -> str:
    """``name(arg: Type, ...): Return`` as the SDL prints it."""
    field = root(schema, kind)[name]
    args = ", ".join(f"{arg}: {value.type}" for arg, value in field.args.items())
    return f"{name}({args}): {field.type}" if args else f"{name}: {field.type}"


def fields_of(schema: Any, type_name: str) -> dict[str, str]:
    graphql_type = schema._schema.type_map[type_name]
    return {name: str(field.type) for name, field in graphql_type.fields.items()}


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField()
    body = serializers.CharField(required=False)
    summary = serializers.CharField(allow_null=True)
    slug = serializers.SlugField(read_only=True)
    created = serializers.DateTimeField(read_only=True)


# ------------------------------------------------------------------------- type names


def test_output_type_name_is_class_name_minus_serializer() -> None:
    schema = build(("posts", "post", make_viewset(PostSerializer)))
    assert "Post" in types(schema)
    assert "PostSerializer" not in types(schema)
    assert type_name(PostSerializer) == "Post"


def test_output_type_name_without_serializer_suffix_is_the_class_name() -> None:
    class PostOut(serializers.Serializer):
        title = serializers.CharField()

    assert type_name(PostOut) == "PostOut"
    assert "PostOut" in types(build(("posts", "post", make_viewset(PostOut))))


def test_meta_graphql_name_overrides_the_type_name() -> None:
    class StorySerializer(serializers.Serializer):
        title = serializers.CharField()

        class Meta:
            graphql_name = "Article"

    schema = build(("stories", "story", make_viewset(StorySerializer)))
    assert {"Article", "ArticleInput", "ArticlePartialInput"} <= types(schema)
    assert "Story" not in types(schema)
    assert signature(schema, "query", "story") == "story(id: ID!): Article!"


@pytest.fixture
def fake_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two importable app modules, as two Django apps would have."""
    for name in ("accounts.serializers", "blog.serializers"):
        monkeypatch.setitem(sys.modules, name, types_module.ModuleType(name))


def _same_named(module: str, **extra: Any) -> type:
    namespace: dict[str, Any] = {"__module__": module, "name": serializers.CharField()}
    if extra:
        namespace["Meta"] = type("Meta", (), extra)
    return type("UserSerializer", (serializers.Serializer,), namespace)


@pytest.mark.usefixtures("fake_modules")
def test_type_name_clash_names_both_serializers_and_the_fix_when_strict() -> None:
    first = _same_named("accounts.serializers")
    second = _same_named("blog.serializers")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build(
            ("accounts", "account", make_viewset(first, viewsets.ReadOnlyModelViewSet)),
            ("authors", "author", make_viewset(second, viewsets.ReadOnlyModelViewSet)),
            strict=True,
        )
    message = str(excinfo.value)
    assert "accounts.serializers.UserSerializer" in message
    assert "blog.serializers.UserSerializer" in message
    assert "graphql_name" in message


@pytest.mark.usefixtures("fake_modules")
def test_type_name_clash_leaves_the_second_viewset_out_with_a_warning() -> None:
    first = _same_named("accounts.serializers")
    second = _same_named("blog.serializers")
    with pytest.warns(UserWarning, match=r"blog\.serializers\.UserSerializer") as record:
        schema = build(
            ("accounts", "account", make_viewset(first, viewsets.ReadOnlyModelViewSet)),
            ("authors", "author", make_viewset(second, viewsets.ReadOnlyModelViewSet)),
        )
    assert "accounts" in root(schema, "query")
    assert "authors" not in root(schema, "query")
    assert "registered as 'authors'" in str(record[0].message)


def test_type_names_differing_only_in_case_clash() -> None:
    lower = type(
        "CatalogItemSerializer", (serializers.Serializer,), {"name": serializers.CharField()}
    )
    upper = type(
        "CatalogitemSerializer", (serializers.Serializer,), {"name": serializers.CharField()}
    )
    with pytest.raises(ImproperlyConfigured, match="differing only in case"):
        build(
            ("items", "item", make_viewset(lower, viewsets.ReadOnlyModelViewSet)),
            ("things", "thing", make_viewset(upper, viewsets.ReadOnlyModelViewSet)),
            strict=True,
        )


@pytest.mark.usefixtures("fake_modules")
def test_type_name_clash_is_resolved_by_graphql_name() -> None:
    first = _same_named("accounts.serializers")
    second = _same_named("blog.serializers", graphql_name="Author")
    schema = build(
        ("accounts", "account", make_viewset(first, viewsets.ReadOnlyModelViewSet)),
        ("authors", "author", make_viewset(second, viewsets.ReadOnlyModelViewSet)),
    )
    assert {"User", "Author"} <= types(schema)


def test_same_serializer_on_two_viewsets_is_one_type() -> None:
    schema = build(
        ("posts", "post", make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)),
        ("drafts", "draft", make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)),
    )
    assert str(root(schema, "query")["drafts"].type) == "[Post!]!"
    assert str(root(schema, "query")["posts"].type) == "[Post!]!"


def test_invalid_graphql_name_is_a_build_error() -> None:
    class BadSerializer(serializers.Serializer):
        title = serializers.CharField()

        class Meta:
            graphql_name = "Not valid"

    with pytest.raises(ImproperlyConfigured, match="not a valid GraphQL name"):
        build(("bad", "bad", make_viewset(BadSerializer, viewsets.ReadOnlyModelViewSet)))


# ------------------------------------------------------------------------------ enums


def _choice_schema(*choices: Any, **kwargs: Any) -> Any:
    class TicketSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=list(choices), **kwargs)

    return build(("tickets", "ticket", make_viewset(TicketSerializer)))


def test_enum_members_are_the_upper_cased_values() -> None:
    schema = _choice_schema(("in-progress", "In progress"), ("done", "Done"))
    assert fields_of(schema, "Ticket")["state"] == "TicketState"
    assert list(schema._schema.type_map["TicketState"].values) == ["IN_PROGRESS", "DONE"]
    assert fields_of(schema, "TicketInput")["state"] == "TicketState!"


def test_enum_name_is_type_name_plus_pascal_field_name() -> None:
    class TicketSerializer(serializers.Serializer):
        review_state = serializers.ChoiceField(choices=["open", "closed"])

    schema = build(("tickets", "ticket", make_viewset(TicketSerializer)))
    assert fields_of(schema, "Ticket")["reviewState"] == "TicketReviewState"


def test_model_text_choices_become_an_enum() -> None:
    class TaskStateSerializer(serializers.ModelSerializer):
        class Meta:
            model = Task
            fields = ["id", "status"]

    schema = build(
        ("tasks", "task", make_viewset(TaskStateSerializer, queryset=Task.objects.all()))
    )
    assert list(schema._schema.type_map["TaskStateStatus"].values) == [
        "TODO",
        "IN_PROGRESS",
        "DONE",
    ]


def test_integer_choices_fall_back_to_int() -> None:
    schema = _choice_schema((1, "Low"), (2, "High"))
    assert fields_of(schema, "Ticket")["state"] == "Int"
    assert not any(name.startswith("TicketState") for name in types(schema))


@pytest.mark.parametrize(
    "choices",
    [
        pytest.param([("1st", "First"), ("2nd", "Second")], id="leading-digit"),
        pytest.param([("a-b", "Dash"), ("a_b", "Underscore")], id="duplicate-names"),
        pytest.param([("", "None"), ("x", "X")], id="empty-value"),
        pytest.param([("true", "Yes"), ("false", "No")], id="reserved-names"),
        pytest.param([("__x", "Dunder")], id="double-underscore"),
        pytest.param([(1, "One"), ("two", "Two")], id="mixed-int-and-str"),
    ],
)
def test_choices_without_valid_distinct_names_fall_back_to_string(choices: list[Any]) -> None:
    schema = _choice_schema(*choices)
    assert fields_of(schema, "Ticket")["state"] == "String"


def test_blank_allowed_choice_falls_back_to_string() -> None:
    """DRF accepts and renders "" for it, which no enum member could stand for."""
    schema = _choice_schema(("open", "Open"), ("closed", "Closed"), allow_blank=True)
    assert fields_of(schema, "Ticket")["state"] == "String"


def test_enum_serializes_drf_value_and_parses_member_back_to_value() -> None:
    class TicketSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=["in-progress", "done"])

    seen: dict[str, Any] = {}

    def runner(field: Any) -> Any:
        async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
            if field.name == "createTicket":
                seen["state"] = arguments["input"].state
            return {"state": "in-progress"}

        return impl

    viewset = make_viewset(TicketSerializer)
    schema = generate_schema([Endpoint("tickets", "ticket", viewset)], runner=runner)
    result = asyncio.run(schema.execute('{ ticket(id: "1") { state } }'))
    assert result.errors is None
    assert result.data == {"ticket": {"state": "IN_PROGRESS"}}

    result = asyncio.run(
        schema.execute("mutation { createTicket(input: {state: DONE}) { state } }")
    )
    assert result.errors is None
    assert seen["state"].value == "done"


@pytest.mark.parametrize(
    ("value", "member"),
    [("in-progress", "IN_PROGRESS"), ("done", "DONE"), ("a b.c", "A_B_C"), (3, "3")],
)
def test_enum_member_name_replaces_other_characters(value: Any, member: str) -> None:
    assert enum_member_name(value) == member


# ------------------------------------------------------------------------ root fields


@pytest.mark.parametrize(
    ("prefix", "field"),
    [
        ("posts", "posts"),
        ("board/tasks", "boardTasks"),
        ("task-items", "taskItems"),
        ("task_items", "taskItems"),
        ("api.v2.posts", "apiV2Posts"),
    ],
)
def test_list_field_name_camel_cases_the_prefix(prefix: str, field: str) -> None:
    assert list_field_name(prefix) == field
    schema = build((prefix, "post", make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)))
    assert field in root(schema, "query")


def test_detail_field_is_the_basename_in_camel_case() -> None:
    schema = build(("tasks", "task-item", make_viewset(PostSerializer)))
    assert signature(schema, "query", "taskItem") == "taskItem(id: ID!): Post!"
    assert "createTaskItem" in root(schema, "mutation")
    assert "updateTaskItem" in root(schema, "mutation")
    assert "deleteTaskItem" in root(schema, "mutation")


def test_prefix_equal_to_basename_gives_a_detail_field_suffixed_detail() -> None:
    schema = build(("users", "users", make_viewset(PostSerializer)))
    assert list(root(schema, "query")) == ["users", "usersDetail"]
    assert list(root(schema, "subscription")) == ["usersDetailChanged", "usersChanged"]
    assert list(root(schema, "mutation")) == ["createUsers", "updateUsers", "deleteUsers"]


def test_default_basename_takes_the_singular_from_the_model_class() -> None:
    from django.contrib.contenttypes.models import ContentType

    class ContentTypeSerializer(serializers.ModelSerializer):
        class Meta:
            model = ContentType
            fields = ["id", "app_label", "model"]

    viewset = make_viewset(ContentTypeSerializer, queryset=ContentType.objects.all())
    schema = build(("content_types", "contenttype", viewset))
    assert list(root(schema, "query")) == ["contentTypes", "contentType"]
    assert list(root(schema, "mutation")) == [
        "createContentType",
        "updateContentType",
        "deleteContentType",
    ]
    assert list(root(schema, "subscription")) == ["contentTypeChanged", "contentTypesChanged"]


def test_detail_name_differing_from_the_list_only_in_case_gets_detail() -> None:
    from django.contrib.contenttypes.models import ContentType

    class KindSerializer(serializers.ModelSerializer):
        class Meta:
            model = ContentType
            fields = ["id", "model"]

    viewset = make_viewset(KindSerializer, viewsets.ReadOnlyModelViewSet,
                           queryset=ContentType.objects.all())  # fmt: skip
    schema = build(("contenttype", "contenttype", viewset))
    assert list(root(schema, "query")) == ["contenttype", "contentTypeDetail"]


def test_root_fields_differing_only_in_case_leave_the_second_out() -> None:
    first = make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)
    second = type("ShoutViewSet", (first,), {})
    with pytest.warns(UserWarning, match="differing only in case, 'posts' and 'Posts'"):
        schema = build(("posts", "post", first), ("Posts", "shout", second))
    assert list(root(schema, "query")) == ["posts", "post", "shout"]


def test_custom_lookup_field_becomes_the_argument_name() -> None:
    schema = build(("posts", "post", make_viewset(PostSerializer, lookup_field="slug")))
    assert signature(schema, "query", "post") == "post(slug: ID!): Post!"
    assert signature(schema, "mutation", "updatePost") == (
        "updatePost(slug: ID!, input: PostPartialInput!): Post!"
    )
    assert signature(schema, "mutation", "deletePost") == "deletePost(slug: ID!): ID!"


def test_lookup_url_kwarg_wins_over_lookup_field() -> None:
    viewset = make_viewset(PostSerializer, lookup_field="slug", lookup_url_kwarg="post_slug")
    schema = build(("posts", "post", viewset))
    assert signature(schema, "query", "post") == "post(postSlug: ID!): Post!"


def test_model_viewset_gets_create_update_and_delete() -> None:
    schema = build(("posts", "post", make_viewset(PostSerializer)))
    assert list(root(schema, "query")) == ["posts", "post"]
    assert list(root(schema, "mutation")) == ["createPost", "updatePost", "deletePost"]
    assert signature(schema, "mutation", "createPost") == "createPost(input: PostInput!): Post!"
    assert signature(schema, "mutation", "updatePost") == (
        "updatePost(id: ID!, input: PostPartialInput!): Post!"
    )
    assert signature(schema, "mutation", "deletePost") == "deletePost(id: ID!): ID!"


def test_read_only_viewset_gets_no_mutations() -> None:
    schema = build(("posts", "post", make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)))
    assert schema._schema.mutation_type is None
    assert "PostInput" not in types(schema)
    assert "PostPartialInput" not in types(schema)


@pytest.mark.parametrize(
    ("mixin", "mutations"),
    [
        (mixins.CreateModelMixin, ["createPost"]),
        (mixins.UpdateModelMixin, ["updatePost"]),
        (mixins.DestroyModelMixin, ["deletePost"]),
    ],
)
def test_only_actions_the_viewset_has_become_mutations(mixin: type, mutations: list[str]) -> None:
    viewset = make_viewset(PostSerializer, mixin, viewsets.GenericViewSet)
    reader = make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)
    schema = build(("posts", "post", viewset), ("feed", "feedItem", reader))
    assert list(root(schema, "mutation")) == mutations
    assert list(root(schema, "query")) == ["feed", "feedItem"]


def test_viewset_with_only_create_has_no_query_fields_and_no_page() -> None:
    viewset = make_viewset(PostSerializer, mixins.CreateModelMixin, viewsets.GenericViewSet)
    reader = make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)
    schema = build(("posts", "post", viewset), ("feed", "feedItem", reader))
    assert "posts" not in root(schema, "query")
    assert "post" not in root(schema, "query")


def test_write_only_registration_builds_with_a_placeholder_query() -> None:
    viewset = make_viewset(PostSerializer, mixins.CreateModelMixin, viewsets.GenericViewSet)
    schema = build(("posts", "post", viewset))
    assert list(root(schema, "query")) == ["_empty"]
    assert list(root(schema, "mutation")) == ["createPost"]
    assert schema.execute_sync("{ _empty }").data == {"_empty": None}


def test_schema_with_no_root_field_at_all_is_a_build_error() -> None:
    viewset = make_viewset(PostSerializer, viewsets.GenericViewSet)
    with pytest.raises(ImproperlyConfigured, match="list or retrieve"):
        build(("posts", "post", viewset))


def test_no_endpoints_is_a_build_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="register at least one"):
        generate_schema([], runner=_runner)


def test_two_registrations_with_the_same_root_field_is_a_build_error_when_strict() -> None:
    first = make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)
    second = type("OtherViewSet", (first,), {})
    with pytest.raises(ImproperlyConfigured) as excinfo:
        build(("posts", "post", first), ("posts", "entry", second), strict=True)
    assert "'posts'" in str(excinfo.value)
    assert "OtherViewSet" in str(excinfo.value)


def test_same_root_field_twice_keeps_the_first_and_warns_naming_both() -> None:
    first = make_viewset(PostSerializer, viewsets.ReadOnlyModelViewSet)
    second = type("OtherViewSet", (first,), {})
    with pytest.warns(UserWarning, match="PostSerializerViewSet.*OtherViewSet"):
        schema = build(("posts", "post", first), ("posts", "entry", second))
    assert list(root(schema, "query")) == ["posts", "post", "entry"]


def test_serializer_with_nothing_writable_gets_no_create_or_update() -> None:
    class ReceiptSerializer(serializers.Serializer):
        id = serializers.IntegerField(read_only=True)

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        schema = build(("receipts", "receipt", make_viewset(ReceiptSerializer)))
    assert list(root(schema, "mutation")) == ["deleteReceipt"]
    assert any("no writable fields" in str(w.message) for w in record)


# ------------------------------------------------------------------------ input types


@pytest.fixture(scope="module")
def post_schema() -> Any:
    return build(("posts", "post", make_viewset(PostSerializer)))


def test_input_keeps_drf_required_ness(post_schema: Any) -> None:
    assert fields_of(post_schema, "PostInput") == {
        "title": "String!",  # required
        "body": "String",  # required=False
        "summary": "String",  # required but allow_null: null is a valid value
    }


def test_input_excludes_read_only_fields(post_schema: Any) -> None:
    for read_only in ("id", "slug", "created"):
        assert read_only not in fields_of(post_schema, "PostInput")
        assert read_only not in fields_of(post_schema, "PostPartialInput")


def test_partial_input_makes_every_field_nullable(post_schema: Any) -> None:
    assert fields_of(post_schema, "PostPartialInput") == {
        "title": "String",
        "body": "String",
        "summary": "String",
    }


def test_optional_input_fields_default_to_unset_not_null(post_schema: Any) -> None:
    """An omitted optional field is not sent to DRF, so the serializer default applies."""
    partial = post_schema.get_type_by_name("PostPartialInput")
    assert all(field.default is strawberry.UNSET for field in partial.fields)


def test_input_field_names_are_camel_cased() -> None:
    class EventSerializer(serializers.Serializer):
        starts_at = serializers.DateTimeField()

    schema = build(("events", "event", make_viewset(EventSerializer)))
    assert fields_of(schema, "EventInput") == {"startsAt": "String!"}
    assert fields_of(schema, "Event") == {"startsAt": "String"}


@pytest.mark.parametrize(
    ("raw", "camel_name", "pascal_name"),
    [("due_date", "dueDate", "DueDate"), ("task-items", "taskItems", "TaskItems")],
)
def test_camel_and_pascal_helpers(raw: str, camel_name: str, pascal_name: str) -> None:
    assert camel(raw) == camel_name
    assert pascal(raw) == pascal_name
