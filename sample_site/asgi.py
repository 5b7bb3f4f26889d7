"""ASGI entry point: Django over HTTP plus the live GraphQL endpoint at ``/graphql/``.

Run from the repository root: ``uvicorn sample_site.asgi:application`` (static files
are served too while ``DEBUG`` is on, as ``runserver`` would).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_site.settings")

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

# Set up Django (apps, settings) before anything imports models.
django_asgi_app = get_asgi_application()
if settings.DEBUG:
    # What runserver does for you: the admin's and the browsable API's CSS and JS, from
    # the apps' static/ folders (no collectstatic). In production a web server or
    # WhiteNoise serves STATIC_ROOT instead.
    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

from drf_graphql_live.asgi import live_application  # noqa: E402
from sample_site.schema import schema  # noqa: E402

application = live_application(schema, django_asgi_app)
