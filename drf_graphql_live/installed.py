"""A warning for a project that uses the package without installing its app.

Without ``"drf_graphql_live"`` in ``INSTALLED_APPS`` nothing fails: queries answer, but
the model signals are never connected (no subscription ever hears a change) and the
system checks never run, so no check can say so. :func:`build_schema` and the URLconf
call this instead::

    warn_unless_installed()  # RuntimeWarning, once per process
"""

from __future__ import annotations

import functools
import warnings

from django.apps import apps

__all__ = ["NotInstalledWarning", "warn_unless_installed"]

APP = "drf_graphql_live"


class NotInstalledWarning(RuntimeWarning):
    """``drf_graphql_live`` is used but not in ``INSTALLED_APPS``."""


def warn_unless_installed() -> None:
    """Warn (once) when the app registry is ready and does not hold this app."""
    if apps.apps_ready and not apps.is_installed(APP):
        _warn_once()


@functools.cache
def _warn_once() -> None:
    warnings.warn(
        f"{APP!r} is not in INSTALLED_APPS: model changes are never published (subscriptions "
        f"receive nothing) and its system checks do not run. Add {APP!r} to INSTALLED_APPS.",
        NotInstalledWarning,
        stacklevel=4,
    )
