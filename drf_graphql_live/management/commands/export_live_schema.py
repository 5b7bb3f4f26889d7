"""``manage.py export_live_schema``: :mod:`.export_schema` under a name no other app uses.

strawberry-graphql-django ships an ``export_schema`` command too; Django runs the one of
the app listed first in ``INSTALLED_APPS`` (check ``drf_graphql_live.W008`` says so).
This one is always ours, with the same arguments.
"""

from __future__ import annotations

from .export_schema import Command as ExportSchema

__all__ = ["Command"]


class Command(ExportSchema):
    pass
