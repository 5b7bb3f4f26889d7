"""select_related / prefetch_related derived from the (pruned) serializer.

A list's SQL query count must not grow with its rows. The serializer already says which
relations its representation walks, so we read them off it instead of asking users to
write ``prefetch_related`` for GraphQL::

    TaskSerializer fields: assignee_detail (UserSerializer, source="assignee"),
                           comments (CommentSerializer(many=True)) -> author
    related_lookups(serializer, Task)  # ({"assignee"}, {"comments", "comments__author"})

A single ``PrimaryKeyRelatedField`` needs no join: DRF reads the ``*_id`` column. A
``GenericForeignKey`` cannot be joined (its model is per row): it is prefetched.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import fields, relations, serializers

__all__ = ["optimize_queryset", "related_lookups"]


def related_lookups(
    serializer: serializers.BaseSerializer, model: type[models.Model]
) -> tuple[set[str], set[str]]:
    """(select_related paths, prefetch_related paths) the representation will walk."""
    selects: set[str] = set()
    prefetches: set[str] = set()
    _collect(serializer, model, "", False, selects, prefetches)
    return selects, prefetches


def _collect(
    serializer: Any,
    model: Any,
    prefix: str,
    prefetching: bool,
    selects: set[str],
    prefetches: set[str],
) -> None:
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    for field in serializer.fields.values():
        if field.write_only:
            continue
        attrs = list(field.source_attrs)
        if _pk_only(field):
            attrs = attrs[:-1]  # DRF reads "<fk>_id": no join for the last hop
        related, path, many = model, prefix, prefetching
        for attr in attrs:
            model_field = _get_field(related, attr)
            if model_field is None or not model_field.is_relation:
                related = None
                break
            path = f"{path}__{attr}" if path else attr
            if model_field.related_model is None:  # a GenericForeignKey: no join, no model
                prefetches.add(path)  # prefetch_related fetches it per content type
                related = None
                break
            many = many or model_field.many_to_many or model_field.one_to_many
            (prefetches if many else selects).add(path)
            related = model_field.related_model
        if related is not None and isinstance(field, serializers.BaseSerializer):
            _collect(field, related, path, many, selects, prefetches)


def _pk_only(field: fields.Field) -> bool:
    return (
        isinstance(field, relations.RelatedField)
        and field.use_pk_only_optimization()
        and len(field.source_attrs) == 1
    )


def _get_field(model: Any, attr: str) -> Any:
    try:
        return model._meta.get_field(attr) if model is not None else None
    except Exception:  # a property, a method or an annotation
        return None


def optimize_queryset(queryset: Any, serializer: serializers.BaseSerializer) -> Any:
    """``queryset`` with the joins and prefetches ``serializer`` needs, never a second time."""
    if not isinstance(queryset, models.QuerySet) or getattr(queryset, "_fields", None) is not None:
        return queryset  # .values() querysets cannot join
    selects, prefetches = related_lookups(serializer, queryset.model)
    lookups = getattr(queryset, "_prefetch_related_lookups", ())
    already = {getattr(p, "prefetch_to", p) for p in lookups}
    if selects:
        queryset = queryset.select_related(*sorted(selects))
    wanted = sorted(prefetches - already)
    return queryset.prefetch_related(*wanted) if wanted else queryset
