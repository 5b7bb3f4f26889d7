"""``manage.py live_capture``: install, check or remove the PostgreSQL capture triggers.

``migrate`` installs them already; this is for a deployment whose migrations run as
another role, for ``--check`` in CI, and ``--remove`` before taking the app out of
``INSTALLED_APPS`` (the triggers would otherwise call a function nobody listens to).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...capture import install
from ...capture.state import supported


class Command(BaseCommand):
    help = "Install (default), --check or --remove the database capture triggers (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")
        parser.add_argument("--check", action="store_true", help="exit 1 if any are missing")
        parser.add_argument("--remove", action="store_true", help="drop the function and triggers")

    def handle(self, *args: Any, database: str, check: bool, remove: bool, **_: Any) -> None:
        if not supported(database):
            raise CommandError(
                f"Database {database!r} is not PostgreSQL (or CAPTURE is 'signals'): changes "
                "are captured by model signals and the ORM's bulk writes there."
            )
        if remove:
            install.remove(database)
            self.stdout.write("Removed the capture function and every capture trigger.")
            return
        if check:
            missing = install.missing(database)
            for table, why in sorted(missing.items()):
                self.stdout.write(f"{table}: {why}")
            if missing:
                raise CommandError(f"{len(missing)} watched table(s) not captured.")
            self.stdout.write("Every watched table is captured.")
            return
        report = install.install(database)
        for table in report.installed:
            self.stdout.write(f"captured: {table}")
        for table in report.dropped:
            self.stdout.write(f"no longer watched, triggers dropped: {table}")
        for table, why in report.failed.items():
            self.stderr.write(f"NOT captured: {table} ({why})")
        if report.failed:
            raise CommandError("Some tables are not captured; they keep signal capture.")
