"""ASGI entry point: Django over HTTP plus the live GraphQL endpoint at ``/graphql/``.

Run from the repository root: ``uvicorn sample_site.asgi:application``.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")

from django.core.asgi import get_asgi_application

# Set up Django (apps, settings) before anything imports models.
django_asgi_app = get_asgi_application()

from drf_graphql_live.asgi import live_application  # noqa: E402
from sample_site.schema import schema  # noqa: E402

application = live_application(schema, django_asgi_app)
