"""One app's router, as NetBox mounts each app's: ``api/dcim/`` under the namespace
``dcim-api`` (``include((router.urls, "dcim-api"))``), registering ``interfaces`` as
another app's router does too (:mod:`.virtualization`). Paginated, one row a page.

A middleware reads ``request.path`` to know the app (NetBox's and tenant choosers do):
outside ``/api/dcim/`` the viewset refuses, as REST would at another URL.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions, pagination, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Item

__all__ = ["ROUTER", "MountMiddleware"]


class MountMiddleware:
    """``request.mount``: the app whose API the path is under (``"dcim"``), or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = request.path.strip("/").split("/")
        request.mount = parts[1] if len(parts) > 1 and parts[0] == "api" else None  # type: ignore[attr-defined]
        return self.get_response(request)


class OnePerPage(pagination.PageNumberPagination):
    page_size = 1


class InterfaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "quantity"]


class InterfaceViewSet(viewsets.ModelViewSet):
    serializer_class = InterfaceSerializer
    pagination_class = OnePerPage

    def get_queryset(self):
        if getattr(self.request._request, "mount", None) != "dcim":
            raise exceptions.PermissionDenied("Not under /api/dcim/.")
        return Item.objects.order_by("id")

    def perform_create(self, serializer):
        serializer.save(price="0.00")


ROUTER = DefaultRouter()
ROUTER.register("interfaces", InterfaceViewSet, basename="interface")
