"""Names real projects use that collide with generated ones.

- a FilterSet filter named like the paginator's parameter (``start``: a filter on the
  first id and, in the same query string, the paginator's offset), as one REST
  parameter both read;
- serializers named ``QuerySerializer``, ``MutationSerializer`` and
  ``SubscriptionSerializer``, whose types would be the schema's root types;
- serializer fields whose names are no GraphQL names (``2fa``, ``first-name``, ``é``,
  ``__x``, ``class``: a model's verbose columns, a legacy JSON API's keys).
"""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import pagination, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Item, Memo, Note, Song, Term

__all__ = ["ODD_NAMES", "PAGINATOR_PARAMETER", "ROOT_NAMES"]


class StartOffset(pagination.LimitOffsetPagination):
    default_limit = 10
    offset_query_param = "start"


class SongFilterSet(django_filters.FilterSet):
    start = django_filters.NumberFilter(field_name="id", lookup_expr="gte")

    class Meta:
        model = Song
        fields = ["start", "artist"]


class SongSerializer(serializers.ModelSerializer):
    class Meta:
        model = Song
        fields = ["id", "title", "artist"]


class SongViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Song.objects.order_by("id")
    serializer_class = SongSerializer
    filterset_class = SongFilterSet
    pagination_class = StartOffset


PAGINATOR_PARAMETER = DefaultRouter()
PAGINATOR_PARAMETER.register("songs", SongViewSet, basename="song")


class QuerySerializer(serializers.ModelSerializer):
    """A saved search (Memo), named as its app names it."""

    class Meta:
        model = Memo
        fields = ["id", "text"]


class MutationSerializer(serializers.ModelSerializer):
    """A gene mutation (Note), named as its app names it."""

    class Meta:
        model = Note
        fields = ["id", "text"]


class SubscriptionSerializer(serializers.ModelSerializer):
    """A newsletter subscription (Term), named as its app names it."""

    class Meta:
        model = Term
        fields = ["id", "word"]


class QueryViewSet(viewsets.ModelViewSet):
    queryset = Memo.objects.order_by("id")
    serializer_class = QuerySerializer
    pagination_class = None


class MutationViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.order_by("id")
    serializer_class = MutationSerializer
    pagination_class = None


class SubscriptionViewSet(viewsets.ModelViewSet):
    queryset = Term.objects.order_by("id")
    serializer_class = SubscriptionSerializer
    pagination_class = None


ROOT_NAMES = DefaultRouter()
ROOT_NAMES.register("queries", QueryViewSet, basename="query")
ROOT_NAMES.register("mutations", MutationViewSet, basename="mutation")
ROOT_NAMES.register("subscriptions", SubscriptionViewSet, basename="subscription")


class OddNamesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["2fa"] = serializers.CharField(source="name")
        fields["first-name"] = serializers.IntegerField(source="quantity", required=False)
        fields["é"] = serializers.DecimalField(source="price", max_digits=8, decimal_places=2)
        fields["__x"] = serializers.CharField(source="name", read_only=True)
        fields["class"] = serializers.IntegerField(source="quantity", read_only=True)
        return fields


class OddNamesViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.order_by("id")
    serializer_class = OddNamesSerializer
    pagination_class = None


ODD_NAMES = DefaultRouter()
ODD_NAMES.register("odd-names", OddNamesViewSet, basename="odd-name")
