"""End-to-end fixtures: sample_site served by real ASGI servers in subprocesses.

With ``DATABASE_URL`` set, every site gets a *fresh* PostgreSQL database on that server
(created and dropped here: sites run ``seed_demo --flush``), else a SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .servers import SampleSite, fresh_postgres_database


@pytest.fixture(scope="module")
def e2e_database_url() -> Iterator[str | None]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    with fresh_postgres_database(url) as fresh:
        yield fresh


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    with SampleSite(tmp_path_factory.mktemp("site"), database_url=e2e_database_url) as sample:
        yield sample
