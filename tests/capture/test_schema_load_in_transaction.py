"""Loading the project's schema on a save inside the host's transaction (a migration's,
an atomic request's) leaves that transaction as it was (issue 25, paperless-ngx on
PostgreSQL): a query the host's code runs while the schema is built may fail and be
caught, but on PostgreSQL it aborts the transaction, and its ``COMMIT`` then silently
rolls back (``migrate`` lost ``contenttypes.0001`` and stopped at ``auth.0001``)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from drf_graphql_live.live.dependencies import LIVE
from sample_site.board.models import Project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_url")]


@pytest.fixture(autouse=True)
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("a failed query aborts the transaction on PostgreSQL only")


def test_a_failed_query_while_the_schema_loads_keeps_the_hosts_transaction(
    settings, monkeypatch, caplog
):
    settings.DRF_GRAPHQL_LIVE = {"SCHEMA": "tests.schemas.queries_while_built.schema"}
    monkeypatch.setattr(LIVE, "_loaded", False)
    with caplog.at_level("WARNING", logger="drf_graphql_live"), transaction.atomic():
        Project.objects.create(name="saved first")  # its signal loads the schema
        Project.objects.create(name="saved after")
    names = set(Project.objects.values_list("name", flat=True))
    assert {"saved first", "saved after"} <= names
    assert "rolled back" in caplog.text
