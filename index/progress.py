"""How a long ingest shows its progress: a tqdm bar on a terminal; elsewhere (make, CI, a log file), a
line now and then with the reports and pages done, the total and the time left, so a long run is never
silent. The time left is reckoned from pages, not files: a 60-page report takes ten times a 6-page one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol, TextIO

LINE_EVERY_SECONDS = 5.0  # at most one line this often: a line a file for slow files, fewer for fast ones


class Progress(Protocol):
    """What ingest tells about its progress: the reports and pages to read, each report read (about to be
    embedded), each batch of reports stored, and a closing word."""

    def start(self, total: int, pages: int = 0) -> None: ...

    def reading(self, name: str, pages: int) -> None: ...

    def advance(self, names: Sequence[str], pages: int) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """Says nothing."""

    def start(self, total: int, pages: int = 0) -> None:
        pass

    def reading(self, name: str, pages: int) -> None:
        pass

    def advance(self, names: Sequence[str], pages: int) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar of pages on stderr, with the report being read; for a terminal."""

    def __init__(self, desc: str = "ingest") -> None:
        self.desc = desc
        self._bar = None

    def start(self, total: int, pages: int = 0) -> None:
        from tqdm import tqdm

        # Pages when they are known: the bar's time left then follows the work, not the file count.
        self._bar = tqdm(total=pages or total, unit="page" if pages else "file", desc=self.desc,
                         disable=not total, dynamic_ncols=True)
        self._by_pages = bool(pages)

    def reading(self, name: str, pages: int) -> None:
        self._bar.set_postfix_str(name[-40:])

    def advance(self, names: Sequence[str], pages: int) -> None:
        self._bar.update(pages if self._by_pages else len(names))

    def note(self, text: str) -> None:
        pass  # the bar says enough on a terminal

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class LineProgress:
    """Lines for output that is not a terminal: the reports and pages to read; the first report being read
    at once (embedding the first batch takes a while); then at most one line every `every` seconds (and
    always the last) with the reports and pages stored, the time so far and the time left at the rate
    so far, in pages."""

    def __init__(self, stream: TextIO, every: float = LINE_EVERY_SECONDS, desc: str = "ingest",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.every = every
        self.desc = desc
        self.clock = clock
        self.total = self.done = self.pages = self.pages_done = 0
        self._started = self._last = 0.0
        self._said_reading = False

    def start(self, total: int, pages: int = 0) -> None:
        self.total, self.pages, self.done, self.pages_done = total, pages, 0, 0
        self._started = self._last = self.clock()
        self._said_reading = False
        if total:
            self._say(f"{total} report(s) to read" + (f", {pages} pages" if pages else ""))

    def reading(self, name: str, pages: int) -> None:
        if self._said_reading:
            return
        self._said_reading = True
        self._last = self.clock()
        self._say(f"reading {name} ({pages} pages) and embedding its passages; the first report takes longest")

    def advance(self, names: Sequence[str], pages: int) -> None:
        self.done += len(names)
        self.pages_done += pages
        now = self.clock()
        # The first stored batch always says so: its line gives the first time left.
        if now - self._last < self.every and self.done < self.total and self.done > len(names):
            return
        self._last = now
        elapsed = now - self._started
        if self.done >= self.total:
            eta = "done"
        elif self.pages and self.pages_done:
            eta = f"about {_duration(elapsed / self.pages_done * max(self.pages - self.pages_done, 0))} left"
        else:
            eta = f"about {_duration(elapsed / self.done * (self.total - self.done))} left"
        pages_part = f", {self.pages_done}/{self.pages} pages" if self.pages else ""
        share = self.pages_done / self.pages if self.pages else self.done / max(self.total, 1)
        self._say(f"{self.done}/{self.total} reports{pages_part} ({min(share, 1):.0%}), {_duration(elapsed)} so far, "
                  f"{eta} (last: {names[-1] if names else '-'})")

    def note(self, text: str) -> None:
        self._say(text)

    def close(self) -> None:
        pass

    def _say(self, text: str) -> None:
        print(f"{self.desc}: {text}", file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    """'42 s', '3 min 5 s', '2 h 10 min'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def progress_for(progress: bool | Progress) -> Progress:
    """True: a bar; False: nothing; a Progress: itself."""
    if progress is True:
        return BarProgress()
    if progress is False:
        return NoProgress()
    return progress
