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
    checks.allowed(view, objects)   # {pk: obj} -> the pks its object checks allow
"""

from __future__ import annotations

import dataclasses
from typing import Any

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
_REFUSED = (exceptions.PermissionDenied, exceptions.NotAuthenticated)


@dataclasses.dataclass(frozen=True)
class PermissionChecks:
    """What one viewset class's permission checks need per change; see the module docstring."""

    #: ``has_permission`` gives the same answer for as long as the view is kept
    constant: bool
    #: whether an object can be refused (False: every visible object passes)
    checks_objects: bool
    #: call the view's own ``check_object_permissions`` (it overrides DRF's hooks)
    through_view: bool

    @classmethod
    def of(cls, view: Any) -> PermissionChecks:
        viewset = type(view)
        own_list = viewset.get_permissions is not APIView.get_permissions
        classes = [type(permission) for permission in view.get_permissions()]
        constant = (
            not own_list
            and viewset.check_permissions is APIView.check_permissions
            and all(klass.has_permission in _FIXED_BY_REQUEST for klass in classes)
        )
        through_view = own_list or (
            viewset.check_object_permissions is not APIView.check_object_permissions
        )
        checks_objects = through_view or any(
            klass.has_object_permission is not permissions.BasePermission.has_object_permission
            for klass in classes
        )
        return cls(constant, checks_objects, through_view)

    def allowed(self, view: Any, objects: dict[str, Any]) -> set[str]:
        """The pks of ``objects`` that the view's object permissions allow."""
        if not self.checks_objects:
            return set(objects)
        if self.through_view:
            return {pk for pk, obj in objects.items() if _allowed_by_view(view, obj)}
        request = view.request
        # Fresh instances, as DRF makes for each check (one check per object here).
        refusing = [
            permission
            for permission in view.get_permissions()
            if type(permission).has_object_permission
            is not permissions.BasePermission.has_object_permission
        ]
        passed = set()
        for pk, obj in objects.items():
            try:
                if all(p.has_object_permission(request, view, obj) for p in refusing):
                    passed.add(pk)
            except _REFUSED:
                continue
        return passed


def _allowed_by_view(view: Any, obj: Any) -> bool:
    try:
        view.check_object_permissions(view.request, obj)
    except _REFUSED:
        return False
    return True
