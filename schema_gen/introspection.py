"""Helpers for reading views and serializers at schema-build time, as drf-spectacular does.

No real request exists while the schema is built, yet real projects write
``get_serializer_class()`` reading ``self.request.method``/``.user``/``.version`` and
serializers whose ``__init__``/``get_fields()`` read ``context["request"]``. Like
drf-spectacular's ``build_mock_request``, every view is given a mock request (a request
to its path with an ``AnonymousUser`` and the versioning class's default version), and
every serializer read while that view is introspected gets the view's context::

    view.request = mock_request(view, "GET", "/posts/")
    with introspecting(view):
        fields = instantiate(PostSerializer).fields   # context={"request": ..., "view": view}
    python_name("class")   # "f_class": a valid dataclass attribute
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import keyword
from collections.abc import Iterator, MutableMapping
from typing import Any, cast
from urllib.parse import unquote

from django.urls import reverse
from rest_framework import fields, serializers

from .routes import route_url

__all__ = [
    "declared_field",
    "dotted",
    "instantiate",
    "introspecting",
    "mock_request",
    "own_doc",
    "python_name",
    "route_path",
    "serializer_fields",
]

#: The serializer context of the view being introspected (None outside of one).
_CONTEXT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "schema_gen_serializer_context", default=None
)


def mock_request(view: Any, method: str, path: str) -> Any:
    """A DRF ``Request`` for ``view`` as drf-spectacular's ``build_mock_request`` makes it.

    Anonymous (``AnonymousUser``, no auth: no authentication class runs at build
    time) and versioned with the view's versioning class default, so code reading
    ``request.version`` sees what an unversioned REST request would.
    """
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.test import APIRequestFactory

    request = view.initialize_request(getattr(APIRequestFactory(), method.lower())(path))
    request.user = AnonymousUser()
    request.auth = None
    versioning_class = getattr(view, "versioning_class", None)
    if versioning_class is not None:
        request.versioning_scheme = versioning_class()
        request.version = getattr(versioning_class, "default_version", None)
    else:
        request.version, request.versioning_scheme = None, None
    return request


def route_path(
    basename: str, prefix: str, lookup_kwarg: str | None = None, viewset: type | None = None
) -> str:
    """The URL path REST serves the list (or, with ``lookup_kwarg``, the detail) route at.

    As drf-spectacular's mock request has it: the router's URL where the URLconf
    includes it (``/api/posts/``, ``/api/posts/{pk}/``; under a namespace too, given the
    ``viewset``: :mod:`.routes`), else ``/<prefix>/`` (a router that is not mounted, or
    a schema built while the URLconf itself is imported).
    """
    placeholder = f"{{{lookup_kwarg}}}"
    if viewset is not None:
        if lookup_kwarg is None:
            found = route_url(basename, viewset)
        else:
            found = route_url(basename, viewset, "detail", **{lookup_kwarg: placeholder})
        if found is not None:
            return unquote(found)
    try:
        if lookup_kwarg is None:
            return reverse(f"{basename}-list")
        return unquote(reverse(f"{basename}-detail", kwargs={lookup_kwarg: placeholder}))
    except Exception:  # NoReverseMatch, or the URLconf is being imported
        return f"/{prefix}/" + (f"{placeholder}/" if lookup_kwarg else "")


@contextlib.contextmanager
def introspecting(view: Any) -> Iterator[None]:
    """Serializers instantiated inside get ``view``'s serializer context (its mock request)."""
    token = _CONTEXT.set(_serializer_context(view))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def _serializer_context(view: Any) -> dict[str, Any]:
    """``view.get_serializer_context()``, or DRF's default where that hook needs more."""
    try:
        return dict(view.get_serializer_context())
    except Exception:  # a plain ViewSet has no such hook; others may need a real request
        return {"request": getattr(view, "request", None), "format": None, "view": view}


def instantiate(serializer_class: type[serializers.BaseSerializer]) -> serializers.BaseSerializer:
    """A serializer instance to read ``.fields`` from, with the introspected view's context."""
    return serializer_class(context=dict(_CONTEXT.get() or {}))


def serializer_fields(serializer: serializers.BaseSerializer) -> MutableMapping[str, fields.Field]:
    """The bound fields of ``serializer`` (of its child, for a ``ListSerializer``)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = cast(serializers.BaseSerializer, serializer.child)
    return cast(serializers.Serializer, serializer).fields


def python_name(field_name: str) -> str:
    """A valid dataclass attribute for a serializer field name."""
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in field_name)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"f_{name}"
    return name


def dotted(cls: type) -> str:
    """``module.QualName``: how error messages name a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def own_doc(cls: type) -> str | None:
    """The class's own docstring, not ModelSerializer's inherited one."""
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def declared_field(field: fields.Field) -> fields.Field:
    """The serializer field the user declared that ``field`` belongs to.

    DRF binds a ``ListField``'s ``child`` (and a ``ManyRelatedField``'s ``child_relation``)
    with ``field_name=""`` and the container as ``parent``; names derived from the
    field (enum names, warnings) must come from the container, which has the real
    serializer as parent and the real field name.
    """
    while (
        not field.field_name
        and isinstance(field.parent, fields.Field)
        and not isinstance(field.parent, serializers.BaseSerializer)
    ):
        field = field.parent
    return field
