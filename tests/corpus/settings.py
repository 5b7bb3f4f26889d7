"""Settings of the corpus: sample_site's, plus the corpus app, its URLconf and middleware.

The corpus models live in an app with no migrations (tables made by the test runner's
``run_syncdb``), installed only here: sample_site's migrations and schema snapshot stay
as they are. sample_site's board stays installed because tests/conftest.py imports it.
"""

from sample_site.settings import *  # noqa: F403
from sample_site.settings import INSTALLED_APPS, MIDDLEWARE

__all__: list[str] = []

INSTALLED_APPS = [*INSTALLED_APPS, "tests.corpus"]
ROOT_URLCONF = "tests.corpus.urls"
# The tenant pattern: a middleware sets request.space, as real multi-tenant apps do.
MIDDLEWARE = [*MIDDLEWARE, "tests.corpus.patterns.tenant.SpaceMiddleware"]
# A middleware reading request.path (which app's API), as NetBox's and tenant choosers do.
MIDDLEWARE += ["tests.corpus.patterns.dcim.MountMiddleware"]
# Object permissions read from the corpus' grant rows (patterns.permissions), as NetBox's
# ObjectPermissionBackend reads its own.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "tests.corpus.patterns.permissions.GrantBackend",
]
