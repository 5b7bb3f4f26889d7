"""Malformed request bodies are the client's error (400), on every HTTP entry point.

Strawberry turns only ``JSONDecodeError`` into a 400. A body nested 100,000 lists deep
makes ``json.loads`` raise ``RecursionError``, invalid UTF-8 raises
``UnicodeDecodeError``, and a JSON body that is not an object (``"abc"``, ``1``,
``null``) makes Strawberry call ``.get`` on it: all three would be a 500. The Channels
consumer and the Django view both mix this in before Strawberry's class::

    class GraphQLHTTPConsumer(StrictBodyParsing, StrawberryHTTPConsumer[...]): ...
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException

__all__ = ["StrictBodyParsing"]


class StrictBodyParsing:
    """``parse_json``/``parse_http_body`` that answer 400 for every malformed body."""

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return super().parse_json(data)  # type: ignore[misc]
        except (RecursionError, ValueError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc

    async def parse_http_body(self, request: Any) -> Any:
        # Parsing runs no application code: an AttributeError can only mean the shape.
        try:
            return await super().parse_http_body(request)  # type: ignore[misc]
        except AttributeError as exc:
            message = "The request body must be a JSON object (or a list of them)."
            raise HTTPException(400, message) from exc
