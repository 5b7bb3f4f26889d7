"""A token deleted in another process ends its subscriptions on a real server, over Redis.

bob and alice subscribe through uvicorn; a management-style process deletes bob's
token. bob's subscription ends with NOT_AUTHENTICATED; a later change reaches alice
and nothing more reaches bob.
"""

from __future__ import annotations

import asyncio
import contextlib

from .servers import SampleSite
from .wsclient import Subscriber

QUERY = "subscription { tasksChanged { kind id node { id title } } }"


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/graphql/"


async def until(condition, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def codes(subscriber: Subscriber) -> list[str]:
    return [
        error["extensions"]["code"]
        for payload in subscriber.events
        for error in payload.get("errors") or ()
    ]


async def test_a_token_deleted_in_another_process_ends_the_subscription(
    tmp_path, redis_url, e2e_database_url
):
    site = SampleSite(tmp_path, database_url=e2e_database_url, redis_url=redis_url)
    with site, site.server("uvicorn") as url:
        bob = await Subscriber(ws_url(url), site.tokens["bob"], QUERY).start()
        alice = await Subscriber(ws_url(url), site.tokens["alice"], QUERY).start()
        try:
            await asyncio.to_thread(
                site.python,
                "from rest_framework.authtoken.models import Token\n"
                "Token.objects.filter(user__username='bob').delete()",
            )
            await until(lambda: codes(bob) == ["NOT_AUTHENTICATED"])
            retitled = await asyncio.to_thread(
                site.python,
                "from sample_site.board.models import Task\n"
                "t = Task.objects.filter(project__members__username='bob')"
                ".filter(project__members__username='alice').order_by('id').first()\n"
                "t.title = 'after the token went'; t.save(); print(t.pk)",
            )
            await until(lambda: any(
                (p.get("data") or {}).get("tasksChanged", {}).get("id") == retitled.strip()
                for p in alice.events
            ))  # fmt: skip
            assert len(bob.events) == 1  # the error, and nothing after it
        finally:
            for subscriber in (alice, bob):
                with contextlib.suppress(Exception):
                    await subscriber.stop()
