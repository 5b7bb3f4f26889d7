"""What a client does with events, and what it must end with: its REST list.

    mirror = Mirror()
    mirror.apply(event)                      # ADDED/MODIFIED upsert node, REMOVED deletes
    assert mirror.rows() == rest_rows(...)   # at rest: exactly the REST list

Shared by the in-process matrix and the convergence test against real servers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Mirror", "as_graphql"]


class Mirror:
    """A client's rows, keyed by the event's ``id``, as Apollo/urql would keep them."""

    def __init__(self) -> None:
        self.nodes: dict[str, Any] = {}
        self.applied = 0
        self.cursor: str | None = None

    def apply(self, event: dict[str, Any]) -> None:
        kind, key = event["kind"], event["id"]
        if kind == "REMOVED":
            self.nodes.pop(key, None)
        else:
            assert kind in ("ADDED", "MODIFIED"), event
            assert event["node"] is not None, event
            self.nodes[key] = event["node"]
        if event.get("cursor"):
            self.cursor = event["cursor"]
        self.applied += 1

    def rows(self, key: str) -> list[Any]:
        """The nodes, sorted by their REST key field ``key`` (camelCase)."""
        return sorted(self.nodes.values(), key=lambda node: str(node[key]))


def as_graphql(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """A REST item as the subscription's node shows it (camelCase, choices as enum names)."""
    node = {}
    for field in fields:
        rest_name = "".join("_" + c.lower() if c.isupper() else c for c in field)
        value = item[rest_name]
        node[field] = value.upper() if rest_name == "kind" else value
    return node
