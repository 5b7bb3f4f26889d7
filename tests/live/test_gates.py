"""Rows that decide who sees an object, without being shown, still reach subscribers.

paperless-ngx shows a tag to a user when a django-guardian permission row says so:
granting or revoking that row changes the user's REST list, yet names no tag and no
representation shows it. Here the same shape: a project is visible to whoever commented
on one of its tasks, and no representation of a project shows comments. A comment must
give its author ADDED, deleting it REMOVED, and nobody else hears anything.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.asgi import get_asgi_application
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.routers import SimpleRouter

from drf_graphql_live import build_schema
from drf_graphql_live.asgi import live_application
from drf_graphql_live.live.dependencies import LIVE
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.board.models import Comment, Project, Task
from tests.live.test_subscriptions import fresh_hub, orm  # noqa: F401

User = get_user_model()

pytestmark = pytest.mark.django_db(transaction=True)


class AssignedProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class AssignedProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """The projects where the user commented: visibility through a row not shown."""

    serializer_class = AssignedProjectSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> Any:
        return (
            Project.objects.filter(tasks__comments__author=self.request.user)
            .distinct()
            .order_by("id")
        )


router = SimpleRouter()
router.register("assigned", AssignedProjectViewSet, basename="assignment")
ASSIGNED = "subscription { assignedChanged { kind id node { name } } }"


@pytest.fixture(scope="module")
def application() -> Any:
    return live_application(build_schema(router), get_asgi_application())


def socket(application: Any, token: str) -> GraphQLWSClient:
    return GraphQLWSClient(application, {"Authorization": f"Token {token}"})


async def test_a_row_that_decides_visibility_adds_and_removes(application):
    def setup() -> tuple[Any, ...]:
        ann, ben = (User.objects.create_user(n, password="x") for n in ("ann", "ben"))
        project = Project.objects.create(name="Gated")
        task = Task.objects.create(project=project, title="t")
        Comment.objects.create(task=task, author=ann, body="first")
        return project, task, ben, *(Token.objects.create(user=u).key for u in (ann, ben))

    project, task, ben, ann_token, ben_token = await orm(setup)()
    async with socket(application, ann_token) as a, socket(application, ben_token) as b:
        assert await a.acknowledged()
        assert await b.acknowledged()
        await a.subscribe(ASSIGNED)
        b_op = await b.subscribe(ASSIGNED)
        await b.assert_nothing(0.3)
        # a comment row: the event names a comment (and its task), never a project
        comment = await orm(lambda: Comment.objects.create(task=task, author=ben, body="me"))()
        added = (await b.receive_next(b_op))["data"]["assignedChanged"]
        assert (added["kind"], added["id"], added["node"]) == (
            "ADDED",
            str(project.pk),
            {"name": "Gated"},
        )
        await orm(comment.delete)()
        removed = (await b.receive_next(b_op))["data"]["assignedChanged"]
        assert (removed["kind"], removed["id"], removed["node"]) == (
            "REMOVED",
            str(project.pk),
            None,
        )
        await a.assert_nothing(0.3)  # ann saw the project throughout: nothing to say
        await b.assert_nothing()
    assert "board.project" in LIVE.gated({"board.comment"})


async def test_a_detail_subscriber_whose_access_goes_hears_removed(application):
    def setup() -> tuple[Any, ...]:
        ben = User.objects.create_user("ben-detail", password="x")
        project = Project.objects.create(name="Gated detail")
        task = Task.objects.create(project=project, title="t")
        comment = Comment.objects.create(task=task, author=ben, body="mine")
        return project, comment, Token.objects.create(user=ben).key

    project, comment, token = await orm(setup)()
    async with socket(application, token) as b:
        assert await b.acknowledged()
        op = await b.subscribe(
            "subscription($id: ID!) { assignmentChanged(id: $id) { kind id } }",
            {"id": str(project.pk)},
        )
        await b.assert_nothing(0.3)
        await orm(comment.delete)()  # ben's only comment on it: the project is gone for him
        removed = (await b.receive_next(op))["data"]["assignmentChanged"]
        assert removed == {"kind": "REMOVED", "id": str(project.pk)}


def test_rows_a_representation_shows_are_not_gates():
    """What a representation shows announces its roots itself: no resynchronisation."""
    from sample_site.board.serializers import TaskSerializer  # noqa: F401  (registered)

    LIVE.ensure_loaded()
    assert "board.task" not in LIVE.gated({"auth.user", "board.project", "board.comment"})


class MemberTokenProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects with a member holding an API token: needs no user to build its query."""

    serializer_class = AssignedProjectSerializer
    queryset = Project.objects.filter(members__auth_token__isnull=False).distinct()


class TouchesTheDatabaseViewSet(viewsets.ReadOnlyModelViewSet):
    """A ``get_queryset()`` that writes a row and reads ids to build itself."""

    serializer_class = AssignedProjectSerializer

    def get_queryset(self) -> Any:
        Project.objects.create(name="written while building")
        return Project.objects.filter(pk__in=list(Task.objects.values_list("project_id")))


def test_a_writer_process_knows_the_gates_from_the_schema_alone():
    """A process that serves no subscription (a REST worker) must still announce gate
    rows: the list's query, compiled with the mock request when the schema is built."""
    gates = SimpleRouter()
    gates.register("member-token-projects", MemberTokenProjectViewSet, basename="mtp")
    build_schema(gates)
    assert "board.project" in LIVE.gated({"authtoken.token"})
    assert LIVE.watches(Token)


def test_the_build_time_look_at_a_queryset_never_runs_a_query():
    touches = SimpleRouter()
    touches.register("touches", TouchesTheDatabaseViewSet, basename="touches")
    build_schema(touches)  # its get_queryset's queries are refused: no gate, no error
    assert not Project.objects.filter(name="written while building").exists()
