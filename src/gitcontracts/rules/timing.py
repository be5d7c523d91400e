"""Time rules of SPEC 12, pure: the referee's clock decides, a client's never does.

An entry's `ts` lies within `max_clock_skew` of the referee's time and never before the entry before it in its
shard (unless that one lies further ahead than the skew: a clock that ran ahead does not pin the shard to its
future). An offer that moves to the next agent gets the move's time plus the owner's window, nobody's choice."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from gitcontracts.formats import jsonl
from gitcontracts.model import Problem
from gitcontracts.timeutil import format_seconds, parse_datetime, whole_second_after

DEFAULT_WINDOW = 86_400  # seconds the next agent of an offer chain gets when the owner named no window
RULE = "clock"


def _when(text: Any) -> datetime | None:
    try:
        return parse_datetime(text) if isinstance(text, str) else None
    except ValueError:
        return None


def entry_time_problems(path: str, previous: bytes, added: Sequence[tuple[int, bytes]], now: datetime,
                        skew: float) -> list[Problem]:
    """Appended entries dated within `skew` seconds of `now`, each at or after the one before it."""
    problems = []
    last = _when(jsonl.last_ts(previous))
    for number, raw in added:
        entry, error = jsonl.decode_line(raw)
        when = _when(entry.get("ts")) if error is None else None
        if when is None:
            continue  # not an entry: the line rules say why
        off = (when - now).total_seconds()
        if abs(off) > skew:
            side = "ahead of" if off > 0 else "behind"
            problems.append(Problem(path, f"entry {entry.get('id')}: its ts is {abs(off):.0f} s {side} the referee's clock; "
                                          f"clocks may differ by at most {skew:.0f} s (max_clock_skew): set this "
                                          "machine's clock right", RULE, "ts", number))
        elif last is not None and when < last and (last - now).total_seconds() <= skew:
            problems.append(Problem(path, f"entry {entry.get('id')}: its ts is before the entry before it in the shard",
                                    RULE, "ts", number))
        last = when if last is None or when >= last or (last - now).total_seconds() > skew else last
    return problems


def window_of(offer: dict[str, Any]) -> float:
    window = offer.get("window")
    return float(window) if isinstance(window, (int, float)) and not isinstance(window, bool) and window > 0 \
        else DEFAULT_WINDOW


def moved_expires(offer: dict[str, Any], now: datetime) -> str:
    """The `expires` of an offer that moves to the next agent now."""
    return format_seconds(whole_second_after(now + timedelta(seconds=window_of(offer))))


def move_time_problem(before: dict[str, Any], after: dict[str, Any], now: datetime, skew: float, file: str,
                      path: str) -> Problem | None:
    """A non-owner's move of the chain must give the next agent the move's time plus the owner's window."""
    if "expires" not in before or after.get("exhausted"):
        return None
    wanted, got = now + timedelta(seconds=window_of(before)), _when(after.get("expires"))
    if got is None or abs((got - wanted).total_seconds()) > skew + 1:
        return Problem(file, f"the next agent's expires must be the move's time plus the owner's window "
                             f"({window_of(before):.0f} s): about {format_seconds(wanted)}", "permission", path)
    return None


def is_past(moment: Any, now: datetime) -> bool:
    when = _when(moment)
    return when is not None and when < now
