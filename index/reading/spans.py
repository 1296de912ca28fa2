"""Spans of a question already read, as the reading modules share them."""

from __future__ import annotations


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans turned to spaces, so positions stay those of the original: later
    patterns then see what is left unread ("the 2020 Northumberland report": the council's name is no
    document's name)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
