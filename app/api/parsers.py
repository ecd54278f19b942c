"""A JSON parser whose every failure is the client's 400, never the server's 500."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's parser turns ValueError into a 400 but lets RecursionError through, so a couple of
    kilobytes of ``[[[[...`` from anyone answered 500; nesting too deep is a bad body too."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
