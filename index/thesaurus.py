"""The reports' own words for a user's word: a thesaurus mined from the corpus by meaning.

Users write "grieving", "abroad", "bruises"; reports write "bereavement", "overseas", "bruising".
A word of the question that few passages hold is looked up among the corpus's vocabulary (every
word in at least MIN_PASSAGES passages, embedded once by the index's own model, stored in the
index) and its nearest words by cosine are searched too. Nothing here is hand-written: the
vocabulary and its neighbours come from the indexed reports, so the thesaurus follows the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from snowballstemmer import stemmer

MIN_PASSAGES = 3  # a word in fewer passages is noise (names, typing slips) and finds almost nothing
# Which question words are bridged, and how close a neighbour must be: SearchSettings.thesaurus_rare
# (chosen on the dev questions) and .thesaurus_similarity (chosen on labelled pairs for a precision of
# 0.8: eval/thesaurus_pairs.py), in index/settings.py.
PER_WORD = 2
MAX_SHARE = 0.05  # a neighbour in more than this share of passages says little (in a large index)
# A word with a negating prefix added or taken away is its opposite, however close their embeddings
# ("illegal": legal; "unsafe": safe).
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "mis")

# Whole lower-case words: the lexical index splits words at apostrophes, hyphens and digits, so a
# vocabulary word is always one of its terms; a capitalised word is skipped whole, not read from its
# second letter ("Elements" once gave "lements").
_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")
_porter = stemmer("porter")


@lru_cache(maxsize=262_144)  # pure-Python Snowball: ~50 us a word, and the same words recur
def stem(word: str) -> str:
    """The Porter stem of a lower-case word, as the lexical index (FTS5's porter tokenizer) stores it."""
    return _porter.stemWord(word)


def passage_words(text: str) -> set[str]:
    """The distinct words a passage writes in lower case: names of people and places (and acronyms,
    which the glossary bridges) are printed capitalised, so they never become anyone's synonym."""
    return set(_WORD.findall(text))


def vocabulary(texts: Iterable[str], min_passages: int = MIN_PASSAGES) -> dict[str, int]:
    """Each word held by at least `min_passages` of these passages, with how many hold it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(passage_words(text))
    return {w: n for w, n in counts.items() if n >= min_passages and len(w) >= 3}


def opposite(word: str, other: str) -> bool:
    """Whether one word is the other with a negating prefix (NEGATING_PREFIXES): "legal", "illegal"."""
    return any(word == p + other or other == p + word for p in NEGATING_PREFIXES)


def proposes(word: str, neighbour: str, similarity: float, min_similarity: float) -> bool:
    """Whether the thesaurus offers `neighbour` for `word` at this cosine: close enough and not its
    opposite (the rule eval/thesaurus_pairs.py scores against labelled pairs)."""
    return similarity >= min_similarity and not opposite(word, neighbour)


@dataclass(frozen=True)
class Related:
    """A question word and the corpus words searched with it."""

    word: str
    neighbours: tuple[str, ...]


class Thesaurus:
    """The corpus vocabulary with unit-length embeddings, searched by cosine."""

    def __init__(self, words: list[str], passages: np.ndarray, vectors: np.ndarray, n_passages: int) -> None:
        self.words = words
        self.passages = np.asarray(passages, dtype=np.int64)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else np.ones((0, 1))
        self.vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        self.n_passages = n_passages
        self._index = {w: i for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.words)

    def counts(self) -> dict[str, int]:
        """{word: passages holding it} of the whole vocabulary."""
        return dict(zip(self.words, self.passages.tolist(), strict=True))

    def passages_with(self, word: str) -> int:
        """Passages holding this exact word (0 when it is not in the vocabulary)."""
        i = self._index.get(word)
        return int(self.passages[i]) if i is not None else 0

    def vector_of(self, word: str) -> np.ndarray | None:
        """The stored (unit) embedding of a vocabulary word, or None."""
        i = self._index.get(word)
        return self.vectors[i] if i is not None else None

    def related(
        self,
        words: list[str],
        word_vectors: np.ndarray,
        min_similarity: float,
        per_word: int = PER_WORD,
        keep: Callable[[str], bool] | None = None,
    ) -> list[Related]:
        """For each word (with its embedding), the nearest vocabulary words that `proposes` allows,
        that are not merely its own inflections (the lexical index stems those already), not in too
        many passages, and that `keep` keeps (the corpus view keeps whole words, not the fragments
        of capitalised words an older index holds: index/spelling.py)."""
        if not len(self.words) or not words:
            return []
        q = np.asarray(word_vectors, dtype=np.float32)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        sims = q @ self.vectors.T
        common = max(MAX_SHARE * self.n_passages, 50)
        out = []
        for word, row in zip(words, sims, strict=True):
            own = stem(word)
            picked: list[str] = []
            head = min(8 * per_word, len(row))
            nearest = np.argpartition(-row, head - 1)[:head]
            for i in nearest[np.argsort(-row[nearest])]:
                if row[i] < min_similarity or len(picked) == per_word:
                    break
                candidate = self.words[i]
                # Three-letter words are mostly fragments and parts ("ear" for "deaf").
                if len(candidate) < 4 or stem(candidate) == own or self.passages[i] > common:
                    continue
                if not proposes(word, candidate, float(row[i]), min_similarity):
                    continue
                if keep is not None and not keep(candidate):
                    continue
                if any(stem(candidate) == stem(p) for p in picked):
                    continue
                picked.append(candidate)
            if picked:
                out.append(Related(word, tuple(picked)))
        return out
