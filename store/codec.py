"""Turn record dataclasses into JSON-able dicts and back, the same way for every backend.

The conversion is driven by the dataclass field types:

    datetime         -> ISO-8601 string in UTC ("2026-03-01T08:15:00.000000+00:00")
    bytes            -> standard base64 string
    nested dataclass -> dict (e.g. a message's AttachmentMeta list)
    list / dict      -> list / dict of converted items
    str, int, bool, Literal strings, None -> themselves

The `version` field is not part of a record's body: it is the backend's
concurrency token and travels beside the body (a column, the document's ETag).
A naive datetime is refused, because a stored time must mean one instant.
"""

from __future__ import annotations

import base64
import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

type Json = str | int | float | bool | list[Json] | dict[str, Json] | None
type _Convert = Callable[[Any], Any]

# Kept beside the body, never inside it.
NOT_IN_BODY = frozenset({"version"})


def utc_iso(value: datetime) -> str:
    """A fixed-width ISO-8601 UTC string, so string order is time order."""
    if value.tzinfo is None:
        raise ValueError("a stored datetime must carry a time zone")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def encode(record: object) -> dict[str, Json]:
    """The record's fields as a JSON-able dict (without `version`)."""
    fields = _fields(type(record))
    return {name: to_json(getattr(record, name)) for name, to_json, _ in fields}


def decode[R](cls: type[R], body: Mapping[str, Any], **beside_body: Any) -> R:
    """Rebuild a `cls` record from its body; `beside_body` supplies `version` and the like."""
    kwargs = {name: from_json(body[name]) for name, _, from_json in _fields(cls) if name in body}
    kwargs.update(beside_body)
    return cls(**kwargs)


_FIELDS: dict[type, tuple[tuple[str, _Convert, _Convert], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, _Convert, _Convert], ...]:
    """(name, to JSON, from JSON) for each body field of `cls`, worked out once per class."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = tuple(
            (field.name, *_converters(hints[field.name]))
            for field in dataclasses.fields(cls)
            if field.name not in NOT_IN_BODY
        )
        _FIELDS[cls] = found
    return found


def _converters(hint: Any) -> tuple[_Convert, _Convert]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _optional([arg for arg in args if arg is not type(None)])
    if origin is list:
        to_item, from_item = _converters(args[0])
        return (lambda v: [to_item(i) for i in v]), (lambda v: [from_item(i) for i in v])
    if origin is dict:
        to_value, from_value = _converters(args[1])
        return (lambda v: {k: to_value(i) for k, i in v.items()}), (
            lambda v: {k: from_value(i) for k, i in v.items()}
        )
    if origin is Literal or hint in (str, int, bool, float):
        return _same, _same
    if hint is datetime:
        return utc_iso, datetime.fromisoformat
    if hint is bytes:
        return _b64encode, base64.b64decode
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested: type = hint
        return encode, lambda v: decode(nested, v)
    raise TypeError(f"the codec has no conversion for {hint!r}")


def _optional(inner: list[Any]) -> tuple[_Convert, _Convert]:
    if len(inner) != 1:
        raise TypeError(f"the codec supports `X | None` only, not a union of {inner!r}")
    to_json, from_json = _converters(inner[0])
    return (lambda v: None if v is None else to_json(v)), (lambda v: None if v is None else from_json(v))


def _same(value: Any) -> Any:
    return value


def _b64encode(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")
