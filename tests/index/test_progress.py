"""Ingest's progress on output that is not a terminal: a line now and then, with counts and the time left."""

from __future__ import annotations

import io

from index.progress import BarProgress, LineProgress, NoProgress, progress_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_per_file_when_files_are_slow_with_counts_and_time_left():
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.start(3)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        clock.now += 10.0
        progress.advance(name)
    assert out.getvalue().splitlines() == [
        "ingest: 3 file(s) to read",
        "ingest: 1/3 files (33%), 10 s so far, about 20 s left (last: a.pdf)",
        "ingest: 2/3 files (67%), 20 s so far, about 10 s left (last: b.pdf)",
        "ingest: 3/3 files (100%), 30 s so far, done (last: c.pdf)",
    ]


def test_fast_files_give_a_line_every_few_seconds_and_always_the_last():
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.start(400)
    for i in range(400):
        clock.now += 0.5
        progress.advance(f"{i}.pdf")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + 400 * 0.5 / 5.0  # the start, then one line each 5 s (the last among them)
    assert lines[1].startswith("ingest: 10/400 files (2%), 5 s so far, about 3 min 15 s left")
    assert lines[-1].startswith("ingest: 400/400 files (100%), 3 min 20 s so far, done")


def test_nothing_to_read_says_nothing_and_notes_are_lines():
    out = io.StringIO()
    progress = LineProgress(out)
    progress.start(0)
    assert out.getvalue() == ""
    progress.note("embedding the thesaurus")
    assert out.getvalue() == "ingest: embedding the thesaurus\n"


def test_true_is_a_bar_false_is_silence_and_a_reporter_is_itself():
    line = LineProgress(io.StringIO())
    assert isinstance(progress_for(True), BarProgress)
    assert isinstance(progress_for(False), NoProgress)
    assert progress_for(line) is line
