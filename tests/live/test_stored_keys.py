"""Primary keys into raw SQL and back (``live/stored_keys.py``), on the database under test."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, models

from drf_graphql_live.live.stored_keys import database_keys, event_key

UUID = models.UUIDField(primary_key=True)
INTEGER = models.BigAutoField(primary_key=True)
TEXT = models.CharField(primary_key=True, max_length=10)


@pytest.mark.parametrize(
    ("field", "pk"), [(UUID, str(uuid.uuid4())), (INTEGER, "7"), (TEXT, "a-7")]
)
def test_a_key_goes_in_as_stored_and_comes_back_as_the_event_named_it(field, pk):
    (stored,) = database_keys(field, (pk,), connection)
    assert stored == field.get_db_prep_value(field.to_python(pk), connection)
    assert event_key(field, (pk,), stored) == pk


def test_a_uuid_announced_as_hex_is_found_under_that_form():
    value = uuid.uuid4()
    stored = UUID.get_db_prep_value(value, connection)
    assert event_key(UUID, (value.hex,), stored) == value.hex


def test_a_key_the_field_cannot_hold_names_no_row():
    assert database_keys(INTEGER, ("abc", "7"), connection) == (7,)
    assert database_keys(UUID, ("not-a-uuid",), connection) == ()
