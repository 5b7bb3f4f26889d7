"""Viewsets and serializers that depend on the request.

- ``get_serializer_class()`` reading ``self.request.user`` and ``.method``;
- a serializer whose ``get_fields()`` reads ``context["request"]`` and drops a field for
  anyone but staff (so GraphQL must type it nullable, null where REST omits it);
- ``get_serializer_context()`` calling ``self.filter_queryset(...)`` (as paperless does
  to annotate the page with counts);
- an authentication class that reads ``request.POST`` before the header, as
  django-oauth-toolkit's does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import authentication, exceptions, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Attachment, Book, Memo, Report, Shelf

__all__ = ["CONTEXT_FILTERS", "POST_READING_AUTH", "REQUEST_FIELDS", "REQUEST_SERIALIZER"]


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "title", "secret"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if not self.context["request"].user.is_staff:
            fields.pop("secret")
        return fields


class ReportViewSet(viewsets.ModelViewSet):
    serializer_class = ReportSerializer
    pagination_class = None

    def get_queryset(self):
        return Report.objects.order_by("id")

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


REQUEST_FIELDS = DefaultRouter()
REQUEST_FIELDS.register("reports", ReportViewSet, basename="report")


class PublicReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "title"]


class StaffReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "title", "secret", "owner"]
        read_only_fields = ["owner"]


class AuditViewSet(viewsets.ModelViewSet):
    queryset = Report.objects.order_by("id")
    pagination_class = None

    def get_serializer_class(self):
        if self.request.method == "GET" and not self.request.user.is_staff:
            return PublicReportSerializer
        return StaffReportSerializer

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


REQUEST_SERIALIZER = DefaultRouter()
REQUEST_SERIALIZER.register("audits", AuditViewSet, basename="audit")


class ShelfSerializer(serializers.ModelSerializer):
    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Shelf
        fields = ["id", "name", "book_count"]

    def get_book_count(self, obj: Shelf) -> int:
        return self.context["counts"].get(obj.pk, 0)


class ShelfViewSet(viewsets.ModelViewSet):
    queryset = Shelf.objects.order_by("id")
    serializer_class = ShelfSerializer
    pagination_class = None
    search_fields = ["name"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        shelves = self.filter_queryset(self.get_queryset())
        books = Book.objects.filter(shelf__in=shelves)
        context["counts"] = {s.pk: books.filter(shelf=s).count() for s in shelves}
        return context


CONTEXT_FILTERS = DefaultRouter()
CONTEXT_FILTERS.register("shelves", ShelfViewSet, basename="shelf")


class PostReadingAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <username>`` after reading the form body, as OAuth2 libraries do.

    Like oauthlib, it refuses a request whose headers announce a body it cannot find.
    """

    def authenticate(self, request):
        django_request = request._request
        form = django_request.POST  # parses the body (multipart/form) or nothing
        announced = int(django_request.META.get("CONTENT_LENGTH") or 0)
        if announced and not form and not django_request.body:
            raise exceptions.AuthenticationFailed("Content-Length announces a missing body")
        header = django_request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        user = get_user_model().objects.filter(username=header.removeprefix("Bearer ")).first()
        if user is None:
            raise exceptions.AuthenticationFailed("Unknown bearer")
        return (user, None)

    def authenticate_header(self, request):
        return "Bearer"


class MemoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Memo
        fields = ["id", "text"]


class MemoViewSet(viewsets.ModelViewSet):
    queryset = Memo.objects.order_by("id")
    serializer_class = MemoSerializer
    pagination_class = None
    authentication_classes = [PostReadingAuthentication]


class UploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "title", "file"]


class UploadViewSet(viewsets.ModelViewSet):
    """Uploads through the same authentication: a multipart body it reads first."""

    queryset = Attachment.objects.order_by("id")
    serializer_class = UploadSerializer
    pagination_class = None
    authentication_classes = [PostReadingAuthentication]


POST_READING_AUTH = DefaultRouter()
POST_READING_AUTH.register("memos", MemoViewSet, basename="memo")
POST_READING_AUTH.register("uploads", UploadViewSet, basename="upload")
