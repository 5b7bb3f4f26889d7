"""The corpus runs under its own settings (``--ds=tests.corpus.settings``).

Under any other settings only ``test_corpus_session.py`` is collected: it runs the
corpus as a subprocess, so ``pytest tests`` still covers it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

CORPUS_SETTINGS = "tests.corpus.settings"
RUNNER = "test_corpus_session.py"


def in_corpus_session() -> bool:
    return settings.SETTINGS_MODULE == CORPUS_SETTINGS


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name == RUNNER:
        return True if in_corpus_session() else None  # the runner runs only outside
    if not in_corpus_session() and collection_path.suffix == ".py":
        return True
    return None


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """``ann`` (staff) and ``ben``, with DRF tokens."""
    User = get_user_model()
    ann = User.objects.create_user("ann", password="x", is_staff=True)
    ben = User.objects.create_user("ben", password="x")
    return {
        "ann": ann,
        "ben": ben,
        "tokens": {u.username: Token.objects.create(user=u).key for u in (ann, ben)},
    }
