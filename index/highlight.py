"""Pick the sentence(s) of a passage that best answer the query, as character spans to highlight.

Sentences are scored by the query terms they contain, each weighted by its rarity in the corpus
(IDF), with phrase terms (acronym expansions) counting as a whole. Cheap: no model call per query.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from index.glossary import GLOSSARY
from index.tokenize import PASSAGES_REMEMBERED, stem, stems, words

# A sentence ends at . ! or ? followed by space and a capital/digit/quote, or at a line break that
# starts a new numbered paragraph or bullet.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'\u2019\u201d)]?\s+(?=[\"'\u2018\u201c(]?[A-Z0-9])"
    r"|\n(?=\s*(?:\d+\.\s|[•\-–]\s))"
)

SENTENCE_END = _SENTENCE_END  # what ends a sentence, for modules that split passages the same way


# A "sentence" of fewer words is a label, not an answer: SIF reports end paragraphs with "(Recommendation)",
# which lit alone for a question about recommendations.
MIN_SENTENCE_WORDS = 3


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a passage, surrounding blanks left out."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=PASSAGES_REMEMBERED)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        _add_stripped(spans, text[start:match.start()], start)
        start = match.end()
    _add_stripped(spans, text[start:], start)
    return tuple(spans)


def _add_stripped(spans: list[tuple[int, int]], piece: str, start: int) -> None:
    """The piece's span without its surrounding blanks (str.strip's, so no loop over characters), if any is left."""
    kept = piece.strip()
    if kept:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(kept)))


@lru_cache(maxsize=PASSAGES_REMEMBERED)
def _sentence_words(text: str) -> tuple[tuple[tuple[int, int], tuple[str, ...], str], ...]:
    """Per sentence of MIN_SENTENCE_WORDS words or more: its span, its stems, and them joined (spaces
    around, for finding phrases)."""
    out = []
    for start, end in _sentence_spans(text):
        sentence = _stems(text[start:end])
        if len(sentence) >= MIN_SENTENCE_WORDS:
            out.append(((start, end), tuple(sentence), " " + " ".join(sentence) + " "))
    return tuple(out)


def term_weights(terms: list[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    """IDF weight per query term; phrases weigh as their rarest word, plus a bonus for the phrase."""
    weights: dict[str, float] = {}
    for term in terms:
        parts = term.split()
        idfs = [math.log(1 + (n_docs + 1) / (doc_freq.get(p, 0) + 1)) for p in parts]
        weights[term] = max(idfs) * (1.5 if len(parts) > 1 else 1.0) if idfs else 0.0
    return weights


def _concepts(terms: list[str]) -> dict[str, str]:
    """Each term's concept: a glossary acronym and the phrases it stands for are one concept, so
    "child sexual exploitation (CSE)" does not outscore a sentence that has CSE and the topic."""
    concept = {term: term for term in terms}
    for term in terms:
        for phrase in GLOSSARY.get(term.upper(), ()):
            key = " ".join(words(phrase))
            if key in concept:
                concept[key] = term
    return concept


def _stems(text: str) -> list[str]:
    return stems(words(text))


@lru_cache(maxsize=256)  # one question's terms, for each of its results
def _searched_terms(terms: tuple[str, ...]) -> tuple[tuple[str, bool, str, str], ...]:
    """Per term: (term, one word?, what a sentence holds when it holds the term: the word's stem, or
    the phrase's stems spaced as in `joined`, its concept)."""
    concept = _concepts(list(terms))
    out = []
    for term in terms:
        parts = [stem(w) for w in term.split()]
        one_word = len(parts) == 1
        out.append((term, one_word, parts[0] if one_word else " " + " ".join(parts) + " ", concept[term]))
    return tuple(out)


def highlight_spans(text: str, weights: dict[str, float], max_sentences: int = 2) -> list[tuple[int, int]]:
    """Spans of the best sentence, and of a second one when it scores nearly as well (sentences of
    fewer than MIN_SENTENCE_WORDS words, labels such as "(Recommendation)", are never chosen)."""
    if not weights:
        return []
    searched = _searched_terms(tuple(weights))
    scored: list[tuple[float, int]] = []
    sentences = _sentence_words(text)
    for i, (_span, present, joined) in enumerate(sentences):
        best: dict[str, float] = {}  # per concept: an acronym and its expansions count once
        for term, one_word, found_as, concept in searched:
            if (found_as in present) if one_word else (found_as in joined):
                best[concept] = max(best.get(concept, 0.0), weights[term])
        scored.append((sum(best.values()), i))
    if not scored:
        return []
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    best_score = scored[0][0]
    if best_score <= 0:
        return []
    chosen = [scored[0][1]]
    for score, i in scored[1:max_sentences]:
        if score >= 0.75 * best_score:
            chosen.append(i)
    return [sentences[i][0] for i in sorted(chosen)]
