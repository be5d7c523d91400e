"""Directed offers (SPEC 6.3): how a rejected or expired offer moves along the owner's chain."""
from __future__ import annotations

from typing import Any


def advance(offer: dict[str, Any]) -> dict[str, Any] | None:
    """The offer after `offer.to` rejected it: the next fallback agent; when none is left,
    `announce` removes it (open bidding) and `revise` marks it exhausted for the owner to change."""
    fallback = list(offer.get("fallback") or [])
    if fallback:
        moved = {**offer, "to": fallback[0], "fallback": fallback[1:]}
        if not moved["fallback"]:
            del moved["fallback"]
        return moved
    if offer.get("on_exhausted", "announce") == "announce":
        return None
    return {**offer, "exhausted": True}


def same_offer(a: dict[str, Any] | None, b: dict[str, Any] | None, ignore: tuple[str, ...] = ("expires",)) -> bool:
    """Equal as offers, an empty fallback list being no fallback; `ignore` names fields a move may renew."""
    def norm(offer: dict[str, Any] | None) -> dict[str, Any] | None:
        if offer is None:
            return None
        return {k: v for k, v in offer.items() if k not in ignore and not (k == "fallback" and not v)}
    return norm(a) == norm(b)
