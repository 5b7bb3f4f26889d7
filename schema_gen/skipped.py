"""What the generator left out, and why: one viewset never takes the others down.

Real routers hold viewsets the generator cannot type (a serializer that raises without
a real request, two serializers claiming one type name, a type Strawberry rejects).
Each failure is caught around the smallest part it can be isolated to (a root field,
else the whole registration), recorded as a :class:`Skipped`, and reported as a
:class:`SchemaBuildWarning`; ``strict=True`` turns the list into one error for CI::

    skipped = SkippedList()
    field = skipped.attempt(endpoint, "createPost", lambda: build_create(endpoint))
    skipped.report(strict=False)   # one warning per entry, naming the viewset and why
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

from .introspection import dotted

__all__ = ["Registration", "SchemaBuildWarning", "Skipped", "SkippedList", "reason_of"]

T = TypeVar("T")


class Registration(Protocol):
    """What an entry needs of an :class:`~schema_gen.root_fields.Endpoint`."""

    @property
    def prefix(self) -> str: ...

    @property
    def viewset(self) -> type: ...


class SchemaBuildWarning(UserWarning):
    """A registered viewset (or one of its root fields) was left out of the schema."""


def reason_of(exc: BaseException) -> str:
    """``ExceptionType: message``: the first line a developer needs to find the cause."""
    message = str(exc).strip() or "(no message)"
    if isinstance(exc, ImproperlyConfigured):
        return message
    return f"{type(exc).__name__}: {message}"


@dataclasses.dataclass(frozen=True)
class Skipped:
    """One registration, or one root field of it, that is not in the schema."""

    #: Dotted path of the viewset class.
    viewset: str
    #: The router prefix it was registered under.
    prefix: str
    #: The GraphQL root field left out; None when the whole viewset is.
    field: str | None
    reason: str

    def __str__(self) -> str:
        what = f"{self.viewset} (registered as {self.prefix!r})"
        if self.field is None:
            return f"{what} is left out of the GraphQL schema: {self.reason}"
        return f"{what}: root field {self.field!r} is left out of the GraphQL schema: {self.reason}"


class SkippedList(list[Skipped]):
    """The build's omissions, in the order they were found."""

    def add(self, endpoint: Registration, field: str | None, reason: str) -> None:
        self.append(Skipped(dotted(endpoint.viewset), endpoint.prefix, field, reason))

    def attempt(
        self, endpoint: Registration, field: str | None, build: Callable[[], T]
    ) -> T | None:
        """``build()``, or None with the failure recorded (``RecursionError`` included)."""
        try:
            return build()
        except Exception as exc:
            self.add(endpoint, field, reason_of(exc))
            return None

    def merge_viewset(self, endpoint: Registration, since: int) -> None:
        """Entries from ``since`` on, all about ``endpoint``'s fields, as one viewset entry.

        Used when nothing of a viewset could be built: one warning with each distinct
        reason reads better than one per root field repeating the same cause.
        """
        reasons = list(dict.fromkeys(entry.reason for entry in self[since:]))
        del self[since:]
        self.add(endpoint, None, "; ".join(reasons))

    def error(self, headline: str) -> ImproperlyConfigured:
        """One error listing every entry under ``headline``."""
        lines = "\n".join(f"- {entry}" for entry in self)
        return ImproperlyConfigured(f"{headline}\n{lines}")

    def report(self, *, strict: bool, stacklevel: int = 3) -> None:
        """Warn about each entry, or raise them all at once when ``strict``."""
        if not self:
            return
        if strict:
            raise self.error(
                f"{len(self)} part(s) of the registered API cannot be typed for GraphQL "
                "(DRF_GRAPHQL_LIVE['STRICT'] is on):"
            )
        for entry in self:
            warnings.warn(str(entry), SchemaBuildWarning, stacklevel=stacklevel)
