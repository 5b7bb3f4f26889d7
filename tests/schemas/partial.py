"""A router with one viewset the generator cannot type next to one it can."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from drf_graphql_live import build_schema
from sample_site.board.models import Project, Task

__all__ = ["ExplodingViewSet", "ProjectViewSet", "router", "schema"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class ExplodingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]

    def get_fields(self) -> dict[str, Any]:
        raise RuntimeError("settings.FEATURE_FLAGS is not configured")


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer


class ExplodingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Task.objects.all()
    serializer_class = ExplodingSerializer


router = SimpleRouter()
router.register("projects", ProjectViewSet)
router.register("tasks", ExplodingViewSet)
schema = build_schema(router)
