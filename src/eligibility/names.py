"""Name comparison as the policy defines it.

Registrations, letters and identity documents spell the same party differently ("Midnight Owls,
LLC" and "MIDNIGHT OWLS LLC"), so names are compared after Unicode NFKC, case folding, dropping
punctuation and collapsing spaces.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    kept = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())

