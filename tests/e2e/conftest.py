"""End-to-end fixtures: sample_site served by real ASGI servers in subprocesses.

Their databases come from ``e2e_database_url`` (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import SampleSite


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, e2e_database_url: str | None
) -> Iterator[SampleSite]:
    with SampleSite(tmp_path_factory.mktemp("site"), database_url=e2e_database_url) as sample:
        yield sample
