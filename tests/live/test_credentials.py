"""Credentials that end, end the subscriptions opened with them (drf_graphql_live.live.credentials).

Logout, a flushed or expired session, a changed password, a deleted token, a deactivated
user: every subscription under them gets one NOT_AUTHENTICATED error, then nothing, and
the socket runs anonymous from then on. Other users' subscriptions go on untouched.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from drf_graphql_live.testing import GraphQLWSClient
from sample_site.board.models import Task
from tests.live.test_subscriptions import TASKS, event, fresh_hub, orm, ws  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


async def ended(client: GraphQLWSClient, op: str) -> dict[str, Any]:
    """The error that ends ``op``, then its ``complete``."""
    payload = await client.receive_next(op, timeout=10)
    assert payload["data"] is None
    (error,) = payload["errors"]
    complete = await client.receive(timeout=10)
    assert complete == {"id": op, "type": "complete"}
    return error


async def refused_anew(client: GraphQLWSClient) -> None:
    """A new subscribe on the same socket is refused as an anonymous request would be."""
    op = await client.subscribe(TASKS)
    payload = await client.receive_next(op, timeout=10)
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def create_task(board: Any, title: str) -> Any:
    return orm(lambda: Task.objects.create(project=board.shared, title=title))()


async def session_socket(user: Any) -> tuple[Client, GraphQLWSClient]:
    django_client = Client()
    await sync_to_async(django_client.force_login)(user)
    cookie = f"sessionid={django_client.cookies['sessionid'].value}".encode()
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)]
    return django_client, ws(headers=headers)


async def test_a_deleted_token_ends_its_subscriptions_and_nothing_follows(board, tokens):
    async with ws(tokens["alice"]) as alice, ws(tokens["bob"]) as bob:
        assert await alice.acknowledged()
        assert await bob.acknowledged()
        alice_op = await alice.subscribe(TASKS)
        bob_op = await bob.subscribe(TASKS)
        await alice.assert_nothing()
        await orm(lambda: Token.objects.filter(key=tokens["alice"]).delete())()
        error = await ended(alice, alice_op)
        assert error["extensions"]["code"] == "NOT_AUTHENTICATED"
        created = await create_task(board, "after the token went")
        assert (await event(bob, bob_op))["id"] == str(created.pk)  # bob goes on
        await alice.assert_nothing()
        await refused_anew(alice)


async def test_a_deactivated_user_ends_their_subscriptions(board, tokens):
    async with ws(tokens["alice"]) as alice:
        assert await alice.acknowledged()
        op = await alice.subscribe(TASKS)
        await alice.assert_nothing()

        def deactivate() -> None:
            board.alice.is_active = False
            board.alice.save()

        await orm(deactivate)()
        assert (await ended(alice, op))["extensions"]["code"] == "NOT_AUTHENTICATED"
        await create_task(board, "while deactivated")
        await alice.assert_nothing()


async def test_logout_ends_a_cookie_sockets_subscriptions_and_later_subscribes(board):
    django_client, socket = await session_socket(board.alice)
    async with socket as alice:
        assert await alice.acknowledged()
        op = await alice.subscribe(TASKS)
        await alice.assert_nothing()
        await sync_to_async(django_client.logout)()
        assert (await ended(alice, op))["extensions"]["code"] == "NOT_AUTHENTICATED"
        await create_task(board, "after logout")
        await alice.assert_nothing()
        await refused_anew(alice)


async def test_a_changed_password_ends_a_cookie_socket(board):
    _client, socket = await session_socket(board.alice)
    async with socket as alice:
        assert await alice.acknowledged()
        op = await alice.subscribe(TASKS)
        await alice.assert_nothing()

        def change_password() -> None:
            board.alice.set_password("a new one")
            board.alice.save()

        await orm(change_password)()
        assert (await ended(alice, op))["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_an_expired_session_ends_on_the_periodic_recheck(board, settings):
    settings.DRF_GRAPHQL_LIVE = {"REAUTHENTICATE_INTERVAL": 0.2}
    django_client, socket = await session_socket(board.alice)
    key = django_client.cookies["sessionid"].value
    async with socket as alice:
        assert await alice.acknowledged()
        op = await alice.subscribe(TASKS)
        await alice.assert_nothing()
        created = await create_task(board, "while the session lasts")
        assert (await event(alice, op))["id"] == str(created.pk)
        past = timezone.now() - timedelta(minutes=1)
        # update(): no signal, as when a session simply runs out
        await orm(lambda: Session.objects.filter(session_key=key).update(expire_date=past))()
        assert (await ended(alice, op))["extensions"]["code"] == "NOT_AUTHENTICATED"


async def test_a_login_elsewhere_ends_nothing(board, tokens):
    """A login only touches last_login: subscriptions go on, nothing is resent."""
    async with ws(tokens["alice"]) as alice:
        assert await alice.acknowledged()
        op = await alice.subscribe(TASKS)
        await alice.assert_nothing()
        other = Client()
        assert await sync_to_async(other.login)(username="alice", password="demo")
        created = await create_task(board, "after another login")
        assert (await event(alice, op))["id"] == str(created.pk)


async def test_the_periodic_recheck_checks_every_group_in_one_hop(
    board, tokens, settings, monkeypatch
):
    """Distinct users are distinct groups; the re-check asks the database for all at once."""
    from drf_graphql_live.live import hub as hub_module

    checks: list[int] = []
    original = hub_module.ended_credentials

    def counting(contexts: Any, change: Any) -> Any:
        checks.append(len(list(contexts)))
        return original(contexts, change)

    monkeypatch.setattr(hub_module, "ended_credentials", counting)
    settings.DRF_GRAPHQL_LIVE = {"REAUTHENTICATE_INTERVAL": 0.2}
    django_client, socket = await session_socket(board.alice)
    key = django_client.cookies["sessionid"].value
    async with socket as alice, ws(tokens["bob"]) as bob:
        assert await alice.acknowledged()
        assert await bob.acknowledged()
        ops = {alice: await alice.subscribe(TASKS), bob: await bob.subscribe(TASKS)}
        deadline = asyncio.get_running_loop().time() + 10
        while len(checks) < 2:  # two periodic re-checks of both groups
            assert asyncio.get_running_loop().time() < deadline, "no periodic re-check"
            await asyncio.sleep(0.05)
        assert set(checks) == {2}  # one call (one hop) for both groups, each time
        past = timezone.now() - timedelta(minutes=1)
        await orm(lambda: Session.objects.filter(session_key=key).update(expire_date=past))()
        assert (await ended(alice, ops[alice]))["extensions"]["code"] == "NOT_AUTHENTICATED"
        created = await create_task(board, "bob's session goes on")
        assert (await event(bob, ops[bob]))["id"] == str(created.pk)


def test_the_periodic_recheck_walks_every_credential_once_a_share_at_a_time():
    """Each share of a periodic re-check concerns its own credentials; together, all."""
    from drf_graphql_live.live.credentials import CredentialsChange
    from drf_graphql_live.testing import make_context

    contexts = [make_context(headers={"Authorization": f"Token t{n}"}) for n in range(60)]
    for n, context in enumerate(contexts):
        context.authenticated_as = str(n)
    shares = [CredentialsChange(users=None, share=(index, 7)) for index in range(7)]
    for context in contexts:
        assert sum(share.concerns(context) for share in shares) == 1
    assert all(CredentialsChange(users=None).concerns(c) for c in contexts)
    assert not CredentialsChange(users=frozenset({"1"}), share=(0, 7)).concerns(contexts[2])
