"""How a long ingest shows its progress: a tqdm bar on a terminal; elsewhere (make, CI, a log file), a
line now and then with the files done, the total and the time left, so a long run is never silent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TextIO

LINE_EVERY_SECONDS = 5.0  # at most one line this often: a line a file for slow files, fewer for fast ones


class Progress(Protocol):
    """What ingest tells about its progress: the files to read, each one done, and a closing word."""

    def start(self, total: int) -> None: ...

    def advance(self, name: str) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """Says nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, name: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar on stderr, with the file being read; for a terminal."""

    def __init__(self, desc: str = "ingest") -> None:
        self.desc = desc
        self._bar = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="file", desc=self.desc, disable=not total, dynamic_ncols=True)

    def advance(self, name: str) -> None:
        self._bar.set_postfix_str(name[-40:], refresh=False)
        self._bar.update(1)

    def note(self, text: str) -> None:
        pass  # the bar says enough on a terminal

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class LineProgress:
    """A line per file, but at most one every `every` seconds (and always the last), each with the
    files done of the total, the time so far and the time left at the rate so far."""

    def __init__(self, stream: TextIO, every: float = LINE_EVERY_SECONDS, desc: str = "ingest",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.every = every
        self.desc = desc
        self.clock = clock
        self.total = self.done = 0
        self._started = self._last = 0.0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._started = self._last = self.clock()
        if total:
            self._say(f"{total} file(s) to read")

    def advance(self, name: str) -> None:
        self.done += 1
        now = self.clock()
        if now - self._last < self.every and self.done < self.total:
            return
        self._last = now
        elapsed = now - self._started
        left = elapsed / self.done * (self.total - self.done)
        eta = "done" if self.done >= self.total else f"about {_duration(left)} left"
        self._say(f"{self.done}/{self.total} files ({self.done / max(self.total, 1):.0%}), "
                  f"{_duration(elapsed)} so far, {eta} (last: {name})")

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
