"""Regular expressions compiled at their first use, not at import.

Question reading holds some 120 patterns; a question uses about half of them, and compiling them all
at import was most of the reading modules' import time, which every cold `ofsted-qa ask` pays.
"""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """Behaves as `re.compile(pattern, flags)` (search, match, finditer, sub, ...), compiled when first used.

    `pattern` and `flags` are the arguments as given. Two threads using it first at once may both
    compile it: the same pattern either way.
    """

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet).

        Raises:
            re.error: the pattern is not a valid regular expression.
        """
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


def lazy_re(pattern: str, flags: int = 0) -> LazyPattern:
    """A pattern compiled at its first use (see LazyPattern)."""
    return LazyPattern(pattern, flags)
