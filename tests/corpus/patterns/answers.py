"""Fields and views whose REST answers the generator cannot read off a model column.

- a field sourced on a ``GenericForeignKey`` (NetBox's ``GFKSerializerField`` of
  ``assigned_object``: a ``serializers.Field`` declared JSON for drf-spectacular), and a
  dotted source through one;
- NetBox's ``SerializedPKRelatedField``: a ``PrimaryKeyRelatedField(many=True)`` written
  by primary key whose ``to_representation`` renders its nested serializer;
- method fields whose ``@extend_schema_field`` type their value contradicts (a list
  declared, an object returned, and the reverse);
- a paginated viewset whose ``list()`` answers one object, and one answering one dict;
- a plain ``ViewSet`` (no ``filter_queryset``);
- a plain (non-model) ``Serializer`` nested in the output whose fields are None for some
  objects;
- NetBox's ``WritableNestedSerializer``: a nested serializer written by primary key;
- drf-writable-nested's ``WritableNestedModelSerializer``: nested rows linked (and
  updated) by the ``id`` in their data, created without one;
- exceptions the viewset maps itself, in ``dispatch()`` (NetBox: ``ProtectedError`` ->
  409) and in ``handle_exception()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError
from drf_spectacular.utils import extend_schema_field
from drf_writable_nested.serializers import WritableNestedModelSerializer
from rest_framework import pagination, serializers, status, viewsets
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ..models import Book, Bookmark, Gadget, Member, Shelf, Tag

__all__ = ["GENERIC", "MAPPED_ERRORS", "ODD_LISTS", "SERIALIZED_PK", "WRITABLE_NESTED"]


@extend_schema_field(serializers.JSONField(allow_null=True, read_only=True))
class GFKSerializerField(serializers.Field):
    """NetBox's: the generic target rendered by a serializer of its own model."""

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        return {"type": value._meta.model_name, "id": value.pk, "name": str(value)}


