"""The two baselines the hub is measured against, served by the same process and layer.

**naive** — the hand-written Strawberry + Channels subscription of the blog posts and
of Strawberry's Channels guide: every subscriber's consumer has its own channel, joins
a channel-layer group (``listen_to_channel(..., groups=[...])``) and, for each group
message, re-fetches the row from the database (``database_sync_to_async``) and yields
it. A ``post_save`` receiver announces the primary key with ``group_send`` on commit::

    subscription { tasksChanged { kind id node { id title status } } }   # /bench/naive/

**bare** — a bare Channels ``AsyncWebsocketConsumer`` that joins a group and forwards
pre-serialized JSON from group messages: no GraphQL, no database. The ``post_save``
receiver serializes the graphql-transport-ws ``next`` message once, so the client sees
the same bytes as from a GraphQL server (it speaks just enough of the protocol: ack,
pong, and "subscribe" joins the group)::

    {"id": "1", "type": "next", "payload": {"data": {"tasksChanged": {...}}}}  # /bench/bare/

Only one mode's receivers are connected per server (``connect_signals(mode)``); for the
baselines, drf-graphql-live's own receivers are disconnected, so a baseline's writer
does not pay for the library it is compared with.
"""

import json
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Any

import strawberry
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from rest_framework.authtoken.models import Token
from strawberry.channels import GraphQLWSConsumer
from strawberry.exceptions import ConnectionRejectionError

from sample_site.board.models import Task

__all__ = ["BareConsumer", "NaiveConsumer", "connect_signals", "naive_schema"]

NAIVE_GROUP = "bench_naive_tasks"
BARE_GROUP = "bench_bare_tasks"
NAIVE_MESSAGE = "task.changed"

# ---------------------------------------------------------------------------- naive


@strawberry.enum
class ChangeKind(Enum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    REMOVED = "REMOVED"


@strawberry.type
class NaiveTask:
    id: strawberry.ID
    title: str
    status: str
    priority: int
    project_id: strawberry.ID
    assignee_id: strawberry.ID | None


@strawberry.type
class NaiveTaskEvent:
    kind: ChangeKind
    id: strawberry.ID
    node: NaiveTask | None


@database_sync_to_async
def _user_for_token(key: str) -> int | None:
    token = Token.objects.filter(key=key).select_related("user").first()
    return token.user_id if token is not None and token.user.is_active else None


@database_sync_to_async
def _fetch(pk: str, user_id: int, status: str | None, project: str | None) -> Task | None:
    """Re-read the row as the subscriber may see it (the per-subscriber query)."""
    tasks = Task.objects.filter(pk=pk, project__members=user_id)
    if status:
        tasks = tasks.filter(status=status)
    if project:
        tasks = tasks.filter(project_id=project)
    return tasks.first()


@strawberry.type
class NaiveQuery:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class NaiveSubscription:
    @strawberry.subscription
    async def tasks_changed(
        self,
        info: strawberry.Info,
        status: str | None = None,
        project: strawberry.ID | None = None,
    ) -> AsyncGenerator[NaiveTaskEvent, None]:
        ws = info.context["ws"]
        user_id = info.context["user_id"]
        async with ws.listen_to_channel(NAIVE_MESSAGE, groups=[NAIVE_GROUP]) as messages:
            async for message in messages:
                task = await _fetch(message["pk"], user_id, status, project)
                if task is None:
                    continue
                node = NaiveTask(
                    id=strawberry.ID(str(task.pk)),
                    title=task.title,
                    status=task.status,
                    priority=task.priority,
                    project_id=strawberry.ID(str(task.project_id)),
                    assignee_id=None if task.assignee_id is None else str(task.assignee_id),
                )
                yield NaiveTaskEvent(kind=ChangeKind.MODIFIED, id=node.id, node=node)


naive_schema = strawberry.Schema(query=NaiveQuery, subscription=NaiveSubscription)


class NaiveConsumer(GraphQLWSConsumer):
    """Strawberry's consumer with a channel layer; DRF token in ``connection_init``."""

    async def on_ws_connect(self, context: dict[str, Any]) -> Any:
        params = context.get("connection_params") or {}
        header = str(params.get("Authorization", ""))
        user_id = await _user_for_token(header.removeprefix("Token ").strip())
        if user_id is None:
            raise ConnectionRejectionError()
        context["user_id"] = user_id
        return strawberry.UNSET


# ----------------------------------------------------------------------------- bare


class BareConsumer(AsyncWebsocketConsumer):
    """Joins :data:`BARE_GROUP` on "subscribe" and forwards each group message's text."""

    async def connect(self) -> None:
        await self.accept(subprotocol="graphql-transport-ws")

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = json.loads(text_data or "{}")
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            await self.send(text_data='{"type":"connection_ack"}')
        elif kind == "subscribe":
            await self.channel_layer.group_add(BARE_GROUP, self.channel_name)
        elif kind == "ping":
            await self.send(text_data='{"type":"pong"}')

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(BARE_GROUP, self.channel_name)

    async def bench_row(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


# -------------------------------------------------------------------------- signals


def _group_send(group: str, message: dict[str, Any]) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def _naive_on_save(sender: type[Task], instance: Task, **_: Any) -> None:
    message = {"type": NAIVE_MESSAGE, "pk": instance.pk}
    transaction.on_commit(lambda: _group_send(NAIVE_GROUP, message))


def _bare_on_save(sender: type[Task], instance: Task, **_: Any) -> None:
    node = {"id": instance.pk, "title": instance.title, "status": instance.status}
    event = {"kind": "MODIFIED", "id": str(instance.pk), "node": node}
    text = json.dumps({"id": "1", "type": "next", "payload": {"data": {"tasksChanged": event}}})
    message = {"type": "bench.row", "text": text}
    transaction.on_commit(lambda: _group_send(BARE_GROUP, message))


def connect_signals(mode: str) -> None:
    """Connect the receivers of ``mode`` (ours, naive or bare) and only those."""
    if mode == "ours":
        return
    for signal, uid in (
        (post_save, "drf_graphql_live.post_save"),
        (pre_delete, "drf_graphql_live.pre_delete"),
        (post_delete, "drf_graphql_live.post_delete"),
        (m2m_changed, "drf_graphql_live.m2m_changed"),
    ):
        signal.disconnect(dispatch_uid=uid)
    receiver = {"naive": _naive_on_save, "bare": _bare_on_save}[mode]
    post_save.connect(receiver, sender=Task, dispatch_uid=f"benchmarks.{mode}")
