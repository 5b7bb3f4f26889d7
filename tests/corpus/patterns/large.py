"""A large API: 138 registrations over the corpus' models, as NetBox has (issue 23, item 3).

Each registration has a serializer class of its own (its own GraphQL type), a filter on
its model's first column, ordering and pagination, and shows a chain of 40 shared
nested types (NetBox's brief serializers, reused everywhere: a probe of any one
registration reaches most of the schema's types); one of them (``odd``) has a field
Strawberry refuses (``code``: its field class mapped, in ``FIELD_TYPE_MAP``, to an
input type).
"""

from __future__ import annotations

from typing import Any

import strawberry
from django.db import models
from rest_framework import pagination, serializers, viewsets
from rest_framework.routers import DefaultRouter

from schema_gen.mapping import FIELD_TYPE_MAP

from .. import models as corpus

__all__ = ["REGISTRATIONS", "large_router"]

REGISTRATIONS = 138
_MODELS = [
    corpus.Member, corpus.DocumentType, corpus.Note, corpus.Shelf, corpus.Tag, corpus.Book,
    corpus.Category, corpus.Writer, corpus.Article, corpus.Term, corpus.Country, corpus.City,
    corpus.Street, corpus.Item, corpus.Log, corpus.Memo, corpus.Song, corpus.Device,
]  # fmt: skip


class Page(pagination.LimitOffsetPagination):
    default_limit = 50


def _columns(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.is_relation or f.many_to_one]


def _chain(length: int) -> type:
    """``Shared0`` -> ``Shared1`` -> ... ``Shared<length-1>``: nested types every
    registration reaches."""
    following: type | None = None
    for index in reversed(range(length)):
        attrs: dict[str, Any] = {"name": serializers.CharField(), "__module__": __name__}
        if following is not None:
            attrs["next"] = following(read_only=True)
        following = type(f"Shared{index}Serializer", (serializers.Serializer,), attrs)
    assert following is not None
    return following


_SHARED = _chain(40)


def _registration(index: int) -> tuple[str, type]:
    model = _MODELS[index % len(_MODELS)]
    columns = _columns(model)
    meta = type("Meta", (), {"model": model, "fields": [*columns, "shared"]})
    shared = serializers.SerializerMethodField()
    serializer = type(
        f"Large{index}Serializer",
        (serializers.ModelSerializer,),
        {"Meta": meta, "shared": shared, "get_shared": _shared_value},
    )
    attrs: dict[str, Any] = {
        "queryset": model._default_manager.order_by("pk"),
        "serializer_class": serializer,
        "pagination_class": Page,
        "filterset_fields": [c for c in columns if c != "id"][:1],
        "ordering_fields": ["id"],
        "__module__": __name__,
    }
    return f"large-{index}", type(f"Large{index}ViewSet", (viewsets.ModelViewSet,), attrs)


def _shared_value(self: Any, obj: Any) -> _SHARED:  # type: ignore[valid-type]
    return {"name": str(obj)}


@strawberry.input
class CodeInput:
    code: str


class CodeField(serializers.CharField):
    """A project's field mapped to an input type: no output type may hold it."""


FIELD_TYPE_MAP[CodeField] = CodeInput


class OddSerializer(serializers.ModelSerializer):
    class Meta:
        model = corpus.Song
        fields = ["id", "title", "code"]

    code = CodeField(source="title", read_only=True)


class OddViewSet(viewsets.ModelViewSet):
    queryset = corpus.Song.objects.order_by("id")
    serializer_class = OddSerializer


def large_router() -> DefaultRouter:
    router = DefaultRouter()
    for index in range(REGISTRATIONS - 1):
        prefix, viewset = _registration(index)
        router.register(prefix, viewset, basename=prefix)
    router.register("odd", OddViewSet, basename="odd")
    return router
