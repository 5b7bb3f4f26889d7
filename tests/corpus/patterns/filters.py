"""Filters as real projects declare them.

- a FilterSet with ``AllValuesFilter`` and a ``ModelMultipleChoiceFilter`` without a
  queryset (django-filter fills it in when the FilterSet is bound);
- filters read by hand in ``get_queryset()`` and declared only for OpenAPI, through
  drf-spectacular's ``@extend_schema(parameters=...)``, or through a filter backend's
  ``get_schema_operation_parameters``;
- an ordinary viewset for variables of the wrong type (a client error, not a crash).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Book, Item, Song, Tag

__all__ = ["HAND_READ_FILTERS", "UNBOUND_FILTERS", "WRONG_TYPES"]


class BookFilterSet(django_filters.FilterSet):
    genre = django_filters.AllValuesFilter()
    tags = django_filters.ModelMultipleChoiceFilter(queryset=None, field_name="tags")

    class Meta:
        model = Book
        fields = ["genre", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["tags"].queryset = Tag.objects.all()


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "genre", "tags", "shelf"]


class BookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.order_by("id")
    serializer_class = BookSerializer
    filterset_class = BookFilterSet
    pagination_class = None


UNBOUND_FILTERS = DefaultRouter()
UNBOUND_FILTERS.register("books", BookViewSet, basename="book")


class SongSerializer(serializers.ModelSerializer):
    class Meta:
        model = Song
        fields = ["id", "title", "artist"]


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("artist", str, description="exact")])
)
class SongViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SongSerializer
    pagination_class = None

    def get_queryset(self):
        songs = Song.objects.order_by("id")
        artist = self.request.query_params.get("artist")
        return songs.filter(artist=artist) if artist else songs


class TitlePrefixBackend(filters.BaseFilterBackend):
    """``?title_prefix=`` read by hand, declared for OpenAPI by the backend itself."""

    def filter_queryset(self, request, queryset, view):
        prefix = request.query_params.get("title_prefix")
        return queryset.filter(title__startswith=prefix) if prefix else queryset

    def get_schema_operation_parameters(self, view):
        return [{"name": "title_prefix", "required": False, "in": "query",
                 "schema": {"type": "string"}}]  # fmt: skip


class TrackViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Song.objects.order_by("id")
    serializer_class = SongSerializer
    pagination_class = None
    filter_backends = [TitlePrefixBackend]


HAND_READ_FILTERS = DefaultRouter()
HAND_READ_FILTERS.register("songs", SongViewSet, basename="song")
HAND_READ_FILTERS.register("tracks", TrackViewSet, basename="track")


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "price", "quantity"]


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.order_by("id")
    serializer_class = ItemSerializer
    filterset_fields = ["quantity"]


WRONG_TYPES = DefaultRouter()
WRONG_TYPES.register("items", ItemViewSet, basename="item")
