"""Which representations are rendered once for every group (drf_graphql_live.live.sharing)."""

from __future__ import annotations

from rest_framework import serializers

from drf_graphql_live.api.selection import prune_serializer
from drf_graphql_live.live.sharing import shared_representation
from sample_site.board.models import Task
from sample_site.board.serializers import TaskSerializer


def trimmed(selection: dict) -> TaskSerializer:
    serializer = TaskSerializer(context={})
    prune_serializer(serializer, selection)
    return serializer


def test_drf_fields_with_model_sources_are_shared():
    assert shared_representation(trimmed({"id": {}, "title": {}, "status": {}, "projectName": {}}))


def test_a_method_field_is_rendered_per_subscriber():
    assert not shared_representation(trimmed({"id": {}, "commentCount": {}}))


def test_a_hyperlink_is_rendered_per_subscriber():
    assert not shared_representation(trimmed({"id": {}, "url": {}}))


def test_a_projects_own_field_class_is_rendered_per_subscriber():
    assert not shared_representation(trimmed({"id": {}, "project": {}}))


class AnnotatedSerializer(serializers.ModelSerializer):
    is_mine = serializers.BooleanField(read_only=True)  # an annotation of get_queryset()

    class Meta:
        model = Task
        fields = ["id", "is_mine"]


def test_a_source_that_is_not_on_the_model_is_rendered_per_subscriber():
    assert not shared_representation(AnnotatedSerializer(context={}))


class PersonalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["title"] += f" ({self.context['request'].user})"
        return data


def test_an_overridden_to_representation_is_rendered_per_subscriber():
    assert not shared_representation(PersonalSerializer(context={}))


class PromisedSerializer(PersonalSerializer):
    class Meta(PersonalSerializer.Meta):
        live_shared_representation = True


def test_a_serializer_may_declare_its_representation_shared():
    assert shared_representation(PromisedSerializer(context={}))
