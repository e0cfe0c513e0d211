"""JSON reading with a depth bound, for models, contracts and catalog lines.

Python's JSON decoder raises ``RecursionError`` on input nested about 1,000 levels deep, and
everything that walks a parsed document recursively (schema conversion, validators, the
encoder) fails far earlier. Real input is shallow (Amazon's models nest at most ~30 levels),
so anything deeper than the bound is refused up front with the JSON pointer (and line and
column) where it gets too deep, instead of a traceback later. A number too long for Python's
int conversion (``ValueError``, over 4,300 digits) is named the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JsonInputError", "loads_bounded"]

MAX_JSON_DEPTH = 256
"""Deepest nesting accepted; ten times the deepest Amazon model, well under Python's limit."""

_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]', re.DOTALL)


class JsonInputError(ValueError):
    """The text cannot be read as bounded JSON; ``message`` says why and where."""

    def __init__(self, message: str, fix: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.pointer = pointer


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _deep_in_text(text: str, limit: int) -> tuple[str, int, int] | None:
    """(pointer, line, column) where ``text`` first nests deeper than ``limit``; no recursion."""
    stack: list[list[Any]] = []  # [kind, key or index]
    last_string = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            last_string = token
        elif token in "{[":
            if len(stack) >= limit:
                pointer = "".join(f"/{_escape(str(key))}" for _, key in stack)
                start = match.start()
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                return pointer or "/", line, column
            stack.append([token, "" if token == "{" else 0])
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ":" and stack:
            try:
                stack[-1][1] = json.loads(last_string)
            except ValueError:
                stack[-1][1] = last_string.strip('"')
        elif token == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
    return None


def _deep_in_data(data: Any, limit: int) -> str | None:
    """The pointer of the first node nested deeper than ``limit`` in parsed data."""
    todo: list[tuple[Any, int, str]] = [(data, 1, "")]
    while todo:
        node, depth, pointer = todo.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return pointer or "/"
            items = node.items() if isinstance(node, dict) else enumerate(node)
            todo.extend((v, depth + 1, f"{pointer}/{_escape(str(k))}") for k, v in items)
    return None


def _too_deep(limit: int, pointer: str, at: str = "") -> JsonInputError:
    shown = pointer if len(pointer) <= 120 else f"{pointer[:80]}...{pointer[-30:]}"
    return JsonInputError(
        f"is nested more than {limit} levels deep at JSON pointer {shown}{at}",
        fix=f"flatten the JSON to at most {limit} levels (real payloads and models nest far "
        "less; this looks generated or corrupted)",
        pointer=pointer,
    )


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int conversion limit: "Exceeds the limit (4300 digits) ..."
        raise JsonInputError(
            f"holds a number too long to read ({str(exc).split(';')[0]})",
            fix="write numbers with at most 4,300 digits (Amazon's values are far shorter)",
        ) from None


def loads_bounded(text: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that never raises ``RecursionError`` and bounds nesting.

    Raises :class:`json.JSONDecodeError` for bad syntax and :class:`JsonInputError` for input
    too deep or with a number too long to convert.
    """
    if text.count("{") + text.count("[") <= limit:  # cannot be too deep: the common case
        return _loads(text)
    try:
        data = _loads(text)
    except RecursionError:
        found = _deep_in_text(text, limit)
    else:
        pointer = _deep_in_data(data, limit)
        if pointer is None:
            return data
        found = _deep_in_text(text, limit) or (pointer, 0, 0)
    pointer, line, column = found or ("(unknown)", 0, 0)
    at = f" (line {line}, column {column})" if line > 1 else f" (column {column})" if line else ""
    raise _too_deep(limit, pointer, at)
