"""strawberry-graphql-django's ``export_schema`` stand-in: another app's command of that name."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

__all__ = ["Command"]


class Command(BaseCommand):
    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("schema", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("not drf_graphql_live's")
