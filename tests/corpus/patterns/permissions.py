"""Object permissions as NetBox has them, and querysets that live events must honour.

- ``initial()`` restricts ``self.queryset`` to what the user may see (NetBox's
  ``BaseViewSet``: ``self.queryset = self.queryset.restrict(request.user, "view")``);
  the permission class is DRF's ``DjangoObjectPermissions`` with a read permission, so an
  object the user may not read raises ``Http404`` (never PermissionDenied);
- ``get_queryset()`` reading the user's permission rows in Python: their values reach the
  list's SQL as literals, the permission table never appears in it;
- ``get_queryset()`` returning a sliced queryset (``qs[:N]``).

The grants are read by an authentication backend (``GrantBackend``, in the corpus
settings), as NetBox's ``ObjectPermissionBackend`` reads its ``ObjectPermission`` rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ..models import Device, Grant

__all__ = ["INITIAL_RESTRICTED", "PYTHON_READS", "SLICED", "GrantBackend"]


class GrantBackend(BaseBackend):
    """``corpus.<action>_device`` from the user's grants; with an object, its constraints."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        if app_label != "corpus" or model != "device" or not user_obj.is_active:
            return False
        if obj is None:
            return Grant.objects.filter(user=user_obj, action=action).exists()
        return Device.objects.restrict(user_obj, action).filter(pk=obj.pk).exists()


class ObjectPermissions(permissions.DjangoObjectPermissions):
    """NetBox's ``TokenPermissions``: reading needs the view permission too."""

    perms_map = {
        **permissions.DjangoObjectPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
    }


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "name", "site"]


class RestrictedDeviceViewSet(viewsets.ModelViewSet):
    queryset = Device.objects.order_by("id")
    serializer_class = DeviceSerializer
    permission_classes = [ObjectPermissions]
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            self.queryset = self.queryset.restrict(request.user, "view")


class ScopedDeviceViewSet(RestrictedDeviceViewSet):
    """Only ``initial()`` keeps other sites' devices out (no object permission)."""

    permission_classes = [permissions.IsAuthenticated]


INITIAL_RESTRICTED = DefaultRouter()
INITIAL_RESTRICTED.register("devices", RestrictedDeviceViewSet, basename="device")
INITIAL_RESTRICTED.register("scoped-devices", ScopedDeviceViewSet, basename="scoped-device")


class PythonReadDeviceViewSet(viewsets.ModelViewSet):
    serializer_class = DeviceSerializer
    pagination_class = None

    def get_queryset(self):
        grants = Grant.objects.filter(user=self.request.user, action="view")
        sites = [grant.constraints.get("site") for grant in grants]  # read in Python
        return Device.objects.filter(site__in=sites).order_by("id")


PYTHON_READS = DefaultRouter()
PYTHON_READS.register("devices", PythonReadDeviceViewSet, basename="device")


class LatestDeviceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeviceSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    #: the first rows only (a dashboard's "first N")
    limit = 2

    def get_queryset(self):
        return Device.objects.order_by("id")[: self.limit]


SLICED = DefaultRouter()
SLICED.register("devices", LatestDeviceViewSet, basename="device")
