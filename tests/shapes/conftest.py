"""The shape matrix runs under its own settings (``--ds=tests.shapes.settings``).

Under any other settings only ``test_shapes_session.py`` is collected: it runs this
folder as a subprocess, on SQLite and (where the services are) on PostgreSQL + Redis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

SHAPES_SETTINGS = "tests.shapes.settings"
RUNNER = "test_shapes_session.py"


def in_shapes_session() -> bool:
    return settings.SETTINGS_MODULE == SHAPES_SETTINGS


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name == RUNNER:
        return True if in_shapes_session() else None
    if not in_shapes_session() and collection_path.suffix == ".py":
        return True
    return None


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """``ann`` and ``ben`` with DRF tokens, and the shelves and folder every note uses.

    Shelf ``both`` has ann and ben, shelf ``anns`` only ann.
    """
    from .models import Folder, Shelf

    User = get_user_model()
    ann = User.objects.create_user("ann", password="x")
    ben = User.objects.create_user("ben", password="x")
    both, anns = Shelf.objects.create(name="both"), Shelf.objects.create(name="anns")
    both.members.set([ann, ben])
    anns.members.set([ann])
    return {
        "ann": ann,
        "ben": ben,
        "both": both,
        "anns": anns,
        "folder": Folder.objects.create(code="f-1", name="Inbox"),
        "tokens": {u.username: Token.objects.create(user=u).key for u in (ann, ben)},
    }
