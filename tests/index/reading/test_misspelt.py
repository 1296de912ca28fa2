"""Misspelt council names alone: corrections with their spans, asks, and what is never read."""

from __future__ import annotations

from index.reading.misspelt import find_misspelt
from ingest.authorities import default_registry


def test_a_clear_slip_is_a_correction_with_its_span():
    question = "care leavers in Worcestshire"
    found = find_misspelt(question, default_registry(), [])
    [(typed, authority, span)] = found.corrections
    assert (typed, authority.name, question[span[0]:span[1]]) == ("Worcestshire", "Worcestershire", "Worcestshire")
    assert found.asked == []


def test_two_close_councils_are_asked_about_not_corrected():
    found = find_misspelt("Herfordshire care leavers", default_registry(), [])
    assert found.corrections == [] and [typed for typed, _ in found.asked] == ["Herfordshire"]


def test_long_names_and_vowel_slips_each_once_and_spans_already_read_are_left():
    found = find_misspelt("kingston upon hul and bolten", default_registry(), [])
    assert [(t, a.name) for t, a, _ in found.corrections] == [("bolten", "Bolton"), ("kingston upon hul",
                                                                                   "Kingston upon Hull")]
    assert find_misspelt("bolten care leavers", default_registry(), [(0, 6)]).corrections == []


def test_english_words_are_never_read():
    found = find_misspelt("safegaurding thresholds and the square miles", default_registry(), [])
    assert found.corrections == [] and found.asked == []
