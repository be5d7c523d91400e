"""Time stamps, date-times and durations: pure functions, the clock is passed in.

`utcnow` is the one clock helper (the Workspace's default clock) and the only reader of
$GITCONTRACTS_NOW, which fixes now (`2026-12-04T10:00:00Z`) or shifts it from the real time
(`+90s`, `-2h`, `+1d`): tests and dry runs see leases and offers expire without waiting."""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

from gitcontracts.errors import UsageError

_RFC3339 = re.compile(
    r"\d{4}-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DURATION = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


NOW_VARIABLE = "GITCONTRACTS_NOW"


def utcnow() -> datetime:
    """Now, in UTC: the real time, unless $GITCONTRACTS_NOW fixes or shifts it (UsageError when invalid)."""
    real = datetime.now(timezone.utc)
    text = os.environ.get(NOW_VARIABLE, "").strip()
    return moment_from_setting(text, real) if text else real


def moment_from_setting(text: str, real: datetime) -> datetime:
    """$GITCONTRACTS_NOW's value: an RFC 3339 date-time, or a signed duration from `real` (+90s, -1d)."""
    sign = {"+": 1, "-": -1}.get(text[:1])
    try:
        if sign is not None:
            return real + sign * parse_duration(text[1:])
        return parse_datetime(text).astimezone(timezone.utc)
    except (UsageError, ValueError):
        raise UsageError(f"${NOW_VARIABLE} is {text!r}: neither an ISO 8601 date-time with a zone nor an offset",
                         hint=f"set {NOW_VARIABLE} to e.g. 2026-12-04T10:00:00Z, +90s, +2h or -1d, or unset it") from None


def format_ts(moment: datetime) -> str:
    """Entry time stamps: microseconds, UTC, 'Z' (SPEC 5)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_seconds(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_datetime(text: object) -> bool:
    """RFC 3339 date-time, as JSON Schema's format 'date-time' means it (leap second 60 included)."""
    if not isinstance(text, str):
        return False
    match = _RFC3339.fullmatch(text)
    if not match:
        return False
    try:
        datetime(int(text[:4]), int(match[1]), int(match[2]), int(match[3]), int(match[4]), min(int(match[5]), 59))
    except ValueError:
        return False
    offset = match[7]
    return offset in "Zz" or (int(offset[1:3]) < 24 and int(offset[4:6]) < 60)


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 date-time to an aware datetime; ValueError when it is not one."""
    if not _RFC3339.fullmatch(text):
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    value = text.replace("z", "Z").replace("t", "T").replace("Z", "+00:00")
    frac = re.search(r"\.(\d+)", value)
    if frac and len(frac.group(1)) != 6:  # fromisoformat before 3.11 wants 3 or 6 digits
        value = value.replace(frac.group(0), "." + frac.group(1)[:6].ljust(6, "0"))
    if value[10] == " ":
        value = value[:10] + "T" + value[11:]
    parsed = datetime.fromisoformat(value)
    return parsed


def seconds_left(when: object, now: datetime) -> int | None:
    """Whole seconds from `now` to the ISO 8601 time `when` (negative once passed); None when `when` is not one."""
    try:
        return int((parse_datetime(when) - now).total_seconds()) if isinstance(when, str) and when else None
    except ValueError:
        return None


def parse_duration(text: str) -> timedelta:
    """'90s', '90m', '1h', '7d', '2w', or combined '1h30m'."""
    text = text.strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UsageError(f"invalid duration {text!r}", hint="write e.g. 90s, 30m, 1h, 7d or an ISO 8601 date-time")
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


def is_duration(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        parse_duration(text)
    except UsageError:
        return False
    return True


def resolve_moment(text: str, now: datetime) -> str:
    """A duration from now or a date-time, as an RFC 3339 string (for --expires, --deadline)."""
    if is_datetime(text):
        return text
    return format_seconds(whole_second_after(now + parse_duration(text)))


def whole_second_after(moment: datetime) -> datetime:
    """The moment rounded up to a whole second: a window written in seconds is never cut short."""
    return moment.replace(microsecond=0) + timedelta(seconds=1) if moment.microsecond else moment
