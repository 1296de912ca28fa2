"""Ingest's progress on output that is not a terminal: a line now and then, with counts and the time left."""

from __future__ import annotations

import io

from index.progress import BarProgress, LineProgress, NoProgress, progress_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_per_report_when_reports_are_slow_with_the_time_left_in_pages():
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.start(3, pages=60)
    clock.now += 1.0
    progress.reading("a.pdf", 10)  # said at once: the first report's embedding takes a while
    progress.reading("b.pdf", 40)  # said once only
    for name, pages in (("a.pdf", 10), ("b.pdf", 40), ("c.pdf", 10)):
        clock.now += pages  # a second a page
        progress.advance([name], pages)
    assert out.getvalue().splitlines() == [
        "ingest: 3 report(s) to read, 60 pages",
        "ingest: reading a.pdf (10 pages) and embedding its passages; the first report takes longest",
        # After the small first report, the time left is for the 50 pages left, not for two more reports.
        "ingest: 1/3 reports, 10/60 pages (17%), 11 s so far, about 55 s left (last: a.pdf)",
        "ingest: 2/3 reports, 50/60 pages (83%), 51 s so far, about 10 s left (last: b.pdf)",
        "ingest: 3/3 reports, 60/60 pages (100%), 1 min 1 s so far, done (last: c.pdf)",
    ]


def test_fast_reports_give_a_line_every_few_seconds_and_always_the_first_and_last():
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.start(400, pages=4000)
    for i in range(0, 400, 4):  # stored four at a time, as batches are
        clock.now += 2.0
        progress.advance([f"{i + j}.pdf" for j in range(4)], 40)
    lines = out.getvalue().splitlines()
    assert lines[1] == "ingest: 4/400 reports, 40/4000 pages (1%), 2 s so far, about 3 min 18 s left (last: 3.pdf)"
    assert len(lines) == 2 + 200 // 6  # then a line each 5 s (each third batch), the last among them
    assert lines[-1].startswith("ingest: 400/400 reports, 4000/4000 pages (100%), 3 min 20 s so far, done")


def test_without_page_counts_the_time_left_is_in_reports():
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, every=5.0, clock=clock)
    progress.start(2)
    clock.now += 10.0
    progress.advance(["a.pdf"], 0)
    assert out.getvalue().splitlines() == ["ingest: 2 report(s) to read",
                                           "ingest: 1/2 reports (50%), 10 s so far, about 10 s left (last: a.pdf)"]


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
