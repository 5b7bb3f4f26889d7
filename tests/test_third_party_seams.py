"""Every private third-party internal the package touches, listed, and still there (issue 24).

A source scan finds each ``obj._name`` / ``getattr(obj, "_name")`` on something that is not
ours; :data:`SEAMS` must name every one, so a new reach into another package's internals
is added here (with a check) or fails. tests/transport/test_strawberry_seams.py checks the
Strawberry subclassing seams' behaviour in more depth; ``_stepped_send``'s asyncio names
have their own tests (tests/live/test_stepped_send.py).
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.core.handlers.base import BaseHandler
from django.db.models import QuerySet
from django.middleware.csrf import CsrfViewMiddleware
from graphql import GraphQLSchema
from rest_framework.request import Request
from strawberry.schema.schema import Schema
from strawberry.types.info import Info

from sample_site.schema import schema

ROOT = Path(__file__).resolve().parents[1]

#: name -> (owner, where we use it). Documented Django names (``_meta``,
#: ``_base_manager``, ``_default_manager``) are public API despite the underscore.
SEAMS = {
    "_schema": ("strawberry Schema: graphql-core's schema", "live/render.py, gate.py, limits.py"),
    "_raw_info": ("strawberry Info: graphql-core's resolve info", "api/payload.py"),
    "_create_execution_context": ("strawberry Schema", "gate.py"),
    "_prepare_operation_async": ("strawberry Schema", "gate.py"),
    "_request": ("DRF Request: the Django request", "api/authentication.py, live/batch.py"),
    "_authenticator": ("DRF Request: the class that authenticated", "live/visibility.py"),
    "_full_data": ("DRF Request: the parsed body", "api/viewsets.py"),
    "_data": ("DRF Request", "api/viewsets.py"),
    "_files": ("DRF Request", "api/viewsets.py"),
    "_dont_enforce_csrf_checks": ("Django HttpRequest (its test client's flag)", "api/request.py"),
    "_origin_verified": ("Django CsrfViewMiddleware", "transport/origin.py"),
    "_middleware_chain": ("Django BaseHandler", "api/middleware.py"),
    "_view_middleware": ("Django BaseHandler", "api/middleware.py"),
    "_get_response": ("Django BaseHandler (overridden)", "api/middleware.py"),
    "_prefetch_related_lookups": ("Django QuerySet", "api/prefetch.py"),
    "_fields": ("Django QuerySet (values())", "api/prefetch.py"),
    "_shards": ("channels-redis RedisPubSubChannelLayer", "live/heartbeat.py"),
    "_pubsub": ("channels-redis pub/sub shard", "live/heartbeat.py"),
    "_enter_task": ("asyncio.tasks", "live/_stepped_send.py"),
    "_leave_task": ("asyncio.tasks", "live/_stepped_send.py"),
    "_asyncio_future_blocking": ("asyncio Future", "live/_stepped_send.py"),
    "_args": ("DRF BaseSerializer: its init arguments", "schema_gen/variants.py"),
    "_kwargs": ("DRF BaseSerializer: its init keyword arguments", "schema_gen/variants.py"),
    "_spectacular_annotation": ("drf-spectacular's decorators", "schema_gen/spectacular.py"),
    "__self__.transport": ("uvicorn: send is its protocol's bound method", "transport/_abort.py"),
}
DOCUMENTED = {"_meta", "_base_manager", "_default_manager"}


def private_names_used() -> set[str]:
    """``_name`` attributes the package reads on objects, minus the names it defines."""
    files = [p for root in ("drf_graphql_live", "schema_gen") for p in (ROOT / root).rglob("*.py")]
    trees = [ast.parse(path.read_text()) for path in files]
    own: set[str] = set()
    used: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                used.add(node.attr)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and _private(node.args[1].value)
            ):
                used.add(node.args[1].value)
    return used - own


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_every_private_third_party_name_the_package_reads_is_listed():
    unlisted = private_names_used() - set(SEAMS) - DOCUMENTED
    assert not unlisted, f"list these in SEAMS, with a check: {sorted(unlisted)}"


def test_the_strawberry_internals_are_there():
    assert isinstance(schema._schema, GraphQLSchema)
    assert callable(Schema._create_execution_context)
    assert callable(Schema._prepare_operation_async)
    assert "_raw_info" in Info.__dataclass_fields__ or hasattr(Info, "_raw_info")


def test_the_drf_and_django_internals_are_there(rf):
    request = Request(rf.get("/"))
    assert request._request is not None
    assert "_authenticator" in Request._authenticate.__code__.co_names
    for name in ("_full_data", "_data", "_files"):
        assert hasattr(request, name) or name in Request.__init__.__code__.co_names
    assert callable(getattr(CsrfViewMiddleware, "_origin_verified", None))
    assert callable(getattr(BaseHandler, "_get_response", None))
    assert "_middleware_chain" in BaseHandler.load_middleware.__code__.co_names
    assert "_view_middleware" in BaseHandler.load_middleware.__code__.co_names
    queryset = QuerySet()
    assert queryset._prefetch_related_lookups == ()
    assert queryset._fields is None


def test_drf_serializers_keep_their_init_arguments():
    from rest_framework import serializers

    serializer = serializers.Serializer(None, many=False, partial=True)
    assert serializer._args == (None,)
    assert serializer._kwargs["partial"] is True


async def test_the_channels_redis_shards_are_there():
    layer = RedisPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"])
    [shard] = layer._shards
    assert hasattr(shard, "_pubsub")


def test_the_asyncio_internals_are_there():
    from asyncio import tasks

    assert callable(tasks._enter_task)
    assert callable(tasks._leave_task)
    loop = asyncio.new_event_loop()
    try:
        assert hasattr(loop.create_future(), "_asyncio_future_blocking")
    finally:
        loop.close()


@pytest.mark.parametrize("module", ["uvicorn.protocols.websockets.websockets_impl"])
def test_uvicorns_send_is_a_bound_method_of_an_object_holding_the_transport(module):
    """transport/_abort.py: ``send.__self__.transport`` (tests/transport/test_websocket.py
    aborts a real uvicorn connection through it)."""
    import importlib
    import inspect

    protocol = importlib.import_module(module).WebSocketProtocol
    assert "send" in dict(inspect.getmembers(protocol))
    assert "self.transport" in inspect.getsource(protocol)
