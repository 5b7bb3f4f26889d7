"""``uvicorn tests.shapes.asgi:application``: the shapes' REST + live GraphQL."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.shapes.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from drf_graphql_live.asgi import live_application  # noqa: E402

from .schema import schema  # noqa: E402

application = live_application(schema, django_asgi_app)
