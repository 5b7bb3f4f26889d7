"""List subscriptions over viewsets whose hooks real projects override.

paperless-ngx's ``get_serializer_context()`` calls ``self.filter_queryset(...)``: a list
subscription must deliver (it recursed forever, silently). An evaluation that fails
reaches the subscriber as a coded error and the log, never silence.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.contrib.auth import get_user_model
from django.core.asgi import get_asgi_application
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.routers import SimpleRouter

from drf_graphql_live import build_schema
from drf_graphql_live.asgi import live_application
from drf_graphql_live.live.hub import Hub
from drf_graphql_live.testing import GraphQLWSClient
from sample_site.board.models import Project, Task

User = get_user_model()

pytestmark = pytest.mark.django_db(transaction=True)

#: Set by a test: ``get_queryset`` fails from then on (a bug in the project's code).
BROKEN: dict[str, bool] = {"now": False}


class LedgerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title"]


class LedgerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LedgerSerializer
    pagination_class = None
    filter_backends: list[type] = []
    permission_classes = [permissions.IsAuthenticated]
    queryset = Task.objects.order_by("id")

    def get_queryset(self) -> Any:
        if BROKEN["now"]:
            raise RuntimeError("the project's get_queryset failed")
        return super().get_queryset()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["visible_count"] = self.filter_queryset(self.get_queryset()).count()
        return context


router = SimpleRouter()
router.register("ledgers", LedgerViewSet, basename="ledger")
LEDGERS = "subscription { ledgersChanged(initial: true) { kind id node { title } } }"


@pytest.fixture(scope="module")
def application() -> Any:
    return live_application(build_schema(router), get_asgi_application())


@pytest.fixture(autouse=True)
async def fresh_hub():
    channel_layers.backends.clear()
    BROKEN["now"] = False
    yield
    BROKEN["now"] = False
    await Hub.for_running_loop().close()
    channel_layers.backends.clear()


@pytest.fixture
def token(db: None) -> str:
    user = User.objects.create_user("lena", password="x")
    Task.objects.create(project=Project.objects.create(name="books"), title="march")
    return Token.objects.create(user=user).key


async def test_list_subscription_with_context_calling_filter_queryset_delivers(application, token):
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as client:
        assert await client.acknowledged()
        op = await client.subscribe(LEDGERS)
        first = await client.receive_next(op)
        assert first["data"]["ledgersChanged"]["node"] == {"title": "march"}
        created = await sync_to_async(Task.objects.create)(
            project=await sync_to_async(Project.objects.get)(name="books"), title="april"
        )
        added = await client.receive_next(op)
        assert added["data"]["ledgersChanged"] == {
            "kind": "ADDED",
            "id": str(created.pk),
            "node": {"title": "april"},
        }


async def test_failing_evaluation_reaches_the_subscriber_coded_and_the_log(
    application, token, caplog
):
    caplog.set_level(logging.ERROR, logger="drf_graphql_live")
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as client:
        assert await client.acknowledged()
        op = await client.subscribe(LEDGERS)
        await client.receive_next(op)  # the initial ADDED
        BROKEN["now"] = True
        await sync_to_async(_retitle)()
        failed = await client.receive_next(op)
        assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "the project's get_queryset failed" in caplog.text


async def test_failing_subscribe_reaches_the_subscriber_coded_and_the_log(
    application, token, caplog
):
    caplog.set_level(logging.ERROR, logger="drf_graphql_live")
    BROKEN["now"] = True
    async with GraphQLWSClient(application, {"Authorization": f"Token {token}"}) as client:
        assert await client.acknowledged()
        op = await client.subscribe(LEDGERS)
        message = await client.receive()
        assert message["id"] == op
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "the project's get_queryset failed" in caplog.text


def _retitle() -> None:
    task = Task.objects.get(title="march")
    task.title = "march, closed"
    task.save()
