"""End-to-end fixtures: sample_site served by a real ASGI server in a subprocess.

The servers use PostgreSQL when ``DATABASE_URL`` is set (the database it names, which
pytest-django's own ``test_<name>`` database does not touch), else a SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .servers import SampleSite


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    database_url = os.environ.get("DATABASE_URL")
    with SampleSite(tmp_path_factory.mktemp("site"), database_url=database_url) as sample:
        yield sample
