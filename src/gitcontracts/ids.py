"""Entry ids: ULIDs (48-bit milliseconds + 80 random bits, Crockford base32), time-sortable and unique."""
from __future__ import annotations

import os
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(moment: datetime, randomness: bytes | None = None) -> str:
    millis = int(moment.timestamp() * 1000)
    rand = randomness if randomness is not None else os.urandom(10)
    value = (millis << 80) | int.from_bytes(rand, "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_id(text: object) -> bool:
    return isinstance(text, str) and 1 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)
