"""schema_gen is the pure generator: it must never import the runtime or Channels.

Checked in a fresh interpreter with a minimal Django configuration (no
``drf_graphql_live`` and no ``channels`` in INSTALLED_APPS), because the test process
itself has both loaded through sample_site's settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys

    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        REST_FRAMEWORK={"DEFAULT_PAGINATION_CLASS": None},
    )
    django.setup()

    import schema_gen
    import schema_gen.schema
    from django.contrib.auth.models import User
    from rest_framework import serializers, viewsets
    from strawberry.printer import print_schema

    class UserSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username"]

    class UserViewSet(viewsets.ModelViewSet):
        queryset = User.objects.all()
        serializer_class = UserSerializer

    def runner(field):
        async def impl(info, arguments):
            return None
        return impl

    schema = schema_gen.generate_schema(
        [schema_gen.Endpoint("users", "user", UserViewSet)], runner=runner
    )
    assert "createUser(input: UserInput!): User!" in print_schema(schema)
    leaked = sorted(
        m for m in sys.modules if m.split(".")[0] in ("drf_graphql_live", "channels")
    )
    assert not leaked, leaked
    print("isolated")
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def test_schema_gen_builds_a_schema_without_importing_runtime_or_channels() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "isolated"
