"""Routers as real projects write them: names, plain ViewSets, method restrictions."""

from __future__ import annotations

import pytest

from .helpers import graphql, list_parity, rest, schema_of, subscription_delivers
from .models import DocumentType, Log, Member, Note

pytestmark = pytest.mark.django_db


def test_prefix_equal_to_basename_gets_a_detail_field(people):
    schema = schema_of("prefix_is_basename")
    member = Member.objects.create(name="Mo")
    list_parity(schema, "members", "Member", "/prefix_is_basename/members/", people["ben"])
    detail = graphql(
        schema, f'{{ membersDetail(id: "{member.pk}") {{ id name }} }}', user=people["ben"]
    )
    assert detail["membersDetail"] == rest(
        people["ben"], f"/prefix_is_basename/members/{member.pk}/"
    )
    created = graphql(
        schema, 'mutation { createMembers(input: {name: "Al"}) { name } }', user=people["ben"]
    )
    assert created == {"createMembers": {"name": "Al"}}


def test_default_basename_names_come_from_the_model(people):
    schema = schema_of("default_basename")
    fields = schema._schema.query_type.fields
    assert {"documentTypes", "documentType"} <= set(fields)
    DocumentType.objects.create(name="Invoice")
    list_parity(
        schema, "documentTypes", "DocumentType", "/default_basename/document_types/", people["ben"]
    )
    created = graphql(
        schema,
        'mutation { createDocumentType(input: {name: "Bill"}) { name } }',
        user=people["ben"],
    )
    assert created == {"createDocumentType": {"name": "Bill"}}
    assert "documentTypeChanged" in schema._schema.subscription_type.fields


def test_plain_viewset_answers_like_rest_and_one_without_serializer_is_left_out(people):
    schema = schema_of("plain_viewset")
    note = Note.objects.create(text="hello")
    list_parity(schema, "notes", "Note", "/plain_viewset/notes/", people["ben"])
    detail = graphql(schema, f'{{ note(id: "{note.pk}") {{ id text }} }}', user=people["ben"])
    assert detail["note"] == rest(people["ben"], f"/plain_viewset/notes/{note.pk}/")
    assert "health" not in schema._schema.query_type.fields
    assert schema._schema.subscription_type is None  # a ViewSet has no get_queryset()


def test_http_method_names_refuse_update_and_delete(people):
    schema = schema_of("methods")
    mutations = set(schema._schema.mutation_type.fields)
    assert "createLog" in mutations
    assert not {"updateLog", "deleteLog"} & mutations
    log = Log.objects.create(message="started")
    list_parity(schema, "logs", "Log", "/methods/logs/", people["ben"])
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(people["ben"])
    assert client.delete(f"/methods/logs/{log.pk}/").status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_default_basename_list_subscription_delivers(people, fresh_hub):
    schema = schema_of("default_basename")
    made = {}

    def change():
        made["row"] = DocumentType.objects.create(name="Receipt")

    payload = await subscription_delivers(
        schema, "subscription { documentTypesChanged { kind id node { name } } }",
        people["tokens"]["ben"], change,
    )  # fmt: skip
    assert payload["data"]["documentTypesChanged"] == {
        "kind": "ADDED", "id": str(made["row"].pk), "node": {"name": "Receipt"},
    }  # fmt: skip
