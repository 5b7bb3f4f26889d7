"""A viewset whose ``get_serializer_context()`` runs a query that fails, as paperless-ngx'
do (``ContentType.objects.get_for_model``, document counts) while ``migrate`` has not
created their tables yet: the build falls back to DRF's default context."""

from __future__ import annotations

from typing import Any

from django.db import connection
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from drf_graphql_live import build_schema
from sample_site.board.models import Project

__all__ = ["QueryingViewSet", "router", "schema"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class QueryingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM dgl_table_not_migrated_yet")
        return super().get_serializer_context()


router = SimpleRouter()
router.register("projects", QueryingViewSet)
schema = build_schema(router)
