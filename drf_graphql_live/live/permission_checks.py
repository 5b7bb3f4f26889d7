"""Which of a viewset's permission checks a live group must re-run at every change.

A group keeps its subscriber's authenticated view between changes (:mod:`.batch`), and
at 1,000 users a change re-checks 1,000 views. Much of that cannot change the answer:

* DRF's own ``has_permission`` (``AllowAny``, ``IsAuthenticated``, ``IsAdminUser``,
  ``IsAuthenticatedOrReadOnly``, and ``BasePermission``'s, which allows) reads only
  ``request.user`` and ``request.method``, which the kept view holds fixed (the group's
  cache is reset when its credentials may have changed, :mod:`.credentials`): the
  answer at the view's first check is the answer at every later change;
* ``BasePermission.has_object_permission`` allows everything: only classes that
  override it can hide an object.

Everything else runs as DRF runs it: a viewset overriding ``get_permissions``,
``check_permissions`` or ``check_object_permissions`` has those hooks called, and any
other ``has_permission`` is called at every change::

    checks = PermissionChecks.of(view)
    checks.constant                 # True: has_permission need not run again
    checks.allows(view, task)       # only the checks that can refuse, DRF's verdict

Instances of the permission classes are made once with the view and kept as long as
it is (DRF makes them per request; a group's kept view stands for one long request).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.views import APIView

__all__ = ["PermissionChecks"]

#: ``has_permission`` implementations that read nothing but the request's user and method.
_FIXED_BY_REQUEST = frozenset(
    {
        permissions.BasePermission.has_permission,
        permissions.AllowAny.has_permission,
        permissions.IsAuthenticated.has_permission,
        permissions.IsAdminUser.has_permission,
        permissions.IsAuthenticatedOrReadOnly.has_permission,
    }
)
#: A refused object; DRF's ``DjangoObjectPermissions`` raises 404 for one the user may
#: not read (REST answers as if it did not exist): hidden, never an error.
_REFUSED = (exceptions.PermissionDenied, exceptions.NotAuthenticated, Http404, exceptions.NotFound)


@dataclasses.dataclass(frozen=True)
class PermissionChecks:
    """What one view's permission checks need per change; see the module docstring."""

    #: ``has_permission`` gives the same answer for as long as the view is kept
    constant: bool
    #: whether an object can be refused (False: every visible object passes)
    checks_objects: bool
    #: call the view's own ``check_object_permissions`` (it overrides DRF's hooks)
    through_view: bool
    #: the view's permissions that override ``has_object_permission``, kept with the view
    refusing: tuple[permissions.BasePermission, ...] = ()

    @classmethod
    def of(cls, view: Any) -> PermissionChecks:
        viewset = type(view)
        own_list = viewset.get_permissions is not APIView.get_permissions
        instances = view.get_permissions()
        constant = (
            not own_list
            and viewset.check_permissions is APIView.check_permissions
            and all(type(p).has_permission in _FIXED_BY_REQUEST for p in instances)
        )
        through_view = own_list or (
            viewset.check_object_permissions is not APIView.check_object_permissions
        )
        refusing = tuple(
            p
            for p in instances
            if type(p).has_object_permission is not permissions.BasePermission.has_object_permission
        )
        return cls(constant, through_view or bool(refusing), through_view, refusing)

    def allows(self, view: Any, obj: Any) -> bool:
        """Whether the view's object permissions allow ``obj`` (DRF's check, as a bool)."""
        if not self.checks_objects:
            return True
        if self.through_view:
            return _allowed_by_view(view, obj)
        request = view.request
        try:
            for permission in self.refusing:
                if not permission.has_object_permission(request, view, obj):
                    return False
        except _REFUSED:
            return False
        return True

    def allowed(self, view: Any, objects: dict[str, Any]) -> set[str]:
        """The pks of ``objects`` that the view's object permissions allow."""
        return {pk for pk, obj in objects.items() if self.allows(view, obj)}


def _allowed_by_view(view: Any, obj: Any) -> bool:
    try:
        view.check_object_permissions(view.request, obj)
    except _REFUSED:
        return False
    return True
