"""Same input, same schedule (ARCHITECTURE D2): every random draw comes from an RNG seeded from a key.

The key names what the stream is for — v5: creator, week, revision; v4: "v4", creator, week,
purpose — so two plans of the same week never share draws, and a rerun repeats them exactly.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date


def seeded_rng(*key: str | int | date) -> random.Random:
    """An RNG fixed by `key`: its parts (dates in ISO form) joined by "|", SHA-256, first 8 bytes."""
    text = "|".join(part.isoformat() if isinstance(part, date) else str(part) for part in key)
    digest = hashlib.sha256(text.encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
