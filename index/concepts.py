"""The sector's concept vocabulary (corpus/concepts.csv): the everyday ways people name a concept of
children's social care, and the terms the reports use for it.

A question names a concept when it holds one of its terms as a whole phrase (words stemmed, so
"foster carers quitting" names what "foster carer quit" names). A short or common term ("contact",
"police") counts only when the question also holds one of the concept's context words: loose
matching made such terms fire on questions about something else. The search does not rewrite the
question with a concept's terms (appended terms diluted it); the learned ranking stage weighs whether
a passage holds a sector term of a concept the question names, and the answer says which concepts
were read.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.tokenize import holds_phrase, stem, stems, words

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "corpus" / "concepts.csv"
_SEPARATOR = "|"


class ConceptFileError(ValueError):
    """A concepts file that cannot be read; the message names the file, line and problem."""


@dataclass(frozen=True)
class Concept:
    """One concept: its name, the reports' terms, and the phrases that name it in a question."""

    id: str
    name: str
    sector_terms: tuple[str, ...]
    everyday_terms: tuple[str, ...]
    ambiguous: frozenset[str]  # terms that count only beside a context word
    context: frozenset[str]  # stemmed context words
    source: str


def _phrase(term: str) -> tuple[str, ...]:
    return tuple(stems(words(term)))


def _split(cell: str | None) -> list[str]:
    return [t.strip() for t in (cell or "").split(_SEPARATOR) if t.strip()]


class ConceptVocabulary:
    """The concepts, indexed by the first stemmed word of each of their terms."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self._by_first: dict[str, list[tuple[tuple[str, ...], Concept, bool]]] = {}
        for concept in concepts:
            ambiguous = {_phrase(t) for t in concept.ambiguous}
            for term in (*concept.sector_terms, *concept.everyday_terms):
                phrase = _phrase(term)
                if phrase:
                    self._by_first.setdefault(phrase[0], []).append((phrase, concept, phrase in ambiguous))
        self._sector = {c.id: [_phrase(t) for t in c.sector_terms if _phrase(t)] for c in concepts}

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> ConceptVocabulary:
        """Read a concepts CSV (columns id, concept, sector_terms, everyday_terms, ambiguous_terms,
        context_words, source; terms separated by "|").

        Raises:
            ConceptFileError: a missing column, or a concept without an id or sector terms.
            OSError: the file cannot be read.
        """
        needed = {"id", "concept", "sector_terms", "everyday_terms", "ambiguous_terms", "context_words", "source"}
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = needed - set(reader.fieldnames or ())
            if missing:
                raise ConceptFileError(f"{path}: missing columns {', '.join(sorted(missing))}")
            concepts = []
            for line, row in enumerate(reader, start=2):
                if not (row["id"] or "").strip() or not _split(row["sector_terms"]):
                    raise ConceptFileError(f"{path}, line {line}: a concept needs an id and sector terms")
                concepts.append(Concept(
                    id=row["id"].strip(), name=(row["concept"] or row["id"]).strip(),
                    sector_terms=tuple(_split(row["sector_terms"])),
                    everyday_terms=tuple(_split(row["everyday_terms"])),
                    ambiguous=frozenset(_split(row["ambiguous_terms"])),
                    context=frozenset(stem(w) for t in _split(row["context_words"]) for w in words(t)),
                    source=(row["source"] or "").strip(),
                ))
        return cls(concepts)

    def named_in(self, question: str) -> list[Concept]:
        """The concepts a question names, in the order they first occur in it."""
        tokens = stems(words(question))
        present = set(tokens)
        found: dict[str, Concept] = {}
        for i, token in enumerate(tokens):
            for phrase, concept, ambiguous in self._by_first.get(token, ()):
                if concept.id in found or tuple(tokens[i:i + len(phrase)]) != phrase:
                    continue
                if ambiguous and not (concept.context & (present - set(phrase))):
                    continue
                found[concept.id] = concept
        return list(found.values())

    def sector_terms_in(self, concepts: list[Concept], passage_tokens: Sequence[str]) -> int:
        """How many of these concepts' sector terms a passage holds (its stemmed words given)."""
        present = set(passage_tokens)
        count = 0
        for concept in concepts:
            for phrase in self._sector[concept.id]:
                if phrase[0] not in present:
                    continue
                if len(phrase) == 1 or holds_phrase(passage_tokens, phrase):
                    count += 1
        return count


@lru_cache(maxsize=4)
def default_vocabulary(path: str | None = None) -> ConceptVocabulary:
    """The vocabulary shipped in corpus/concepts.csv, read once."""
    return ConceptVocabulary.load(path or DEFAULT_PATH)
