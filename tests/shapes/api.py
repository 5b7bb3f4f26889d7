"""REST for every shape: one serializer and one viewset each, registered on one router.

Every viewset shows a user the notes of the shelves they belong to and the public ones,
filters by ``kind`` and ``public``, searches ``title`` and orders by ``title``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from .models import SHAPES, Shelf

__all__ = ["KEY_FIELDS", "router"]

#: The field each shape's REST representation identifies it by (its lookup).
KEY_FIELDS = {"char": "code", "slug": "slug", "db_column": "key"}
#: Fields a client writes besides the common ones, by shape.
WRITABLE_KEYS = {"char": "code", "slug": "slug"}


def _serializer(model: type[models.Model], key: str) -> type[serializers.ModelSerializer]:
    folder_name = serializers.CharField(source="folder.name", read_only=True, allow_null=True)
    meta = type("Meta", (), {
        "model": model,
        "fields": [key, "title", "kind", "public", "shelf", "folder", "folder_name"],
    })  # fmt: skip
    name = f"{model.__name__}Serializer"
    return type(name, (serializers.ModelSerializer,), {"Meta": meta, "folder_name": folder_name})


def _viewset(model: type[models.Model], key: str) -> type[viewsets.ModelViewSet]:
    def get_queryset(self: Any) -> models.QuerySet:
        mine = Shelf.objects.filter(members=self.request.user).values("pk")
        return model.objects.filter(Q(public=True) | Q(shelf__in=mine)).order_by("pk")

    attributes: dict[str, Any] = {
        "queryset": model.objects.all(),
        "serializer_class": _serializer(model, key),
        "get_queryset": get_queryset,
        "filterset_fields": ["kind", "public"],
        "search_fields": ["title"],
        "ordering_fields": ["title"],
    }
    if key == "slug":
        attributes["lookup_field"] = "slug"
    return type(f"{model.__name__}ViewSet", (viewsets.ModelViewSet,), attributes)


router = DefaultRouter()
for shape, (shape_model, prefix) in SHAPES.items():
    router.register(prefix, _viewset(shape_model, KEY_FIELDS.get(shape, "id")))
