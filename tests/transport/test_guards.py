"""The ASGI guards in front of the HTTP consumer (drf_graphql_live.transport.guards).

``live_application`` answers ``PATH`` before Django's handler runs, so it refuses a
``Host`` outside ``ALLOWED_HOSTS`` itself, with the 400 Django answers everywhere else.
"""

from __future__ import annotations

import httpx
import pytest

from sample_site.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]


async def post(host: str, path: str = "/graphql/") -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as http:
        return await http.post(path, json={"query": "{ __typename }"})


@pytest.mark.parametrize("debug", [True, False])
async def test_disallowed_host_is_answered_400_as_django_does(settings, debug, caplog):
    settings.DEBUG = debug
    settings.ALLOWED_HOSTS = ["api.example.com"]
    response = await post("evil.example")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert ("ALLOWED_HOSTS" in error["message"]) is debug  # the hint only in DEBUG
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)
    assert (await post("evil.example", "/api/tasks/")).status_code == 400  # Django's own


async def test_allowed_host_is_answered(settings):
    settings.ALLOWED_HOSTS = [".example.com"]
    response = await post("api.example.com")
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
