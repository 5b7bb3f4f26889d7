"""Routers as real projects write them.

- ``register("members", ..., basename="members")``: prefix == basename;
- no basename at all: DRF's default (``documenttype``);
- a plain ``ViewSet`` that serializes by hand with a ``serializer_class`` attribute, next to
  one with no serializer at all (left out with a warning, never taking the others down);
- ``http_method_names`` without put/patch/delete: those stay refused in GraphQL.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ..models import DocumentType, Log, Member, Note

__all__ = [
    "DEFAULT_BASENAME", "METHODS", "PLAIN_VIEWSET", "PREFIX_IS_BASENAME", "NoteSerializer",
]  # fmt: skip


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "name"]


class MemberViewSet(viewsets.ModelViewSet):
    queryset = Member.objects.order_by("id")
    serializer_class = MemberSerializer
    pagination_class = None


PREFIX_IS_BASENAME = DefaultRouter()
PREFIX_IS_BASENAME.register("members", MemberViewSet, basename="members")


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "name"]


class DocumentTypeViewSet(viewsets.ModelViewSet):
    queryset = DocumentType.objects.order_by("id")
    serializer_class = DocumentTypeSerializer
    pagination_class = None


DEFAULT_BASENAME = DefaultRouter()
DEFAULT_BASENAME.register("document_types", DocumentTypeViewSet)


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "text"]


class NoteViewSet(viewsets.ViewSet):
    """No GenericAPIView: list and retrieve serialize by hand."""

    serializer_class = NoteSerializer

    def list(self, request):
        return Response(NoteSerializer(Note.objects.order_by("id"), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(NoteSerializer(get_object_or_404(Note, pk=pk)).data)


class HealthViewSet(viewsets.ViewSet):
    """No serializer anywhere: nothing to type it from."""

    def list(self, request):
        return Response({"ok": True})


PLAIN_VIEWSET = DefaultRouter()
PLAIN_VIEWSET.register("notes", NoteViewSet, basename="note")
PLAIN_VIEWSET.register("health", HealthViewSet, basename="health")


class LogSerializer(serializers.ModelSerializer):
    class Meta:
        model = Log
        fields = ["id", "message"]


class LogViewSet(viewsets.ModelViewSet):
    """Append-only: no update, no delete."""

    queryset = Log.objects.order_by("id")
    serializer_class = LogSerializer
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]


METHODS = DefaultRouter()
METHODS.register("logs", LogViewSet, basename="log")
