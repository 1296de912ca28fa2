"""Topic words as typed, read as the corpus words they most likely meant ("safegaurding": safeguarding).

A misspelt word finds nothing lexically, and its embedding sits among words that share its letters,
not its meaning. So a question word that neither the reports nor an English word list hold is looked
up, with SymSpell (symspellpy), among the corpus vocabulary (the thesaurus's words: every lower-case
word of at least thesaurus.MIN_PASSAGES passages, with its passage count), and the closest one, the
most common among equally close ones, is searched beside it.

Never corrected: a word the reports use (the lexical index holds its stem in at least MIN_PASSAGES
passages: this also keeps names typed in lower case, "hackney"), a word of the English list (symspellpy's frequency
dictionary, shipped with the package, so the same offline and in CI: "kids" is a word even where the
reports never write it), a capitalised word inside a sentence (a name), an acronym or any word with a
capital after its first letter, a number or a word with digits, and a word of MIN_LENGTH - 1 letters
or fewer. The edit distance allowed was chosen on the dev half of eval/spelling.jsonl.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Indel
from symspellpy import SymSpell, Verbosity

from index.thesaurus import MIN_PASSAGES, stem

MIN_LENGTH = 4  # a word of 3 letters or fewer is too short to tell a slip from another word
SHORT = 5  # a word of up to this many letters may differ from its correction by one edit only...
MAX_DISTANCE = 2  # ...a longer one by two (Damerau-OSA: a swapped pair of letters is one edit)
PREFIX_LENGTH = 7  # SymSpell's indexed prefix: its default; exact for distances below it
ENGLISH_FILE = "frequency_dictionary_en_82_765.txt"  # symspellpy's English words with their counts

# A word of the question, with what stands before it (to tell a sentence's first word from a name).
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_SENTENCE_END = (".", "!", "?", "\n")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Correction:
    """A typed word and the corpus word it was read as."""

    typed: str  # as it stands in the question, lower-cased
    corrected: str

    @property
    def label(self) -> str:
        """The chip's words: "safegaurding read as safeguarding"."""
        return f"{self.typed} read as {self.corrected}"


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English words of symspellpy's frequency dictionary (82,765 words from Google Books counts,
    checked against SCOWL), read once per process."""
    text = resources.files("symspellpy").joinpath(ENGLISH_FILE).read_text(encoding="utf-8")
    return frozenset(text.split()[::2])  # "word count" a line: every other token is a word (C, not a loop)


def correctable_words(text: str) -> list[str]:
    """The words of a question that may be corrected, lower-cased, each once, in order.

    Left out: numbers and words with digits or apostrophes, words shorter than MIN_LENGTH, acronyms
    and words with a capital after the first letter ("MASH", "SGOs", "McDonald"), and a capitalised
    word anywhere but at the start of a sentence (a name: "Arthur", "Hackney")."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if not token.isalpha() or len(token) < MIN_LENGTH or any(c.isupper() for c in token[1:]):
            continue
        if token[0].isupper():
            before = text[: match.start()].rstrip()
            if before and not before.endswith(_SENTENCE_END):
                continue
        word = token.lower()
        if word not in out:
            out.append(word)
    return out


