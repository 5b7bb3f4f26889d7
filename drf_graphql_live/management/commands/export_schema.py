"""``manage.py export_schema [SCHEMA] [--path FILE] [--check]``: the SDL, for codegen and CI.

Which schema: the dotted path SCHEMA if given, else ``DRF_GRAPHQL_LIVE["SCHEMA"]``, else
the schema ``build_schema()`` built while the ROOT_URLCONF was imported::

    python manage.py export_schema --path schema.graphql          # write it
    python manage.py export_schema --path schema.graphql --check  # CI: fail if stale
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import get_resolver
from django.utils.module_loading import import_string
from strawberry.printer import print_schema

from drf_graphql_live.schema import last_built_schema
from drf_graphql_live.settings import live_settings

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Print the GraphQL schema (SDL) of the project, or write/check it with --path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("schema", nargs="?", help="Dotted path of a strawberry.Schema.")
        parser.add_argument("--path", help="Write the SDL to this file instead of stdout.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 if --path is missing or differs from the schema.",
        )

    def handle(
        self, *args: Any, schema: str | None, path: str | None, check: bool, **options: Any
    ) -> None:
        if check and not path:
            raise CommandError("--check needs --path FILE to compare against.")
        sdl = print_schema(self._schema(schema)) + "\n"
        if path is None:
            self.stdout.write(sdl, ending="")
        elif check:
            self._check(Path(path), sdl)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(sdl, encoding="utf-8")
            self.stdout.write(f"Wrote the GraphQL schema to {path}.")

    def _schema(self, dotted: str | None) -> Any:
        dotted = dotted or live_settings.SCHEMA
        if dotted:
            try:
                return import_string(dotted)
            except ImportError as exc:
                raise CommandError(f"Cannot import the schema {dotted!r}: {exc}") from exc
        get_resolver(settings.ROOT_URLCONF).url_patterns  # noqa: B018  (imports the URLconf)
        schema = last_built_schema()
        if schema is None:
            raise CommandError(
                "No schema found: pass its dotted path, set DRF_GRAPHQL_LIVE['SCHEMA'], or "
                "call build_schema(router) in a module the ROOT_URLCONF imports."
            )
        return schema

    def _check(self, path: Path, sdl: str) -> None:
        if not path.exists():
            raise CommandError(
                f"{path} does not exist; run export_schema --path {path}.", returncode=1
            )
        if path.read_text(encoding="utf-8") != sdl:
            raise CommandError(
                f"{path} is out of date with the schema; run export_schema --path {path}.",
                returncode=1,
            )
        self.stdout.write(f"{path} is up to date.")
