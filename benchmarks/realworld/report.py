"""Build the schema of each registration alone and describe what came out.

Shared by the probes (``paperless.py``, ``spectacular.py``), which run inside the
project's own virtualenv and Django settings::

    built = build_each([("tags", TagViewSet, "tag")])
    built["summary"]  # {"registered": 1, "built": 1, "built_whole": 1, "fields": ..., ...}
"""

from __future__ import annotations

import re
import traceback
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLObjectType, get_named_type

from drf_graphql_live import build_schema

__all__ = ["build_each", "failure", "field_types", "top_causes"]

ROOT_TYPES = {"Query", "Mutation", "Subscription"}


def failure(exc: BaseException) -> dict[str, str]:
    """A one-line cause and the innermost frame: enough to group failures by cause."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    message = " ".join(str(exc).split())[:300]
    return {"cause": f"{type(exc).__name__}: {message}", "where": where}


def field_types(schema: Any) -> Counter[str]:
    """Named type of every field of every output object type (roots and ``__*`` excluded)."""
    counts: Counter[str] = Counter()
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in ROOT_TYPES:
            continue
        if isinstance(graphql_type, GraphQLObjectType):
            for field in graphql_type.fields.values():
                counts[get_named_type(field.type).name] += 1
    return counts


def build_each(registrations: Iterable[tuple[str, type, str | None]]) -> dict[str, Any]:
    """``build_schema`` once per registration, alone, with its warnings recorded."""
    results = []
    fields: Counter[str] = Counter()
    for prefix, viewset, basename in registrations:
        entry: dict[str, Any] = {"prefix": prefix, "viewset": _name(viewset)}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                pair = (prefix, viewset) if basename is None else (prefix, viewset, basename)
                schema = build_schema([pair])
            except BaseException as exc:
                entry["error"] = failure(exc)
            else:
                entry["fields"] = dict(field_types(schema))
                fields.update(entry["fields"])
        entry["warnings"] = [str(w.message)[:300] for w in caught]
        results.append(entry)
    built = [r for r in results if "error" not in r]
    summary = {
        "registered": len(results),
        "built": len(built),
        # Built with no root field left out (a build may serve only what could be typed).
        "built_whole": sum(not any(LEFT_OUT in w for w in r["warnings"]) for r in built),
        "fields": sum(fields.values()),
        "json_fields": fields.get("JSON", 0),
        "warnings": sum(len(r["warnings"]) for r in results),
        "top_causes": top_causes(r["error"]["cause"] for r in results if "error" in r),
    }
    return {"summary": summary, "viewsets": results}


def top_causes(causes: Iterable[str], limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent causes, numbers and quoted names folded so that alike group."""
    folded = Counter(_fold(c) for c in causes)
    return folded.most_common(limit)


#: Where the package's "left out" message says why; the viewset's name comes before.
LEFT_OUT = "left out of the GraphQL schema: "


def _fold(cause: str) -> str:
    cause = cause.split(LEFT_OUT)[-1]
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", cause)[:70]


def _name(viewset: type) -> str:
    return f"{viewset.__module__}.{viewset.__qualname__}"
