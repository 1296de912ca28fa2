"""Council names typed with a slip, read as the council and said as a correction ("Worcestshire",
"barking and dagenam", "kingston upon hul", "bolten"); two councils equally close are asked about,
never applied. Ordinary English words are never read as a misspelt council.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from index.spelling import english_words
from ingest.authorities import (
    DEFAULT_ABBREVIATIONS,
    FUZZY_MARGIN,
    FUZZY_TAKE,
    Authority,
    AuthorityRegistry,
    name_key,
)


@dataclass
class Misspelt:
    """Misspelt names found (`find_misspelt`)."""

    corrections: list[tuple[str, Authority, tuple[int, int]]] = field(default_factory=list)  # (as typed, read as, span)
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (as typed, "did you mean" names)


def find_misspelt(question: str, registry: AuthorityRegistry, taken: list[tuple[int, int]]) -> Misspelt:
    """Names typed with a slip, outside spans already read.

    Args:
        question: the question as typed.
        registry: the authorities and their names.
        taken: spans already read as something else (names spelt right, other places).

    Returns:
        Misspelt: the corrections (with their spans) and the names asked about.
    """
    found = Misspelt()
    taken = list(taken)
    english = english_words()  # ordinary English words are never read as a misspelt council
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(question)]

    def correct(typed: str, authority: Authority, span: tuple[int, int]) -> None:
        found.corrections.append((typed, authority, span))
        taken.append(span)

    for i, (word, start, end) in enumerate(tokens):
        plain = re.sub(r"['’]s?$", "", word)
        if len(plain) < 5 or plain.lower() in english or _overlaps((start, end), taken) \
                or registry.resolve(plain) is not None:
            continue
        # The word alone, or with its neighbours when the name has several words ("Barking and Dagenam").
        windows = [(i, i)]
        for lo, hi in ((i - 2, i), (i, i + 2), (i - 1, i), (i, i + 1)):
            if 0 <= lo and hi < len(tokens):
                windows.append((lo, hi))
        best: tuple[float, tuple[int, int], list[tuple[Authority, float]]] | None = None
        for lo, hi in windows:
            span = (tokens[lo][1], tokens[hi][2])
            if (lo, hi) != (i, i) and _overlaps(span, taken):
                continue
            typed = re.sub(r"['’]s?$", "", question[span[0]:span[1]])
            close = registry.fuzzy_matches(typed, n=2, cutoff=FUZZY_TAKE - FUZZY_MARGIN)
            if close and (best is None or close[0][1] > best[0]):
                best = (close[0][1], span, close)
        if best is None or best[0] < FUZZY_TAKE:
            # "bolten", "torbey": one vowel for another, which the similarity cut cannot take in short names
            vowel_slip = registry.one_vowel_off(plain)
            if vowel_slip is not None and not _overlaps((start, start + len(plain)), taken):
                correct(plain, vowel_slip, (start, start + len(plain)))
            continue
        _, span, close = best
        typed = re.sub(r"['’]s?$", "", question[span[0]:span[1]])
        if len(close) > 1 and close[0][1] - close[1][1] < FUZZY_MARGIN:
            found.asked.append((typed, tuple(a.name for a, _ in close)))
            continue
        correct(typed, close[0][0], span)
    for typed, authority, span in _misspelt_long_names(question, registry, tokens, taken):
        correct(typed, authority, span)
    return found


_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


# A name of several words misspelt in a word that is English or short ("kingston upon hul", "east ridding"):
# taken only when its first word is typed as it is and the whole is very close, so that English phrases
# ("square miles", "south end") are not read. Nicknames are left out for the same reason.
_LONG_NAME_TAKE = 90.0


@lru_cache(maxsize=1)
def _nicknames() -> frozenset[str]:
    with open(DEFAULT_ABBREVIATIONS, newline="", encoding="utf-8") as handle:
        return frozenset(row["name"].strip().lower() for row in csv.DictReader(handle) if row["kind"] == "nickname")


# The last registry's long names; the registry itself is held so that its id is not reused meanwhile.
_LONG_NAMES: dict[int, tuple[AuthorityRegistry, dict[str, list[tuple[int, str, Authority]]]]] = {}


def _long_names(registry: AuthorityRegistry) -> dict[str, list[tuple[int, str, Authority]]]:
    """Names of two words or more by their first word, for one registry."""
    if id(registry) in _LONG_NAMES:
        return _LONG_NAMES[id(registry)][1]
    nicknames = _nicknames()
    by_first: dict[str, list[tuple[int, str, Authority]]] = {}
    for authority in registry.authorities:
        for name in (authority.name, *authority.aliases):
            words = re.findall(r"[A-Za-z]+", name)
            if len(words) >= 2 and name.lower() not in nicknames and (len(words[0]) >= 3 or words[0].lower() == "st"):
                by_first.setdefault(words[0].lower(), []).append((len(words), name_key(name), authority))
    _LONG_NAMES.clear()  # one registry is in use at a time; a test's own replaces it
    _LONG_NAMES[id(registry)] = (registry, by_first)
    return by_first


def _misspelt_long_names(question: str, registry: AuthorityRegistry, tokens: list[tuple[str, int, int]],
                         taken: list[tuple[int, int]]) -> list[tuple[str, Authority, tuple[int, int]]]:
    from rapidfuzz import fuzz

    by_first = _long_names(registry)
    taken = list(taken)
    out = []
    for i, (word, start, _) in enumerate(tokens):
        names = by_first.get(word.lower())
        if not names or _overlaps((start, start + 1), taken):
            continue
        best: tuple[float, tuple[int, int], Authority] | None = None
        for words, key, authority in names:
            for size in {words - 1, words, words + 1} - {0, 1}:
                if i + size > len(tokens):
                    continue
                span = (start, tokens[i + size - 1][2])
                typed = re.sub(r"['’]s?$", "", question[span[0]:span[1]])
                score = fuzz.ratio(name_key(typed), key)
                if score >= _LONG_NAME_TAKE and score < 100 and (best is None or score > best[0]):
                    best = (score, span, authority)
        if best is not None and not _overlaps(best[1], taken):
            out.append((re.sub(r"['’]s?$", "", question[best[1][0]:best[1][1]]), best[2], best[1]))
            taken.append(best[1])
    return out
