"""Serializer shapes real projects have and samples do not.

- a self-nesting tree (``children`` added in ``get_fields()``);
- a serializer with no readable field (write-only, e.g. a secret drop box);
- ``ReadOnlyField(source=...)`` of a column and of a model property;
- method fields whose return hint is a plain type, a serializer class or a TypedDict;
- a read-only reverse ``PrimaryKeyRelatedField(many=True)`` (ints in REST);
- a stored choice value no longer in the choices;
- ``ListSerializer(child=CharField())``;
- ``Meta.depth`` on two serializers (DRF names both nested classes ``NestedSerializer``);
- a ``FileField`` (uploaded with the GraphQL multipart request spec).
"""

from __future__ import annotations

from typing import Any, TypedDict

from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Article, Attachment, Category, City, Country, Secret, Street, Term, Writer

__all__ = [
    "DEPTH", "FILES", "LIST_OF_VALUES", "METHOD_HINTS", "NO_READABLE_FIELD",
    "OLD_CHOICES", "READ_ONLY_SOURCE", "REVERSE_PK", "TREE",
]  # fmt: skip


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["children"] = CategorySerializer(many=True, read_only=True)
        return fields


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.filter(parent=None).order_by("id")
    serializer_class = CategorySerializer
    pagination_class = None


TREE = DefaultRouter()
TREE.register("categories", CategoryViewSet, basename="category")


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["id", "name"]


class SecretSerializer(serializers.ModelSerializer):
    class Meta:
        model = Secret
        fields = ["value"]
        extra_kwargs = {"value": {"write_only": True}}


class SecretViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """A drop box: create only, nothing readable comes back."""

    queryset = Secret.objects.all()
    serializer_class = SecretSerializer


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """A readable sibling: the schema has a Query whatever becomes of the drop box."""

    queryset = Country.objects.order_by("id")
    serializer_class = CountrySerializer
    pagination_class = None


NO_READABLE_FIELD = DefaultRouter()
NO_READABLE_FIELD.register("secrets", SecretViewSet, basename="secret")
NO_READABLE_FIELD.register("countries", CountryViewSet, basename="country")


class WriterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Writer
        fields = ["id", "name"]


class ArticleReadOnlySerializer(serializers.ModelSerializer):
    heading = serializers.ReadOnlyField(source="title")
    headline = serializers.ReadOnlyField()

    class Meta:
        model = Article
        fields = ["id", "heading", "headline"]


class ArticleReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleReadOnlySerializer
    pagination_class = None


READ_ONLY_SOURCE = DefaultRouter()
READ_ONLY_SOURCE.register("headings", ArticleReadOnlyViewSet, basename="heading")


class Stats(TypedDict):
    words: int
    title: str


class ArticleHintsSerializer(serializers.ModelSerializer):
    word_count = serializers.SerializerMethodField()
    writer = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "word_count", "writer", "stats"]

    def get_word_count(self, obj: Article) -> int:
        return len(obj.body.split())

    def get_writer(self, obj: Article) -> WriterSerializer:
        return WriterSerializer(obj.author).data  # type: ignore[return-value]

    def get_stats(self, obj: Article) -> Stats:
        return {"words": len(obj.body.split()), "title": obj.title}


class ArticleHintsViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleHintsSerializer
    pagination_class = None


METHOD_HINTS = DefaultRouter()
METHOD_HINTS.register("summaries", ArticleHintsViewSet, basename="summary")


class WriterArticlesSerializer(serializers.ModelSerializer):
    articles = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Writer
        fields = ["id", "name", "articles"]


class WriterViewSet(viewsets.ModelViewSet):
    queryset = Writer.objects.order_by("id")
    serializer_class = WriterArticlesSerializer
    pagination_class = None


REVERSE_PK = DefaultRouter()
REVERSE_PK.register("writers", WriterViewSet, basename="writer")


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "status", "author"]


class ArticleViewSet(viewsets.ModelViewSet):
    queryset = Article.objects.order_by("id")
    serializer_class = ArticleSerializer
    pagination_class = None


OLD_CHOICES = DefaultRouter()
OLD_CHOICES.register("articles", ArticleViewSet, basename="article")


class TermSerializer(serializers.ModelSerializer):
    aliases = serializers.ListSerializer(child=serializers.CharField())

    class Meta:
        model = Term
        fields = ["id", "word", "aliases"]


class TermViewSet(viewsets.ModelViewSet):
    queryset = Term.objects.order_by("id")
    serializer_class = TermSerializer
    pagination_class = None


LIST_OF_VALUES = DefaultRouter()
LIST_OF_VALUES.register("terms", TermViewSet, basename="term")


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "name", "country"]
        depth = 1


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "name", "city"]
        depth = 1


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = City.objects.order_by("id")
    serializer_class = CitySerializer
    pagination_class = None


class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Street.objects.order_by("id")
    serializer_class = StreetSerializer
    pagination_class = None


DEPTH = DefaultRouter()
DEPTH.register("cities", CityViewSet, basename="city")
DEPTH.register("streets", StreetViewSet, basename="street")


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "title", "file"]


class AttachmentViewSet(viewsets.ModelViewSet):
    queryset = Attachment.objects.order_by("id")
    serializer_class = AttachmentSerializer
    pagination_class = None


FILES = DefaultRouter()
FILES.register("attachments", AttachmentViewSet, basename="attachment")
