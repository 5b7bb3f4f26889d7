"""The suite's promise about services: in CI it really runs on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_database_is_postgresql_when_database_url_is_set(postgres_url):
    assert connection.vendor == "postgresql"
    assert os.environ["DATABASE_URL"] == postgres_url
