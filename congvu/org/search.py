"""Accent- and case-insensitive search keys for Vietnamese names ("Đức" is found by "duc")."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, without diacritics (đ → d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