class SpellingCorrector:
    """Reads misspelt question words as corpus words (see the module's docstring).

    Args:
        vocabulary: the corpus words a word may be corrected to, with their passage counts.
        indexed: passages the lexical index finds for a (lower-case) word (its stem, as FTS5 stems
            it). A word in at least MIN_PASSAGES whose stem no vocabulary word has is a name the
            reports print capitalised ("hackney"), never corrected; a vocabulary word found in none
            is a fragment of a capitalised word, never a correction. By default, a word's count in
            `vocabulary`.
        english: correctly spelt words never corrected; by default `english_words()`.
    """

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        indexed: Callable[[str], int] | None = None,
        english: frozenset[str] | None = None,
    ) -> None:
        self.vocabulary = dict(vocabulary)
        self._indexed = indexed or (lambda word: self.vocabulary.get(word, 0))
        self._english = english
        self._symspell: SymSpell | None = None
        self._stems: set[str] = set()
        self._cache: dict[str, str | None] = {}

    @property
    def english(self) -> frozenset[str]:
        """The correctly spelt English words (`english_words()` unless the caller gave others)."""
        if self._english is None:
            self._english = english_words()
        return self._english

    def symspell(self) -> SymSpell:
        """The SymSpell dictionary of the vocabulary's whole words, built on first need (the full
        index's 7,000 whole words: 0.2 s and 11 MB), and the vocabulary's stems."""
        if self._symspell is None:
            symspell = SymSpell(max_dictionary_edit_distance=MAX_DISTANCE, prefix_length=PREFIX_LENGTH)
            for word, count in self.vocabulary.items():
                if not self.is_fragment(word):
                    symspell.create_dictionary_entry(word, count)
            self._stems = {stem(w) for w in self.vocabulary}  # for is_name: 0.2 s for 8,700 words
            self._symspell = symspell
        return self._symspell

    def is_fragment(self, word: str) -> bool:
        """Whether a vocabulary word is the tail of a capitalised word rather than a word: indexes built
        before the thesaurus read whole words only hold "lements" (of "Elements"), "etting",
        "afeguarding". Told by a letter before it making a word, when it is no English word itself."""
        if word in self.english:
            return False
        return any(c + word in self.vocabulary or c + word in self.english for c in _LETTERS)

    def is_whole_word(self, word: str) -> bool:
        """Whether a vocabulary word is a word the reports write, not a fragment of a capitalised one."""
        return not self.is_fragment(word) and self._indexed(word) > 0

    def is_correct(self, word: str) -> bool:
        """Whether a lower-case word is correctly spelt for certain: an English or a vocabulary word."""
        return word in self.english or word in self.vocabulary

    def is_name(self, word: str) -> bool:
        """Whether a lower-case word the vocabulary lacks is a name the reports print capitalised: the
        lexical index finds it in MIN_PASSAGES passages, yet no vocabulary word shares its stem."""
        if self._indexed(word) < MIN_PASSAGES:
            return False
        self.symspell()  # with the vocabulary's stems
        return stem(word) not in self._stems

    def correct_word(self, word: str) -> str | None:
        """The corpus word a lower-case word most likely meant, or None (it is fine as it is, or
        nothing in the vocabulary is close enough).

        A word the lexical index finds in MIN_PASSAGES passages though the vocabulary lacks it is a
        name the reports print capitalised ("hackney"), and never corrected, unless a vocabulary
        word shares its stem: then it is a misspelling found through that stem ("persistant", found
        as "persist")."""
        if word in self._cache:
            return self._cache[word]
        found = None
        if len(word) >= MIN_LENGTH and word.isalpha() and not self.is_correct(word) and not self.is_name(word):
            distance = 1 if len(word) <= SHORT else MAX_DISTANCE
            closest: list = []
            for suggestion in self.symspell().lookup(word, Verbosity.ALL, max_edit_distance=distance):
                if closest and suggestion.distance > closest[0].distance:
                    break
                if suggestion.term != word and self._indexed(suggestion.term) > 0:  # not a name's fragment
                    closest.append(suggestion)
            # Of the closest, the one reached by adding or dropping letters rather than changing them
            # (a slip of the keys drops or doubles a letter more often than it swaps one for another),
            # then the most common.
            if closest:
                found = min(closest, key=lambda s: (Indel.distance(word, s.term), -s.count)).term
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[word] = found
        return found

    def corrections(self, text: str) -> list[Correction]:
        """Each misspelt word of a question (`correctable_words`) with its correction, in order."""
        out = []
        for word in correctable_words(text):
            corrected = self.correct_word(word)
            if corrected is not None:
                out.append(Correction(word, corrected))
        return out


def apply_corrections(text: str, corrections: list[Correction]) -> str:
    """The text with each corrected word (in any case) replaced by its correction, as whole words."""
    if not corrections:
        return text
    wanted = {c.typed: c.corrected for c in corrections}
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, wanted)) + r")(?![A-Za-z0-9])", re.IGNORECASE)
    return pattern.sub(lambda m: wanted[m.group(0).lower()], text)
