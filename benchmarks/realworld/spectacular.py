"""The drf-spectacular probe: run by ``run.py spectacular <checkout>``.

Runs drf-spectacular's own test suite with a plugin that records every
``router.register(...)`` its tests make (its ``generate_schema`` helper registers each
test's viewset on a ``SimpleRouter``, prefix == basename), then builds our schema for
each distinct viewset class, alone, as first registered. Prints one JSON document
(``RESULT:`` line).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["RegistrationRecorder", "main"]


class RegistrationRecorder:
    """A pytest plugin: records registrations during the run, builds them at the end."""

    def __init__(self) -> None:
        self.registrations: dict[type, tuple[str, type, str | None]] = {}
        self.report: dict[str, Any] = {}

    def pytest_configure(self, config: Any) -> None:
        from rest_framework.routers import BaseRouter

        original = BaseRouter.register
        recorder = self

        def register(router: Any, prefix: str, viewset: type, basename: str | None = None) -> None:
            recorder.registrations.setdefault(viewset, (prefix, viewset, basename))
            original(router, prefix, viewset, basename)

        BaseRouter.register = register  # type: ignore[method-assign]

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        from .report import build_each

        self.report = build_each(self.registrations.values())
        self.report["suite_exit_status"] = int(exitstatus)


def main(checkout: Path) -> dict[str, Any]:
    import pytest

    os.chdir(checkout)
    sys.path.insert(0, str(checkout))
    recorder = RegistrationRecorder()
    args = ["-q", "-p", "no:cacheprovider", "tests"]
    pytest.main(args, plugins=[recorder])
    return recorder.report


if __name__ == "__main__":
    print("RESULT:" + json.dumps(main(Path(sys.argv[1])), default=str))
