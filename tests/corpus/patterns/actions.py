"""Custom ``@action`` routes: detail POST actions and a list GET action.

``unpublish`` answers a status message, as DRF's ``set_password`` example does, while
drf-spectacular (and GraphQL) type it from the viewset's serializer.
"""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ..models import Article

__all__ = ["ACTIONS"]


class StorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "status"]


class StoryViewSet(viewsets.ModelViewSet):
    queryset = Article.objects.order_by("id")
    serializer_class = StorySerializer
    pagination_class = None

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        story = self.get_object()
        story.status = Article.Status.PUBLISHED
        story.save()
        return Response(self.get_serializer(story).data)

    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        story = self.get_object()
        story.status = Article.Status.DRAFT
        story.save()
        return Response({"detail": "unpublished"})

    @action(detail=False)
    def recent(self, request):
        stories = self.filter_queryset(self.get_queryset()).order_by("-id")[:2]
        return Response(self.get_serializer(stories, many=True).data)


ACTIONS = DefaultRouter()
ACTIONS.register("stories", StoryViewSet, basename="story")
