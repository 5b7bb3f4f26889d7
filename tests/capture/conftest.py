"""Fixtures of the capture tests: the live tests' clients and tokens."""

from tests.live.conftest import tokens  # noqa: F401
