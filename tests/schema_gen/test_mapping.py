"""Field mapping survey: every field class DRF ships, as the GraphQL type a client sees.

Each test builds a real schema with ``schema_gen.generate_schema`` (a do-nothing runner:
these tests read the SDL, they execute nothing) and asserts the printed GraphQL type of
a field, e.g. ``"[Int!]!"``. Building a schema must not touch the database, so none of
these tests ask for the ``db`` fixture.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from django.contrib.auth.models import User
from django.db import models
from rest_framework import fields, mixins, serializers, viewsets

from sample_site.board.models import Comment, Project, Task
from schema_gen import Endpoint, UnmappedFieldWarning, generate_schema
from schema_gen.mapping import FIELD_TYPE_MAP

# --------------------------------------------------------------------------- helpers


def _runner(field: Any) -> Any:
    async def impl(info: strawberry.Info, arguments: dict[str, Any]) -> Any:
        return None

    return impl


def _viewset(serializer_class: type, base: type = viewsets.ReadOnlyModelViewSet) -> type:
    attrs: dict[str, Any] = {
        "serializer_class": serializer_class,
        "pagination_class": None,
        "filter_backends": [],
    }
    meta = getattr(serializer_class, "Meta", None)
    if getattr(meta, "model", None) is not None:
        attrs["queryset"] = meta.model._default_manager.all()
    return type(f"{serializer_class.__name__}ViewSet", (base,), attrs)


def build(serializer_class: type, base: type = viewsets.ReadOnlyModelViewSet) -> Any:
    """The schema of one viewset serving ``serializer_class``."""
    return generate_schema(
        [Endpoint("items", "item", _viewset(serializer_class, base))], runner=_runner
    )


def output_fields(schema: Any, type_name: str) -> dict[str, str]:
    """``{graphql field name: printed GraphQL type}`` of an output or input type."""
    graphql_type = schema._schema.type_map[type_name]
    return {name: str(field.type) for name, field in graphql_type.fields.items()}


def description(schema: Any, type_name: str, field_name: str) -> str | None:
    return schema._schema.type_map[type_name].fields[field_name].description


# ----------------------------------------------------- a plain serializer, every field


def _model_title() -> models.Field:
    return Task._meta.get_field("title")


class SurveySerializer(serializers.Serializer):
    """Every field class of rest_framework.fields, in its default configuration."""

    char = serializers.CharField(help_text="Any text.")
    email = serializers.EmailField()
    regex = serializers.RegexField(r"^a+$")
    slug = serializers.SlugField()
    url = serializers.URLField()
    uuid = serializers.UUIDField()
    ip = serializers.IPAddressField()
    integer = serializers.IntegerField()
    floating = serializers.FloatField()
    decimal = serializers.DecimalField(max_digits=6, decimal_places=2)
    decimal_number = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False
    )
    boolean = serializers.BooleanField()
    maybe = serializers.BooleanField(allow_null=True)
    moment = serializers.DateTimeField()
    day = serializers.DateField()
    clock = serializers.TimeField()
    span = serializers.DurationField()
    state = serializers.ChoiceField(choices=[("in-progress", "Doing"), ("done", "Done")])
    colours = serializers.MultipleChoiceField(choices=["red", "green"])
    document = serializers.FileField()
    picture = serializers.ImageField()
    numbers = serializers.ListField(child=serializers.IntegerField())
    sparse_numbers = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    mapping = serializers.DictField()
    counts = serializers.DictField(child=serializers.IntegerField())
    store = serializers.HStoreField()
    blob = serializers.JSONField()
    anything = serializers.ReadOnlyField()
    owner = serializers.HiddenField(default="system")
    raw_title = serializers.ModelField(model_field=_model_title())
    secret = serializers.CharField(write_only=True)
    score = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    nickname = serializers.SerializerMethodField()
    extra = serializers.SerializerMethodField()

    def get_score(self, obj: Any) -> int:
        return 1

    def get_labels(self, obj: Any) -> list[str]:
        return []

    def get_nickname(self, obj: Any) -> str | None:
        return None

    def get_extra(self, obj):  # no annotation on purpose
        return {}


@pytest.fixture(scope="module")
def survey() -> Any:
    return build(SurveySerializer, viewsets.ModelViewSet)


@pytest.mark.parametrize(
    ("field", "graphql_type"),
    [
        ("char", "String"),
        ("email", "String"),
        ("regex", "String"),
        ("slug", "String"),
        ("url", "String"),
        ("uuid", "String"),
        ("ip", "String"),
        ("integer", "Int"),
        ("floating", "Float"),
        ("decimal", "String"),
        ("decimalNumber", "Float"),
        ("boolean", "Boolean"),
        ("maybe", "Boolean"),
        ("moment", "String"),
        ("day", "String"),
        ("clock", "String"),
        ("span", "String"),
        ("state", "SurveyState"),
        ("colours", "[SurveyColours!]"),
        ("document", "String"),
        ("picture", "String"),
        ("numbers", "[Int!]"),
        ("sparseNumbers", "[Int]"),
        ("mapping", "JSON"),
        ("counts", "JSON"),
        ("store", "JSON"),
        ("blob", "JSON"),
        ("anything", "JSON"),
        ("rawTitle", "String"),  # ModelField: typed from its model field
        ("score", "Int!"),
        ("labels", "[String!]!"),
        ("nickname", "String"),
        ("extra", "JSON"),
    ],
)
def test_output_type_of_each_drf_field_class(survey: Any, field: str, graphql_type: str) -> None:
    assert output_fields(survey, "Survey")[field] == graphql_type


def test_output_type_covers_every_readable_survey_field(survey: Any) -> None:
    readable = {name for name, f in SurveySerializer().fields.items() if not f.write_only} - {
        "owner"
    }
    assert len(output_fields(survey, "Survey")) == len(readable)


def test_hidden_field_appears_neither_in_output_nor_in_input(survey: Any) -> None:
    assert "owner" not in output_fields(survey, "Survey")
    assert "owner" not in output_fields(survey, "SurveyInput")
    assert "owner" not in output_fields(survey, "SurveyPartialInput")


def test_write_only_field_is_input_only(survey: Any) -> None:
    assert "secret" not in output_fields(survey, "Survey")
    assert output_fields(survey, "SurveyInput")["secret"] == "String!"


def test_read_only_and_method_fields_are_output_only(survey: Any) -> None:
    inputs = output_fields(survey, "SurveyInput")
    for name in ("anything", "score", "labels", "nickname", "extra"):
        assert name not in inputs


@pytest.mark.parametrize(
    ("field", "graphql_type"),
    [
        ("document", "Upload!"),
        ("picture", "Upload!"),
        ("state", "SurveyState!"),
        ("colours", "[SurveyColours!]!"),
        ("decimal", "String!"),
        ("decimalNumber", "Float!"),
        ("uuid", "String!"),
        ("numbers", "[Int!]!"),
        ("sparseNumbers", "[Int]!"),
        ("maybe", "Boolean"),
        ("blob", "JSON!"),
    ],
)
def test_input_type_of_each_drf_field_class(survey: Any, field: str, graphql_type: str) -> None:
    assert output_fields(survey, "SurveyInput")[field] == graphql_type


def test_choice_enum_is_shared_by_output_and_input(survey: Any) -> None:
    enum = survey._schema.type_map["SurveyState"]
    assert list(enum.values) == ["IN_PROGRESS", "DONE"]
    assert "IN_PROGRESS: Doing" in (enum.description or "")


def test_help_text_becomes_the_field_description(survey: Any) -> None:
    assert description(survey, "Survey", "char") == "Any text."
    assert description(survey, "SurveyInput", "char") == "Any text."


def test_serializer_docstring_becomes_the_type_description(survey: Any) -> None:
    assert survey._schema.type_map["Survey"].description == (
        "Every field class of rest_framework.fields, in its default configuration."
    )


@pytest.mark.skipif(
    not hasattr(fields, "NullBooleanField"), reason="NullBooleanField was removed in DRF 3.14"
)
def test_null_boolean_field_is_a_nullable_boolean() -> None:
    class FlagSerializer(serializers.Serializer):
        flag = serializers.NullBooleanField()  # type: ignore[attr-defined]

    assert output_fields(build(FlagSerializer), "Flag")["flag"] == "Boolean"


@pytest.mark.skipif(
    not hasattr(fields, "BigIntegerField"), reason="BigIntegerField arrived in DRF 3.16"
)
def test_big_integer_field_is_a_string_when_coerced_to_string() -> None:
    class CounterSerializer(serializers.Serializer):
        plain = serializers.BigIntegerField()
        text = serializers.BigIntegerField(coerce_to_string=True)

    assert output_fields(build(CounterSerializer), "Counter") == {
        "plain": "Int",
        "text": "String",
    }


@pytest.mark.skipif(
    not hasattr(fields, "BigIntegerField"), reason="BigIntegerField arrived in DRF 3.16"
)
def test_big_integer_field_follows_coerce_bigint_to_string_setting(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "COERCE_BIGINT_TO_STRING": True}

    class TallySerializer(serializers.Serializer):
        total = serializers.BigIntegerField()

    assert output_fields(build(TallySerializer), "Tally")["total"] == "String"


def test_decimal_follows_coerce_decimal_to_string_setting(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "COERCE_DECIMAL_TO_STRING": False}

    class PriceSerializer(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=6, decimal_places=2)

    assert output_fields(build(PriceSerializer), "Price")["amount"] == "Float"


# ----------------------------------------------- model-backed: relations and nesting


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class CommentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "body"]


class ProjectBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class TaskCardSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="task-detail")
    project_slug = serializers.SlugRelatedField(source="project", slug_field="name", read_only=True)
    project_link = serializers.HyperlinkedRelatedField(
        source="project", view_name="project-detail", read_only=True
    )
    project_detail = ProjectBriefSerializer(source="project", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    assignee_label = serializers.StringRelatedField(source="assignee")
    assignee_detail = PersonSerializer(source="assignee", read_only=True)
    assignee_name = serializers.CharField(source="assignee.username", read_only=True)
    comment_ids = serializers.PrimaryKeyRelatedField(source="comments", many=True, read_only=True)
    comments = CommentBriefSerializer(many=True, read_only=True)
    title_again = serializers.ReadOnlyField(source="title")
    nullable_note = serializers.CharField(allow_null=True, required=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "url",
            "project",
            "project_slug",
            "project_link",
            "project_detail",
            "project_name",
            "title",
            "description",
            "status",
            "priority",
            "assignee",
            "assignee_label",
            "assignee_detail",
            "assignee_name",
            "due_date",
            "estimate",
            "tags",
            "comment_ids",
            "comments",
            "title_again",
            "nullable_note",
            "created_at",
        ]


@pytest.fixture(scope="module")
def task_card() -> Any:
    return build(TaskCardSerializer, viewsets.ModelViewSet)


@pytest.mark.parametrize(
    ("field", "graphql_type"),
    [
        ("id", "Int!"),  # BigAutoField: DRF renders an int
        ("url", "String!"),  # HyperlinkedIdentityField
        ("project", "Int!"),  # PrimaryKeyRelatedField to an integer pk, non-null FK
        ("projectSlug", "String!"),  # SlugRelatedField
        ("projectLink", "String!"),  # HyperlinkedRelatedField
        ("projectDetail", "ProjectBrief!"),  # nested serializer over a non-null FK
        ("projectName", "String!"),  # dotted source through a non-null FK
        ("title", "String!"),  # required, non-null model field
        ("description", "String!"),  # blank=True but not null: DRF renders ""
        ("status", "TaskCardStatus!"),
        ("priority", "Int!"),  # integer choices: no valid enum names
        ("assignee", "Int"),  # nullable FK
        ("assigneeLabel", "String"),  # StringRelatedField over a nullable FK
        ("assigneeDetail", "Person"),  # nested serializer over a nullable FK
        ("assigneeName", "String"),  # dotted source through a nullable FK
        ("dueDate", "String"),  # null=True model field
        ("estimate", "String"),  # nullable DecimalField
        ("tags", "JSON!"),  # model JSONField
        ("commentIds", "[Int!]!"),  # ManyRelatedField of primary keys
        ("comments", "[CommentBrief!]!"),  # nested many=True
        ("titleAgain", "String!"),  # ReadOnlyField: typed from its source model field
        ("nullableNote", "String"),  # allow_null
        ("createdAt", "String!"),
    ],
)
def test_model_serializer_output_types(task_card: Any, field: str, graphql_type: str) -> None:
    assert output_fields(task_card, "TaskCard")[field] == graphql_type


def test_model_help_text_becomes_the_description(task_card: Any) -> None:
    assert description(task_card, "TaskCard", "estimate") == "Estimate in hours."
    assert description(task_card, "TaskCardInput", "estimate") == "Estimate in hours."


def test_nested_serializers_become_nested_types(task_card: Any) -> None:
    assert output_fields(task_card, "Person") == {"id": "Int!", "username": "String!"}
    assert output_fields(task_card, "CommentBrief") == {"id": "Int!", "body": "String!"}


def test_relations_are_ids_on_input(task_card: Any) -> None:
    inputs = output_fields(task_card, "TaskCardInput")
    assert inputs["project"] == "ID!"
    assert inputs["assignee"] == "ID"
    assert inputs["status"] == "TaskCardStatus"  # has a model default: optional
    for read_only in ("id", "url", "projectSlug", "comments", "createdAt", "commentIds"):
        assert read_only not in inputs


def test_many_primary_keys_are_a_list_of_ids_on_input() -> None:
    class TeamSerializer(serializers.ModelSerializer):
        class Meta:
            model = Project
            fields = ["id", "name", "members"]

    schema = build(TeamSerializer, viewsets.ModelViewSet)
    assert output_fields(schema, "Team")["members"] == "[Int!]!"
    assert output_fields(schema, "TeamInput")["members"] == "[ID!]"


def test_hyperlinked_model_serializer_renders_links_as_strings() -> None:
    class ProjectLinkSerializer(serializers.HyperlinkedModelSerializer):
        class Meta:
            model = Project
            fields = ["url", "name", "members"]

    schema = build(ProjectLinkSerializer)
    assert output_fields(schema, "ProjectLink") == {
        "url": "String!",
        "name": "String!",
        "members": "[String!]!",
    }


def test_string_related_many_is_a_list_of_strings() -> None:
    class ProjectNamesSerializer(serializers.ModelSerializer):
        members = serializers.StringRelatedField(many=True)

        class Meta:
            model = Project
            fields = ["id", "members"]

    assert output_fields(build(ProjectNamesSerializer), "ProjectNames")["members"] == ("[String!]!")


def test_primary_key_with_pk_field_uses_that_fields_type() -> None:
    class TaskRefSerializer(serializers.ModelSerializer):
        project = serializers.PrimaryKeyRelatedField(
            queryset=Project.objects.all(), pk_field=serializers.UUIDField(format="hex")
        )

        class Meta:
            model = Task
            fields = ["id", "project"]

    assert output_fields(build(TaskRefSerializer), "TaskRef")["project"] == "String!"


# Test-only models: an app label that is not installed, so no table, no migration and no
# reverse accessor on the sample models.
class Profile(models.Model):
    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "schema_gen_tests"
        managed = False

    def __str__(self) -> str:
        return str(self.pk)


class Attachment(models.Model):
    document = models.FileField(blank=True)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "schema_gen_tests"
        managed = False

    def __str__(self) -> str:
        return str(self.pk)


def test_primary_key_of_one_to_one_pk_model_is_the_targets_int() -> None:
    class AttachmentSerializer(serializers.ModelSerializer):
        class Meta:
            model = Attachment
            fields = ["id", "document", "profile"]

    schema = build(AttachmentSerializer)
    assert output_fields(schema, "Attachment")["profile"] == "Int!"


def test_model_file_field_is_nullable_because_an_empty_file_renders_null() -> None:
    class AttachmentFileSerializer(serializers.ModelSerializer):
        class Meta:
            model = Attachment
            fields = ["id", "document"]

    schema = build(AttachmentFileSerializer, viewsets.ModelViewSet)
    assert output_fields(schema, "AttachmentFile")["document"] == "String"
    assert output_fields(schema, "AttachmentFilePartialInput")["document"] == "Upload"


def test_nested_writable_serializer_becomes_a_nested_input_type() -> None:
    class AddressSerializer(serializers.Serializer):
        street = serializers.CharField()
        zip_code = serializers.CharField(required=False)

    class CustomerSerializer(serializers.Serializer):
        name = serializers.CharField()
        address = AddressSerializer()
        previous = AddressSerializer(many=True, required=False)

    schema = build(CustomerSerializer, viewsets.ModelViewSet)
    assert output_fields(schema, "Customer") == {
        "name": "String",
        "address": "Address",
        "previous": "[Address!]!",
    }
    assert output_fields(schema, "CustomerInput") == {
        "name": "String!",
        "address": "AddressInput!",
        "previous": "[AddressInput!]",
    }
    assert output_fields(schema, "AddressInput") == {"street": "String!", "zipCode": "String"}


def test_nested_serializer_without_writable_fields_is_json_on_input() -> None:
    class StampSerializer(serializers.Serializer):
        at = serializers.DateTimeField(read_only=True)

    class LetterSerializer(serializers.Serializer):
        body = serializers.CharField()
        stamp = StampSerializer(required=False)

    schema = build(LetterSerializer, viewsets.ModelViewSet)
    assert output_fields(schema, "Letter")["stamp"] == "Stamp"
    assert output_fields(schema, "LetterInput")["stamp"] == "JSON"


def test_choice_list_items_get_an_enum_named_after_the_list_field() -> None:
    class BoxSerializer(serializers.Serializer):
        sizes = serializers.ListField(child=serializers.ChoiceField(choices=["s", "m"]))

    class CrateSerializer(serializers.Serializer):
        sizes = serializers.ListField(child=serializers.ChoiceField(choices=["xl"]))

    schema = generate_schema(
        [
            Endpoint("boxes", "box", _viewset(BoxSerializer)),
            Endpoint("crates", "crate", _viewset(CrateSerializer)),
        ],
        runner=_runner,
    )
    assert output_fields(schema, "Box")["sizes"] == "[BoxSizes!]"
    assert output_fields(schema, "Crate")["sizes"] == "[CrateSizes!]"
    assert list(schema._schema.type_map["BoxSizes"].values) == ["S", "M"]
    assert list(schema._schema.type_map["CrateSizes"].values) == ["XL"]


# ------------------------------------------------------- nullability and visibility


def test_plain_serializer_fields_are_nullable_whatever_required_says() -> None:
    """No model column backs a plain Serializer's field, and DRF renders None for a None
    attribute even where the field is required (issue 23): nothing there is provable."""

    class NoteSerializer(serializers.Serializer):
        required = serializers.CharField()
        optional = serializers.CharField(required=False)
        nullable = serializers.CharField(allow_null=True)
        computed = serializers.CharField(read_only=True)

    assert output_fields(build(NoteSerializer), "Note") == {
        "required": "String",
        "optional": "String",
        "nullable": "String",
        "computed": "String",
    }


def test_write_only_fields_never_appear_in_output_types() -> None:
    class AccountSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "password"]
            extra_kwargs = {"password": {"write_only": True}}

    schema = build(AccountSerializer, viewsets.ModelViewSet)
    assert "password" not in output_fields(schema, "Account")
    assert output_fields(schema, "AccountInput")["password"] == "String!"


# --------------------------------------------------------------- unmapped and custom


class Weird(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


def test_unmappable_field_falls_back_to_json_with_a_warning_naming_it() -> None:
    class OddSerializer(serializers.Serializer):
        blob = Weird(read_only=True)

    with pytest.warns(UnmappedFieldWarning, match=r"OddSerializer\.blob") as record:
        schema = build(OddSerializer)
    assert output_fields(schema, "Odd")["blob"] == "JSON"
    assert "Weird" in str(record[0].message)
    assert "FIELD_TYPE_MAP" in str(record[0].message)


def test_unmappable_list_child_warning_names_the_serializer_and_list_field() -> None:
    class OddListSerializer(serializers.Serializer):
        blobs = serializers.ListField(child=Weird(), read_only=True)

    with pytest.warns(UnmappedFieldWarning, match=r"OddListSerializer\.blobs"):
        schema = build(OddListSerializer)
    assert output_fields(schema, "OddList")["blobs"] == "[JSON!]"


def test_subclass_of_a_mapped_field_maps_like_its_base() -> None:
    class MoneyField(serializers.DecimalField):
        pass

    class Amount(serializers.IntegerField):
        pass

    class WalletSerializer(serializers.Serializer):
        balance = MoneyField(max_digits=8, decimal_places=2)
        coins = Amount()

    assert output_fields(build(WalletSerializer), "Wallet") == {
        "balance": "String",
        "coins": "Int",
    }


def test_field_type_map_can_be_extended_by_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FIELD_TYPE_MAP, Weird, int)

    class KnownSerializer(serializers.Serializer):
        blob = Weird()

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmappedFieldWarning)
        schema = build(KnownSerializer)
    assert output_fields(schema, "Known")["blob"] == "Int"


def test_method_field_with_unresolvable_annotation_is_nullable_json() -> None:
    class GhostSerializer(serializers.Serializer):
        ghost = serializers.SerializerMethodField()

        def get_ghost(self, obj: Any) -> NoSuchType:  # type: ignore[name-defined]  # noqa: F821
            return None

    assert output_fields(build(GhostSerializer), "Ghost")["ghost"] == "JSON"


def test_method_field_optional_list_is_a_nullable_list() -> None:
    class BagSerializer(serializers.Serializer):
        items = serializers.SerializerMethodField()

        def get_items(self, obj: Any) -> list[int] | None:
            return None

    assert output_fields(build(BagSerializer), "Bag")["items"] == "[Int!]"


def test_list_only_viewset_gets_only_the_list_query() -> None:
    class ListOnly(mixins.ListModelMixin, viewsets.GenericViewSet):
        serializer_class = PersonSerializer
        queryset = User.objects.all()
        pagination_class = None
        filter_backends = []

    schema = generate_schema([Endpoint("people", "person", ListOnly)], runner=_runner)
    assert list(schema._schema.query_type.fields) == ["people"]
    assert schema._schema.mutation_type is None
