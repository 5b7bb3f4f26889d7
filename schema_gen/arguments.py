"""GraphQL arguments of a list field, from the viewset's filter backends and paginator.

Every argument remembers the REST query parameter it stands for, so the runtime can
build the very ``request.query_params`` the REST endpoint would get and let DRF's own
backends do the filtering::

    tasks(status: String, project: ID, search: String, ordering: String,
          limit: Int, offset: Int): TaskPage!
    # -> ?status=done&project=3&search=bug&ordering=-priority&limit=20

django-filter filters get precise types; any other backend or paginator is read
through DRF's own OpenAPI hook, ``get_schema_operation_parameters(view)``, which every
well-behaved backend implements; parameters declared only to drf-spectacular
(``@extend_schema(parameters=[OpenApiParameter(...)])`` on ``list``) come last.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import strawberry
from django.db import models
from rest_framework.filters import BaseFilterBackend, SearchFilter

from . import spectacular
from .naming import camel
from .types import list_of

__all__ = ["Argument", "filter_arguments", "pagination_arguments", "to_query_params"]

try:  # django-filter is a dependency, but keep the generator importable without it
    import django_filters
    from django_filters import rest_framework as django_filters_rf
    from django_filters.widgets import SuffixedMultiWidget
except ImportError:  # pragma: no cover
    django_filters = None


@dataclasses.dataclass(frozen=True)
class Argument:
    """One GraphQL argument and the REST query parameter it fills."""

    python_name: str
    graphql_name: str
    annotation: Any
    query_param: str
    description: str | None = None
    #: The GraphQL default; UNSET means none (an optional argument may then be omitted).
    default: Any = strawberry.UNSET


_OPENAPI_TYPES: dict[str, Any] = {
    "integer": int,
    "number": float,
    "boolean": bool,
    "string": str,
}


def _argument(param: str, annotation: Any, description: str | None = None) -> Argument:
    python_name = "".join(c if c.isalnum() else "_" for c in param)
    return Argument(f"a_{python_name}", camel(param), annotation | None, param, description)


def _from_openapi(parameters: list[dict[str, Any]]) -> list[Argument]:
    arguments = []
    for parameter in parameters:
        if parameter.get("in", "query") != "query":
            continue
        schema = parameter.get("schema", {})
        annotation = _OPENAPI_TYPES.get(schema.get("type", "string"), str)
        if schema.get("type") == "array":
            annotation = list_of(_OPENAPI_TYPES.get(schema.get("items", {}).get("type"), str))
        description = str(parameter.get("description") or "") or None
        arguments.append(_argument(parameter["name"], annotation, description))
    return arguments


def _model_field(model: type[models.Model] | None, path: str) -> Any:
    field: Any = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except Exception:
            return None
        model = field.related_model
    return field


def _django_filter_type(flt: Any, model: type[models.Model] | None) -> Any:
    if isinstance(flt, django_filters.BooleanFilter):
        return bool
    if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
        return list[strawberry.ID]
    if isinstance(flt, django_filters.ModelChoiceFilter):
        return strawberry.ID
    if isinstance(flt, django_filters.MultipleChoiceFilter):
        return list[str]
    if isinstance(flt, django_filters.NumberFilter) and flt.lookup_expr not in ("in", "range"):
        model_field = _model_field(model, flt.field_name)
        integer = isinstance(model_field, models.IntegerField | models.AutoField)
        return int if integer else float
    return str


def _django_filter_arguments(
    backend: Any, view: Any, model: type[models.Model] | None
) -> list[Argument]:
    queryset = getattr(view, "queryset", None)
    if queryset is None and model is not None:
        # Not the default manager: a tenant-scoped one raises outside a request.
        queryset = models.QuerySet(model).none()
    filterset_class = backend.get_filterset_class(view, queryset)
    if filterset_class is None:
        return []
    arguments = []
    # Bound as drf-spectacular binds it (issue 11 part A, schema_gen/introspection.py):
    # with the view's mock request, so filters read off a per-request ``__init__`` are
    # the ones REST gets, and each filter knows its model (``AllValuesFilter``). The
    # widget is read from the field *class*: building ``.field`` would run a query
    # (``AllValuesFilter``) or a callable ``queryset`` at build time.
    filterset = filterset_class(data={}, queryset=queryset, request=view.request)
    for name, flt in filterset.filters.items():
        widget = flt.extra.get("widget") or flt.field_class.widget
        # The label the project set: a bound filter would invent one from its model.
        label = filterset_class.base_filters.get(name, flt).label
        help_text = str(flt.extra.get("help_text") or label or "") or None
        if isinstance(widget, SuffixedMultiWidget) or (
            isinstance(widget, type) and issubclass(widget, SuffixedMultiWidget)
        ):
            for suffix in getattr(widget, "suffixes", ()):
                arguments.append(_argument(f"{name}_{suffix}" if suffix else name, str, help_text))
            continue
        arguments.append(_argument(name, _django_filter_type(flt, model), help_text))
    return arguments


def filter_arguments(view: Any, model: type[models.Model] | None) -> list[Argument]:
    """Arguments for every filter backend of ``view`` (an action-less viewset instance)."""
    arguments: list[Argument] = []
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, SearchFilter) and not _has_search_fields(backend, view):
            continue  # DRF ignores ?search= on a view without search_fields
        if django_filters and isinstance(backend, django_filters_rf.DjangoFilterBackend):
            arguments += _django_filter_arguments(backend, view, model)
        elif isinstance(backend, BaseFilterBackend) or hasattr(
            backend, "get_schema_operation_parameters"
        ):
            try:
                arguments += _from_openapi(backend.get_schema_operation_parameters(view))
            except Exception as exc:  # a backend that needs a live request to describe itself
                warnings.warn(
                    f"{type(view).__name__}: cannot derive GraphQL arguments for filter backend "
                    f"{backend_class.__name__} ({exc}); it still runs, with no arguments.",
                    stacklevel=2,
                )
    return _unique(arguments + _declared_arguments(view))


def _declared_arguments(view: Any) -> list[Argument]:
    """Parameters declared only to drf-spectacular (``@extend_schema(parameters=...)``).

    Many projects read such filters by hand in ``get_queryset()``; REST clients send
    them as query parameters, and so does the runtime for these arguments.
    """
    try:
        return _from_openapi(spectacular.override_parameters(view, "list"))
    except Exception as exc:  # an annotation that needs a live request to resolve
        warnings.warn(
            f"{type(view).__name__}: cannot read its @extend_schema parameters ({exc}).",
            stacklevel=3,
        )
        return []


def _has_search_fields(backend: SearchFilter, view: Any) -> bool:
    try:
        return bool(backend.get_search_fields(view, view.request))
    except Exception:  # a get_search_fields() that needs a live request: keep `search`
        return True


def pagination_arguments(view: Any) -> list[Argument]:
    """``limit``/``offset``, ``page``/``pageSize`` or ``cursor``: the paginator's own params."""
    paginator_class = getattr(view, "pagination_class", None)
    if paginator_class is None:
        return []
    return _from_openapi(paginator_class().get_schema_operation_parameters(view))


def _unique(arguments: list[Argument]) -> list[Argument]:
    seen: dict[str, Argument] = {}
    for argument in arguments:
        seen.setdefault(argument.graphql_name, argument)
    return list(seen.values())


def to_query_params(arguments: list[Argument], values: dict[str, Any]) -> list[tuple[str, str]]:
    """REST query parameters for the GraphQL argument values (UNSET/None left out)."""
    params: list[tuple[str, str]] = []
    for argument in arguments:
        value = values.get(argument.python_name)
        if value is None or value is strawberry.UNSET:
            continue
        for item in value if isinstance(value, list) else [value]:
            params.append((argument.query_param, _query_value(item)))
    return params


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))
