"""The suite's promise about services: in CI it really runs on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_database_is_postgresql_when_database_url_is_set(postgres_url):
    assert connection.vendor == "postgresql"
    assert os.environ["DATABASE_URL"] == postgres_url


def test_tests_that_need_redis_get_one_without_redis_url(redis_url):
    """Issue 24: without REDIS_URL the Redis tests skipped; now a private server runs them
    when redis-server is installed (REDIS_URL, when set, is used as it is)."""
    import redis

    if os.environ.get("REDIS_URL"):
        assert redis_url == os.environ["REDIS_URL"]
    else:
        assert redis_url.startswith("redis://127.0.0.1:")
        assert redis_url != "redis://127.0.0.1:6379/0"  # not the machine's shared one
    client = redis.Redis.from_url(redis_url)
    assert client.ping()
    if not os.environ.get("REDIS_URL"):
        assert client.config_get("save")["save"] == ""  # no persistence
    client.close()


def test_the_report_header_says_what_the_run_does_for_redis(monkeypatch):
    from tests.conftest import redis_plan

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert "NOT AVAILABLE" in redis_plan()
    assert "apt-get install redis-server" in redis_plan()
