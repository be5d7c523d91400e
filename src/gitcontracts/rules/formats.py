"""JSON Schema `format` checks, one set shared by the fast and the full validator.

jsonschema skips `date-time` unless an optional package is installed; these are always on,
so a contract's `deadline: not-a-date` is refused on every machine alike."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable

from gitcontracts.timeutil import is_datetime

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _date(text: str) -> bool:
    try:
        return len(text) == 10 and bool(date.fromisoformat(text))
    except ValueError:
        return False


def _ip(version: int) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        import ipaddress  # imported when a schema asks for the format (uuid's import alone is a few ms)

        try:
            return ipaddress.ip_address(text).version == version
        except ValueError:
            return False
    return check


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
        return "-" in text
    except ValueError:
        return False


def _regex(text: str) -> bool:
    try:
        re.compile(text)
        return True
    except re.error:
        return False


def _strings_only(check: Callable[[str], bool]) -> Callable[[Any], bool]:
    return lambda value: not isinstance(value, str) or bool(check(value))


FORMATS: dict[str, Callable[[Any], bool]] = {name: _strings_only(check) for name, check in {
    "date-time": is_datetime,
    "date": _date,
    "time": lambda t: bool(_TIME.fullmatch(t)),
    "email": lambda t: bool(_EMAIL.fullmatch(t)),
    "uri": lambda t: bool(_URI.fullmatch(t)),
    "ipv4": _ip(4),
    "ipv6": _ip(6),
    "uuid": _uuid,
    "regex": _regex,
}.items()}
