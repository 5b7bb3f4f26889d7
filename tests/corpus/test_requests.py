"""Request-dependent serializers, context hooks that filter, and POST-reading auth."""

from __future__ import annotations

import httpx
import pytest
from django.core.asgi import get_asgi_application
from graphql import get_named_type

from drf_graphql_live.asgi import live_application

from .helpers import graphql, list_parity, schema_of, sdl_field, subscription_delivers
from .models import Attachment, Book, Memo, Report, Shelf

pytestmark = pytest.mark.django_db


def test_field_dropped_per_request_is_nullable_and_null_where_rest_omits_it(people):
    schema = schema_of("request_fields")
    Report.objects.create(title="Q1", secret="s3", owner=people["ann"])
    assert sdl_field(schema, "Report", "secret") == "secret: String"
    assert sdl_field(schema, "ReportInput", "secret") == "secret: String"  # staff may send it
    assert sdl_field(schema, "ReportInput", "title") == "title: String!"
    for who in ("ann", "ben"):
        list_parity(schema, "reports", "Report", "/request_fields/reports/", people[who])
    created = graphql(
        schema,
        'mutation { createReport(input: {title: "Q2", secret: "x"}) { title secret } }',
        user=people["ben"],
    )
    assert created == {"createReport": {"title": "Q2", "secret": None}}


def test_serializer_class_chosen_by_request_answers_like_rest(people):
    schema = schema_of("request_serializer")
    Report.objects.create(title="Q1", secret="s3", owner=people["ann"])
    listed = get_named_type(schema._schema.query_type.fields["audits"].type).name
    for who in ("ann", "ben"):
        list_parity(schema, "audits", listed, "/request_serializer/audits/", people[who])
    # The write side is typed from the POST serializer, as drf-spectacular's mock request does.
    created = graphql(
        schema,
        'mutation { createAudit(input: {title: "Q2", secret: "x"}) { title secret } }',
        user=people["ann"],
    )
    assert created == {"createAudit": {"title": "Q2", "secret": "x"}}


def test_context_calling_filter_queryset_lists_and_filters(people):
    schema = schema_of("context_filters")
    red = Shelf.objects.create(name="red")
    Shelf.objects.create(name="blue")
    Book.objects.create(shelf=red, title="A", genre="sf")
    list_parity(schema, "shelves", "Shelf", "/context_filters/shelves/", people["ben"])
    found = graphql(schema, '{ shelves(search: "red") { name bookCount } }', user=people["ben"])
    assert found == {"shelves": [{"name": "red", "bookCount": 1}]}
    detail = graphql(schema, f'{{ shelf(id: "{red.pk}") {{ bookCount }} }}', user=people["ben"])
    assert detail == {"shelf": {"bookCount": 1}}


@pytest.mark.django_db(transaction=True)
async def test_context_calling_filter_queryset_subscription_delivers(people, fresh_hub):
    schema = schema_of("context_filters")
    payload = await subscription_delivers(
        schema, "subscription { shelvesChanged { kind node { name bookCount } } }",
        people["tokens"]["ben"], lambda: Shelf.objects.create(name="green"),
    )  # fmt: skip
    assert payload == {
        "data": {"shelvesChanged": {"kind": "ADDED", "node": {"name": "green", "bookCount": 0}}}
    }


@pytest.mark.django_db(transaction=True)
async def test_authentication_reading_request_post_over_http(people):
    schema = schema_of("post_reading_auth")
    await Memo.objects.acreate(text="hi")
    app = live_application(schema, get_asgi_application())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {"Authorization": "Bearer ben"}
        read = await client.post("/graphql/", json={"query": "{ memos { text } }"}, headers=headers)
        write = await client.post(
            "/graphql/", json={"query": 'mutation { createMemo(input: {text: "yo"}) { text } }'},
            headers=headers,
        )  # fmt: skip
    assert read.json() == {"data": {"memos": [{"text": "hi"}]}}
    assert write.json() == {"data": {"createMemo": {"text": "yo"}}}


def test_post_reading_authentication_rest_baseline(people):
    """The REST side of the same class works (the corpus app is right, not the package)."""
    from rest_framework.test import APIClient

    Memo.objects.create(text="hi")
    response = APIClient().get("/post_reading_auth/memos/", HTTP_AUTHORIZATION="Bearer ben")
    assert response.json() == [{"id": Memo.objects.get().pk, "text": "hi"}]


@pytest.mark.django_db(transaction=True)
async def test_a_multipart_upload_through_an_authentication_reading_request_post(
    people, settings, tmp_path
):
    """django-oauth-toolkit's OAuth2Authentication reads ``request.POST``: the upload's
    multipart body must still reach GraphQL, and the viewset get its file."""
    settings.MEDIA_ROOT = str(tmp_path)
    app = live_application(schema_of("post_reading_auth"), get_asgi_application())
    operations = (
        '{"query": "mutation($f: Upload!) { createUpload(input: {title: \\"cv\\", file: $f})'
        ' { title file } }", "variables": {"f": null}}'
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.post(
            "/graphql/", headers={"Authorization": "Bearer ben"},
            data={"operations": operations, "map": '{"0": ["variables.f"]}'},
            files={"0": ("cv.txt", b"hello", "text/plain")},
        )  # fmt: skip
    assert "errors" not in response.json(), response.json()
    assert response.json()["data"]["createUpload"]["title"] == "cv"
    stored = await Attachment.objects.aget()
    assert stored.file.read() == b"hello"
