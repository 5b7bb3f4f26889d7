"""The package's receivers never raise into the host app's save path.

A multi-tenant project scopes every default manager to request state (django-scopes
raises outside a scope); the post_save lookup of what a change affects must read
through ``_base_manager``, and any failure of a receiver is logged, the save kept.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import models

from drf_graphql_live.live import dependencies
from sample_site.board.models import Task

# The signal path and the channel layer are under test here (fixture ``signal_capture``).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signal_capture")]


class OutOfScope(Exception):
    """What a scoped manager raises when no request set its scope."""


class ScopedManager(models.Manager):
    def get_queryset(self) -> Any:
        raise OutOfScope("no space is active")


@pytest.fixture
def scoped_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Task``'s default manager scoped to request state, as in a tenant project."""
    manager = ScopedManager()
    manager.model = Task
    monkeypatch.setitem(Task._meta.__dict__, "default_manager", manager)


def test_save_of_a_dependency_with_scoped_default_manager_finds_affected_rows(
    board, scoped_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        board.alice.first_name = "Alice"
        board.alice.save()  # a user nested as assignee: which tasks show her?
    events = [c.args[0] for c in callbacks if getattr(c, "args", None)]
    assert events, "the change was not announced"
    affected = set(events[0]["affects"]["board.task"])
    assert affected >= {str(board.design.pk), str(board.errand.pk)}


def test_failing_receiver_is_logged_and_the_save_kept(board, monkeypatch, caplog):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("affected() failed")

    monkeypatch.setattr(dependencies.LIVE, "affected", broken)
    caplog.set_level(logging.ERROR, logger="drf_graphql_live")
    board.docs.title = "kept"
    board.docs.save()
    Task.objects.create(project=board.shared, title="also kept")
    assert Task.objects.get(pk=board.docs.pk).title == "kept"
    assert Task.objects.filter(title="also kept").exists()
    assert "affected() failed" in caplog.text
