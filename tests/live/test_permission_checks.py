"""Permission checks a live group decides once, and those it must re-run
(drf_graphql_live.live.permission_checks).

Each shortcut is checked both ways: the class-level decision, and a subscription whose
viewset needs the check still being filtered per user and per change in a batch.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import exceptions, permissions
from rest_framework.views import APIView

from drf_graphql_live.live.permission_checks import PermissionChecks
from sample_site.board.models import Task
from sample_site.board.permissions import IsProjectMemberOrReadOnly
from sample_site.board.views import TaskViewSet
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class HidesOwnTitle(permissions.BasePermission):
    """Refuses the tasks whose title starts with the subscriber's username."""

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return not obj.title.startswith(request.user.username)


class Switch(permissions.BasePermission):
    """``has_permission`` reads state no change announces: it must run at every change."""

    open = True

    def has_permission(self, request: Any, view: Any) -> bool:
        return Switch.open


def checks(**attributes: Any) -> PermissionChecks:
    viewset = type("Viewset", (TaskViewSet,), attributes)
    return PermissionChecks.of(viewset())


def test_drf_has_permission_is_decided_once_and_object_checks_only_where_overridden():
    sample = checks()  # IsAuthenticated + IsProjectMemberOrReadOnly (has_object_permission)
    assert (sample.constant, sample.checks_objects, sample.through_view) == (True, True, False)
    plain = checks(permission_classes=[permissions.IsAuthenticated, permissions.AllowAny])
    assert (plain.constant, plain.checks_objects) == (True, False)


def test_a_project_has_permission_or_a_composed_one_runs_at_every_change():
    assert not checks(permission_classes=[Switch]).constant
    assert not checks(permission_classes=[permissions.IsAuthenticated & Switch]).constant


def test_a_viewset_overriding_the_hooks_has_them_called():
    def check_object_permissions(self: Any, request: Any, obj: Any) -> None:
        APIView.check_object_permissions(self, request, obj)

    own = checks(
        permission_classes=[permissions.IsAuthenticated],
        check_object_permissions=check_object_permissions,
    )
    assert (own.checks_objects, own.through_view) == (True, True)
    listed = checks(get_permissions=lambda self: [permissions.IsAuthenticated()])
    assert (listed.constant, listed.checks_objects, listed.through_view) == (False, True, True)


async def two_members(board: Any) -> tuple[str, str]:
    from rest_framework.authtoken.models import Token

    await orm(lambda: board.shared.members.add(board.carol))()
    return await orm(
        lambda: (
            Token.objects.create(user=board.alice).key,
            Token.objects.create(user=board.carol).key,
        )
    )()


async def test_object_permissions_still_hide_objects_per_user_in_a_batch(board, monkeypatch):
    monkeypatch.setattr(
        TaskViewSet, "permission_classes", [permissions.IsAuthenticated, HidesOwnTitle]
    )
    alice_token, carol_token = await two_members(board)
    async with ws(alice_token) as alice, ws(carol_token) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        alice_op, carol_op = await alice.subscribe(TASKS), await carol.subscribe(TASKS)
        await carol.assert_nothing()
        for title in ("alice's", "carol's"):  # each hidden from one of the two users
            await orm(lambda t=title: Task.objects.create(project=board.shared, title=t))()
        assert (await event(alice, alice_op))["node"]["title"] == "carol's"
        assert (await event(carol, carol_op))["node"]["title"] == "alice's"
        await alice.assert_nothing()
        await carol.assert_nothing()


async def test_a_viewset_overriding_check_object_permissions_still_filters(board, monkeypatch):
    """No permission class checks objects: the viewset's own hook must still run."""

    def check_object_permissions(self: Any, request: Any, obj: Any) -> None:
        if obj.title == "secret":
            raise exceptions.PermissionDenied()

    monkeypatch.setattr(TaskViewSet, "permission_classes", [permissions.IsAuthenticated])
    monkeypatch.setattr(TaskViewSet, "check_object_permissions", check_object_permissions)
    alice_token, carol_token = await two_members(board)
    async with ws(alice_token) as alice, ws(carol_token) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        ops = [await alice.subscribe(TASKS), await carol.subscribe(TASKS)]
        await carol.assert_nothing()
        await orm(lambda: Task.objects.create(project=board.shared, title="secret"))()
        await orm(lambda: Task.objects.create(project=board.shared, title="public"))()
        for client, op in zip((alice, carol), ops, strict=True):
            assert (await event(client, op))["node"]["title"] == "public"
            await client.assert_nothing()


async def test_a_project_has_permission_is_asked_again_at_every_change(board, monkeypatch):
    monkeypatch.setattr(TaskViewSet, "permission_classes", [Switch, IsProjectMemberOrReadOnly])
    monkeypatch.setattr(Switch, "open", True)
    alice_token, carol_token = await two_members(board)
    async with ws(alice_token) as alice, ws(carol_token) as carol:
        assert await alice.acknowledged()
        assert await carol.acknowledged()
        ops = [await alice.subscribe(TASKS), await carol.subscribe(TASKS)]
        await carol.assert_nothing()
        seen = await orm(lambda: Task.objects.create(project=board.shared, title="seen"))()
        for client, op in zip((alice, carol), ops, strict=True):
            assert (await event(client, op))["id"] == str(seen.pk)
        Switch.open = False  # nothing announces it; the next change must find out
        await orm(lambda: Task.objects.create(project=board.shared, title="closed"))()
        for client, op in zip((alice, carol), ops, strict=True):
            removed = [await event(client, op)]  # what they had is REMOVED, nothing ADDED
            while removed[-1]["id"] != str(seen.pk):
                removed.append(await event(client, op))
            assert {change["kind"] for change in removed} == {"REMOVED"}
