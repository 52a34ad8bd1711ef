"""Readable differences between two versions of a review, for the audit trail."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

FIELDS = (
    ("verdict", "Verdict"),
    ("note", "Note"),
    ("corrected_answer", "Corrected answer"),
    ("approved", "Approved"),
    ("moderator", "By"),
    ("role", "Role"),
)


@dataclass(frozen=True)
class Piece:
    """A run of words: kept, removed or added."""

    text: str
    kind: str  # same | removed | added


@dataclass(frozen=True)
class Change:
    """One field that changed, as word pieces."""

    label: str
    pieces: list[Piece]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value).replace("_", " ")


def word_pieces(before: str, after: str) -> list[Piece]:
    """Return the word-level difference of two texts."""
    old, new = before.split(" "), after.split(" ")
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, a0, a1, b0, b1 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(Piece(" ".join(old[a0:a1]), "same"))
            continue
        if a1 > a0:
            pieces.append(Piece(" ".join(old[a0:a1]), "removed"))
        if b1 > b0:
            pieces.append(Piece(" ".join(new[b0:b1]), "added"))
    return [piece for piece in pieces if piece.text]


def review_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """Return the fields that differ between two review snapshots (all of `after` if new)."""
    before, after = before or {}, after or {}
    changes = []
    for key, label in FIELDS:
        old, new = _as_text(before.get(key)), _as_text(after.get(key))
        if old != new:
            changes.append(Change(label, word_pieces(old, new)))
    return changes
