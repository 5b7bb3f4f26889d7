"""Custom @action routes; a tenant middleware with a scoped default manager; file fields."""

from __future__ import annotations

import httpx
import pytest
from django.core.asgi import get_asgi_application
from rest_framework.test import APIClient

from drf_graphql_live.asgi import live_application

from .helpers import graphql, list_parity, rest, schema_of, subscription_delivers
from .models import Article, Attachment, Recipe, Space, Writer

pytestmark = pytest.mark.django_db


def test_custom_actions_are_root_fields_like_their_routes(people):
    schema = schema_of("actions")
    writer = Writer.objects.create(name="Wu")
    one = Article.objects.create(title="One", author=writer)
    Article.objects.create(title="Two", author=writer)
    recent = graphql(schema, "{ recentStories { id title status } }", user=people["ben"])
    assert recent["recentStories"] == [
        {**s, "status": s["status"].upper()}
        for s in rest(people["ben"], "/actions/stories/recent/")
    ]
    published = graphql(
        schema, f'mutation {{ publishStory(id: "{one.pk}") {{ status }} }}', user=people["ben"]
    )
    assert published == {"publishStory": {"status": "PUBLISHED"}}


def test_committed_action_answering_another_shape_answers_the_object_not_an_error(people):
    schema = schema_of("actions")
    story = Article.objects.create(title="One", author=Writer.objects.create(name="Wu"))
    Article.objects.filter(pk=story.pk).update(status=Article.Status.PUBLISHED)
    query = f'mutation {{ unpublishStory(id: "{story.pk}") {{ id title status }} }}'
    answered = graphql(schema, query, user=people["ben"])
    detail = rest(people["ben"], f"/actions/stories/{story.pk}/")
    assert answered == {"unpublishStory": {**detail, "status": "DRAFT"}}
    assert detail["status"] == Article.Status.DRAFT


def test_viewset_with_actions_keeps_its_crud(people):
    schema = schema_of("actions")
    Article.objects.create(title="One", author=Writer.objects.create(name="Wu"))
    list_parity(schema, "stories", "Story", "/actions/stories/", people["ben"])


@pytest.fixture
def spaces(db):
    home, work = Space.objects.create(name="home"), Space.objects.create(name="work")
    Recipe.everywhere.create(space=home, name="soup")
    Recipe.everywhere.create(space=work, name="coffee")
    return home, work


def test_tenant_rest_post_saves_and_answers_with_the_package_installed(people, spaces):
    schema_of("tenant")  # registers Recipe for live changes, as a project's urls.py does
    client = APIClient()
    client.force_authenticate(people["ben"])
    response = client.post("/tenant/recipes/", {"name": "tea"}, format="json", HTTP_X_SPACE="work")
    assert response.status_code == 201, response.content
    assert Recipe.everywhere.filter(space=spaces[1], name="tea").exists()


def test_tenant_lists_answer_per_space_like_rest(people, spaces):
    schema = schema_of("tenant")
    for space in ("home", "work"):
        list_parity(
            schema,
            "recipes",
            "Recipe",
            "/tenant/recipes/",
            people["ben"],
            headers={"X-Space": space},
        )


@pytest.mark.django_db(transaction=True)
async def test_tenant_list_subscription_delivers(people, spaces, fresh_hub, caplog):
    schema = schema_of("tenant")
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"x-space", b"home")]
    payload = await subscription_delivers(
        schema, "subscription { recipesChanged { kind node { name } } }", people["tokens"]["ben"],
        lambda: Recipe.everywhere.create(space=spaces[0], name="stew"), headers=headers,
    )  # fmt: skip
    assert payload == {"data": {"recipesChanged": {"kind": "ADDED", "node": {"name": "stew"}}}}
    assert "Batched live evaluation failed" not in caplog.text  # batched, inside the scope


def test_file_field_lists_like_rest(people, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    Attachment.objects.create(title="cv", file=ContentFile(b"hello", name="cv.txt"))
    list_parity(
        schema_of("files"), "attachments", "Attachment", "/files/attachments/", people["ben"]
    )


@pytest.mark.django_db(transaction=True)
async def test_file_field_lists_like_rest_and_uploads_by_multipart(people, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    schema = schema_of("files")
    token = people["tokens"]["ben"]
    app = live_application(schema, get_asgi_application())
    operations = '{"query": "mutation($f: Upload!) { createAttachment(input: {title: \\"cv\\", file: $f}) { title file } }", "variables": {"f": null}}'
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.post(
            "/graphql/", headers={"Authorization": f"Token {token}"},
            data={"operations": operations, "map": '{"0": ["variables.f"]}'},
            files={"0": ("cv.txt", b"hello", "text/plain")},
        )  # fmt: skip
    assert "errors" not in response.json(), response.json()
    created = response.json()["data"]["createAttachment"]
    assert created["title"] == "cv"
    assert created["file"].endswith(".txt")
    stored = await Attachment.objects.aget()
    assert stored.file.read() == b"hello"
