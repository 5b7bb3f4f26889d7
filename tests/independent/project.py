"""A second, unrelated DRF API over Django's own auth models, to check generality.

Patterns sample_site does not use: HyperlinkedModelSerializer, a custom lookup_field,
PageNumberPagination without page-size parameter, get_serializer_class() by action,
a read-only viewset with owner-only querysets, object permissions on a non-model-owner
rule, staff-only writes.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.urls import include, path
from rest_framework import pagination, permissions, serializers, viewsets
from rest_framework.routers import DefaultRouter


class GroupSerializer(serializers.HyperlinkedModelSerializer):
    member_count = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = ["url", "name", "member_count"]
        extra_kwargs = {"url": {"lookup_field": "name", "view_name": "team-detail"}}
        live_depends_on = ["user"]

    def get_member_count(self, obj: Group) -> int:
        return obj.user_set.count()


class GroupDetailSerializer(GroupSerializer):
    permissions = serializers.SlugRelatedField(
        many=True, slug_field="codename", queryset=Permission.objects.all()
    )

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "permissions"]


class Pages(pagination.PageNumberPagination):
    page_size = 2


class IsStaffOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or request.user.is_staff


class TeamViewSet(viewsets.ModelViewSet):
    """Groups ("teams"), addressed by name; a user sees the teams they are in (staff: all)."""

    serializer_class = GroupSerializer
    lookup_field = "name"
    pagination_class = Pages
    permission_classes = [permissions.IsAuthenticated, IsStaffOrReadOnly]
    filterset_fields = ["name"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        queryset = Group.objects.all()
        return queryset if self.request.user.is_staff else queryset.filter(user=self.request.user)

    def get_serializer_class(self):
        return (
            GroupDetailSerializer
            if self.action in ("retrieve", "create", "partial_update")
            else GroupSerializer
        )


class MeSerializer(serializers.ModelSerializer):
    teams = serializers.StringRelatedField(source="groups", many=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "teams", "date_joined"]


class MeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        return User.objects.filter(pk=self.request.user.pk)


router = DefaultRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("me", MeViewSet, basename="profile")

urlpatterns = [path("v1/", include(router.urls))]
