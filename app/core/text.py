"""Folding text for search: "Wiśniewska" is found by typing "Wisniewska", "Zoë" by "zoe"."""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into a base letter and a mark under NFKD.
EXTRA = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """Lower case, accents and marks removed, spaces squeezed: the form names are stored and
    searched in, so a search works alike on SQLite and PostgreSQL without collations."""
    text = unicodedata.normalize("NFKD", (text or "").translate(EXTRA))
    plain = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("ß", "ss").split())
