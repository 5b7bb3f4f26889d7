"""Custom ``@action`` routes: a detail POST action and a list GET action."""

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

    @action(detail=False)
    def recent(self, request):
        stories = self.filter_queryset(self.get_queryset()).order_by("-id")[:2]
        return Response(self.get_serializer(stories, many=True).data)


ACTIONS = DefaultRouter()
ACTIONS.register("stories", StoryViewSet, basename="story")
