"""``manage.py export_schema [SCHEMA] [--path FILE] [--check]``: the SDL, for codegen and CI.

Which schema: the dotted path SCHEMA if given, else ``DRF_GRAPHQL_LIVE["SCHEMA"]``, else
the schema ``build_schema()`` built while the ROOT_URLCONF was imported::

    python manage.py export_schema --path schema.graphql          # write it
    python manage.py export_schema --path schema.graphql --check  # CI: fail if stale

What the generator had to leave out is printed on stderr, one line per viewset or
root field; a schema that cannot be built shows its own exception, not a
"does not define a 'schema' attribute".
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from strawberry.printer import print_schema

from drf_graphql_live.registry import import_schema, load_project_schema
from drf_graphql_live.settings import live_settings
from schema_gen.skipped import SchemaBuildWarning

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Print the GraphQL schema (SDL) of the project, or write/check it with --path."
    #: The command reports what the schema left out itself (stderr), and must print the
    #: schema's own error rather than stop at a failing system check.
    requires_system_checks: list[str] = []

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
        found = self._schema(schema)
        for entry in getattr(found, "skipped", ()):
            self.stderr.write(f"Warning: {entry}")
        sdl = print_schema(found) + "\n"
        if path is None:
            self.stdout.write(sdl, ending="")
        elif check:
            self._check(Path(path), sdl)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(sdl, encoding="utf-8")
            self.stdout.write(f"Wrote the GraphQL schema to {path}.")

    def _schema(self, dotted: str | None) -> Any:
        with warnings.catch_warnings():  # reported from schema.skipped, once, on stderr
            warnings.simplefilter("ignore", SchemaBuildWarning)
            try:
                schema = import_schema(dotted) if dotted else load_project_schema()
            except Exception as exc:
                where = dotted or live_settings.SCHEMA or "built by the ROOT_URLCONF"
                raise CommandError(
                    f"Cannot load the schema {where!r}: {type(exc).__name__}: {exc}"
                ) from exc
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
