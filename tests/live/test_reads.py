"""What building a queryset read (drf_graphql_live.live.reads): the models named, honestly."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from drf_graphql_live.live.reads import QueryRecorder, models_read, recording
from sample_site.board.models import Project, Task

pytestmark = pytest.mark.django_db


def test_a_query_through_an_m2m_table_names_both_of_its_models():
    recorder = QueryRecorder()
    user = get_user_model().objects.create_user("reader")
    with recording(recorder):
        list(Project.objects.filter(members=user).values_list("pk", flat=True))
    assert recorder.count == 1
    assert models_read(recorder.sqls) >= {"board.project", "auth.user"}


def test_building_without_a_query_reads_nothing():
    recorder = QueryRecorder()
    with recording(recorder):
        Task.objects.filter(project__members__username="x").query.sql_with_params()
    assert recorder.count == 0
    assert models_read(recorder.sqls) == frozenset()


def test_a_table_no_model_owns_cannot_be_kept():
    assert models_read(['SELECT 1 FROM "somebody_elses_table"']) is None


def test_a_table_is_named_after_its_concrete_model_not_a_proxy():
    """DRF's ``TokenProxy`` shares ``authtoken_token``: a change is announced as a Token's."""
    from rest_framework.authtoken.models import Token

    sql = str(Token.objects.filter(user__username="x").query)
    assert models_read([sql]) == {"authtoken.token", "auth.user"}
