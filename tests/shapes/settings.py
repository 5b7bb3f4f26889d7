"""Settings of the model-shape matrix: sample_site's, plus the shapes app and its URLconf.

``DATABASE_URL`` / ``REDIS_URL`` switch it to PostgreSQL and channels-redis, as they
switch sample_site.
"""

import os

from sample_site.settings import *  # noqa: F403
from sample_site.settings import DATABASES, DRF_GRAPHQL_LIVE, INSTALLED_APPS

__all__: list[str] = []

INSTALLED_APPS = [*INSTALLED_APPS, "tests.shapes"]
ROOT_URLCONF = "tests.shapes.urls"
DRF_GRAPHQL_LIVE = {**DRF_GRAPHQL_LIVE, "SCHEMA": "tests.shapes.schema.schema"}

# The main test session may hold ``test_<name>`` on the same server while this one runs.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_dgl_shapes_{os.getpid()}"