class BookmarkSerializer(serializers.ModelSerializer):
    target = GFKSerializerField(read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Bookmark
        fields = ["id", "label", "target", "target_name"]


class BookmarkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Bookmark.objects.order_by("id")
    serializer_class = BookmarkSerializer
    pagination_class = None


GENERIC = DefaultRouter()
GENERIC.register("bookmarks", BookmarkViewSet, basename="bookmark")


class SerializedPKRelatedField(PrimaryKeyRelatedField):
    """NetBox's: written by primary key, read as the nested serializer."""

    def __init__(self, serializer: type, **kwargs: Any) -> None:
        self.serializer = serializer
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return self.serializer(value, context=self.context).data


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "name"]


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class GadgetSerializer(serializers.ModelSerializer):
    parts = SerializedPKRelatedField(
        serializer=PartSerializer, queryset=Tag.objects.all(), many=True, required=False
    )
    #: declared a list of members, answers one object
    keepers = serializers.SerializerMethodField()
    #: declared one member, answers a list
    keeper = serializers.SerializerMethodField()

    class Meta:
        model = Gadget
        fields = ["id", "name", "owner", "parts", "keepers", "keeper"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_keepers(self, obj: Gadget) -> Any:
        return MemberSerializer(obj.owner).data

    @extend_schema_field(MemberSerializer)
    def get_keeper(self, obj: Gadget) -> Any:
        return [MemberSerializer(obj.owner).data]


class GadgetViewSet(viewsets.ModelViewSet):
    queryset = Gadget.objects.order_by("id")
    serializer_class = GadgetSerializer
    pagination_class = None


SERIALIZED_PK = DefaultRouter()
SERIALIZED_PK.register("gadgets", GadgetViewSet, basename="gadget")


class Page(pagination.PageNumberPagination):
    page_size = 10


class LatestMemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Paginated, but ``list()`` answers the latest member only."""

    queryset = Member.objects.order_by("id")
    serializer_class = MemberSerializer
    pagination_class = Page

    def list(self, request, *args, **kwargs):
        latest = self.filter_queryset(self.get_queryset()).last()
        return Response(self.get_serializer(latest).data)


class SummaryViewSet(viewsets.ReadOnlyModelViewSet):
    """Paginated, but ``list()`` answers one dict of figures."""

    queryset = Member.objects.order_by("id")
    serializer_class = MemberSerializer
    pagination_class = Page

    def list(self, request, *args, **kwargs):
        return Response({"count": self.get_queryset().count(), "status": "ok"})


class ProfileSerializer(serializers.Serializer):
    """A plain serializer: nothing here is a model column."""

    nickname = serializers.CharField()
    age = serializers.IntegerField()


class MemberCardSerializer(serializers.ModelSerializer):
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "name", "profile"]

    @extend_schema_field(ProfileSerializer)
    def get_profile(self, obj: Member) -> Any:
        nickname = obj.name if obj.name.startswith("n") else None
        return ProfileSerializer({"nickname": nickname, "age": None}).data


class MemberCardViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Member.objects.order_by("id")
    serializer_class = MemberCardSerializer
    pagination_class = None


class RosterViewSet(viewsets.ViewSet):
    """A plain ViewSet with a ``get_queryset()`` and a ``serializer_class`` it uses by
    hand: no ``filter_queryset()``, no ``get_object()``."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        return Member.objects.order_by("id")

    def list(self, request):
        return Response(MemberSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(MemberSerializer(self.get_queryset().get(pk=pk)).data)


ODD_LISTS = DefaultRouter()
ODD_LISTS.register("latest", LatestMemberViewSet, basename="latest")
ODD_LISTS.register("summaries", SummaryViewSet, basename="summary")
ODD_LISTS.register("cards", MemberCardViewSet, basename="card")
ODD_LISTS.register("roster", RosterViewSet, basename="roster")


class OwnerViewSet(viewsets.ModelViewSet):
    """NetBox's ``dispatch()``: a protected delete answers 409 with the dependents."""

    queryset = Member.objects.order_by("id")
    serializer_class = MemberSerializer
    pagination_class = None

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ProtectedError as exc:
            count = len(exc.protected_objects)
            response = Response(
                {"detail": f"Unable to delete object. {count} dependent objects were found"},
                status=status.HTTP_409_CONFLICT,
            )
            return self.finalize_response(request, response, *args, **kwargs)

    def perform_destroy(self, instance):
        if instance.gadgets.exists():
            raise ProtectedError("protected", list(instance.gadgets.all()))
        instance.delete()


class GuardedOwnerViewSet(OwnerViewSet):
    """The same mapping in ``handle_exception()`` instead."""

    def dispatch(self, request, *args, **kwargs):
        return viewsets.ModelViewSet.dispatch(self, request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, ProtectedError):
            return Response({"detail": "In use."}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, LookupError):
            return Response({"detail": "Bad key."}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


MAPPED_ERRORS = DefaultRouter()
MAPPED_ERRORS.register("owners", OwnerViewSet, basename="owner")
MAPPED_ERRORS.register("guarded-owners", GuardedOwnerViewSet, basename="guarded-owner")


class WritableNestedSerializer(serializers.ModelSerializer):
    """NetBox's: read as the nested object, written by primary key (or lookup attributes)."""

    def to_internal_value(self, data: Any) -> Any:
        model = self.Meta.model
        if isinstance(data, dict):
            return model.objects.get(**data)
        return model.objects.get(pk=int(data))


class NestedMemberSerializer(WritableNestedSerializer):
    class Meta:
        model = Member
        fields = ["id", "name"]


class ToolSerializer(serializers.ModelSerializer):
    owner = NestedMemberSerializer()

    class Meta:
        model = Gadget
        fields = ["id", "name", "owner"]


class ToolViewSet(viewsets.ModelViewSet):
    queryset = Gadget.objects.order_by("id")
    serializer_class = ToolSerializer
    pagination_class = None


WRITABLE_NESTED = DefaultRouter()
WRITABLE_NESTED.register("tools", ToolViewSet, basename="tool")


class LinkedTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class LinkedShelfSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shelf
        fields = ["id", "name"]


class LinkedBookSerializer(WritableNestedModelSerializer):
    """drf-writable-nested: a nested row with an ``id`` is that row (updated, linked),
    one without is created."""

    shelf = LinkedShelfSerializer()
    tags = LinkedTagSerializer(many=True, required=False)

    class Meta:
        model = Book
        fields = ["id", "title", "genre", "shelf", "tags"]


class LinkedBookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.order_by("id")
    serializer_class = LinkedBookSerializer
    pagination_class = None


WRITABLE_NESTED.register("linked-books", LinkedBookViewSet, basename="linked-book")
