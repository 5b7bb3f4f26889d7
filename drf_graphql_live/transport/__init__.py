"""How operations reach the server: Channels consumers, WebSocket protocols, auth, GraphiQL.

:mod:`.consumers` (HTTP and WebSocket, thin subclasses of Strawberry's), :mod:`.protocols`
(graphql-transport-ws and the legacy protocol, with the fast path into
:mod:`drf_graphql_live.live`), :mod:`.auth` (DRF authentication of ``connection_init``)
and :mod:`.graphiql` (the IDE page and its assets). ``drf_graphql_live.asgi`` wires them
into the project's ASGI application; :mod:`.django_view` serves queries, mutations and
GraphiQL from the URLconf (``runserver``, WSGI) through ``drf_graphql_live.urls``.
"""
