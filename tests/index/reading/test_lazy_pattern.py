"""Patterns compiled at their first use behave as compiled ones."""

from __future__ import annotations

import re

import pytest

from index import query
from index.reading import grades, periods, places
from index.reading.lazy_pattern import LazyPattern, lazy_re


def test_it_compiles_at_first_use_and_behaves_as_the_compiled_pattern() -> None:
    pattern = lazy_re(r"\b(?P<grade>good|inadequate)\b", re.I)
    assert pattern._compiled is None  # nothing compiled yet
    text = "Judged Good in 2019, inadequate before"
    assert [m.group("grade") for m in pattern.finditer(text)] == ["Good", "inadequate"]
    assert pattern.sub("X", text) == re.sub(r"\b(?:good|inadequate)\b", "X", text, flags=re.I)
    assert pattern.compiled() is pattern.compiled() and pattern.groupindex == {"grade": 1}
    assert pattern.search(text).re is pattern.compiled()


def test_a_bad_pattern_fails_when_first_used() -> None:
    pattern = lazy_re(r"(unclosed")
    with pytest.raises(re.error):
        pattern.search("text")


def _lazy_in(value: object) -> list[LazyPattern]:
    if isinstance(value, LazyPattern):
        return [value]
    if isinstance(value, (list, tuple)):
        return [p for item in value for p in _lazy_in(item)]
    return []


@pytest.mark.parametrize("module", [grades, periods, places, query], ids=lambda m: m.__name__)
def test_the_reading_modules_patterns_are_lazy_and_all_compile(module) -> None:
    lazy = [p for value in vars(module).values() for p in _lazy_in(value)]
    assert lazy
    for pattern in lazy:
        assert isinstance(pattern.compiled(), re.Pattern)
