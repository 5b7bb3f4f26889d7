"""Queries and mutations, run through the project's viewsets.

The data path of one operation: :mod:`.request` (the operation and the Django request
it runs as) -> :mod:`.middleware` (the project's Django middleware, as around a REST
request) -> :mod:`.viewsets` (the viewset set up as the router would, trimmed to the
selection with :mod:`.selection` and :mod:`.prefetch`) -> :mod:`.resolvers` (the action,
its answer as JSON via :mod:`.representation`), all on a worker thread (:mod:`.sync`).
Subscriptions (:mod:`drf_graphql_live.live`) build their viewsets with the same
:func:`.viewsets.run_view`.
"""
