"""Another app's router reusing the prefix and basename of :mod:`.dcim`'s: ``interfaces``,
``interface``; mounted at ``api/virtualization/`` under ``virtualization-api``."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Song

__all__ = ["ROUTER"]


class VMInterfaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Song
        fields = ["id", "title", "artist"]


class VMInterfaceViewSet(viewsets.ModelViewSet):
    serializer_class = VMInterfaceSerializer
    pagination_class = None

    def get_queryset(self):
        return Song.objects.order_by("id")


ROUTER = DefaultRouter()
ROUTER.register("interfaces", VMInterfaceViewSet, basename="interface")
