#!/usr/bin/env python
"""Django's command-line utility for the demo project.

Runnable from anywhere (typically the repository root, ``python sample_site/manage.py``):
the repository root is put on ``sys.path`` so that ``sample_site`` and the local
``drf_graphql_live`` / ``schema_gen`` packages import without being installed.
"""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run an administrative task with the demo settings."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
