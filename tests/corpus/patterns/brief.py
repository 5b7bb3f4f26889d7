"""Serializers whose fields depend on an init argument (issue 23, item 8).

- NetBox's ``BaseModelSerializer(nested=True)``: a nested instance keeps only
  ``Meta.brief_fields`` (its ``fields`` property drops the others);
- the "dynamic fields" mixin of DRF's documentation ("Dynamically modifying fields"):
  ``fields=`` popped in ``__init__``, the others dropped from ``self.fields``.

The same serializer class is listed whole by its own viewset.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter
from rest_framework.utils.serializer_helpers import BindingDict

from ..models import Book, Shelf, Tag

__all__ = ["BRIEF"]


class BaseModelSerializer(serializers.ModelSerializer):
    """NetBox's: ``nested=True`` keeps ``Meta.brief_fields``, ``fields=`` the ones named."""

    def __init__(self, *args: Any, nested: bool = False, fields: Any = None, **kwargs: Any):
        self.nested = nested
        if nested and not fields:
            fields = getattr(self.Meta, "brief_fields", None)
        self._requested_fields = fields
        super().__init__(*args, **kwargs)

    @cached_property
    def fields(self) -> Any:  # type: ignore[override]
        if not self._requested_fields:
            return super().fields
        fields = BindingDict(self)
        for key, value in self.get_fields().items():
            if key in self._requested_fields:
                fields[key] = value
        return fields


class DynamicFieldsModelSerializer(serializers.ModelSerializer):
    """DRF's documentation: a ``fields`` argument says which fields to keep."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.pop("fields", None)
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in set(self.fields) - set(fields):
                self.fields.pop(name)


class ShelfSerializer(BaseModelSerializer):
    display = serializers.SerializerMethodField()
    books = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Shelf
        fields = ["id", "name", "display", "books"]
        brief_fields = ("id", "name")

    def get_display(self, obj: Shelf) -> str:
        return f"Shelf {obj.name}"


class TagSerializer(DynamicFieldsModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class BookSerializer(BaseModelSerializer):
    shelf = ShelfSerializer(nested=True, read_only=True)
    tags = TagSerializer(many=True, read_only=True, fields=("name",))

    class Meta:
        model = Book
        fields = ["id", "title", "shelf", "tags"]


class ShelfViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Shelf.objects.order_by("id")
    serializer_class = ShelfSerializer
    pagination_class = None


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.order_by("id")
    serializer_class = BookSerializer
    pagination_class = None


BRIEF = DefaultRouter()
BRIEF.register("shelves", ShelfViewSet, basename="shelf")
BRIEF.register("books", BookViewSet, basename="book")
