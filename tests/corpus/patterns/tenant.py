"""A multi-tenant app: a middleware picks the space, the default manager is scoped to it.

``X-Space: <name>`` chooses the tenant (django-tenants reads the host; the idea is the
same); the viewset relies on ``request.space`` and ``Recipe.objects`` raises outside a
space, as django-scopes does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import CurrentSpace, Recipe, Space

__all__ = ["TENANT", "SpaceMiddleware"]


class SpaceMiddleware:
    """Sets ``request.space`` and the scope of ``Recipe.objects`` for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.headers.get("X-Space")
        space = Space.objects.filter(name=name).first() if name else None
        request.space = space  # type: ignore[attr-defined]
        if space is None:
            return self.get_response(request)
        token = CurrentSpace.set(space)
        try:
            return self.get_response(request)
        finally:
            CurrentSpace.reset(token)


class RecipeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recipe
        fields = ["id", "name"]


class RecipeViewSet(viewsets.ModelViewSet):
    serializer_class = RecipeSerializer
    pagination_class = None

    def get_queryset(self):
        return Recipe.objects.filter(space=self.request.space).order_by("id")

    def perform_create(self, serializer):
        serializer.save(space=self.request.space)


TENANT = DefaultRouter()
TENANT.register("recipes", RecipeViewSet, basename="recipe")
