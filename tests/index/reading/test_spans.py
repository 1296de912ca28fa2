"""Spans already read, blanked so that positions stay."""

from __future__ import annotations

from index.reading.spans import blanked


def test_blanked_keeps_positions():
    text = "the 2020 Northumberland report"
    out = blanked(text, [(9, 23)])
    assert len(out) == len(text) and out == "the 2020" + " " * 16 + "report"
    assert blanked(text, []) == text
