"""Demo Django project ("team board") for drf-graphql-live.

It is an ordinary DRF project: the GraphQL schema is generated from the router in
``sample_site.urls`` and served by the ASGI application in ``sample_site.asgi``.
"""
