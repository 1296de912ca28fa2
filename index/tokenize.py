"""Words of a query or passage: for the FTS5 match expression and for sentence highlighting.

User text never reaches FTS5 as syntax: every term is quoted, so quotes, AND/OR/NEAR, `*`, `^`,
parentheses and column filters in a query are just words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from index.glossary import expansions, reverse_acronyms

MAX_QUERY_CHARS = 2000  # a pasted page is cut here; the first part says what the user means
MAX_TERMS = 48

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
WORD = _WORD  # a word of lower-cased text, for modules that read words at positions (index/passage_words.py)

# Words that carry no topic in this corpus's questions: function words, question words and the
# genre's own vocabulary ("inspectors said", "report").
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can could did do does doing done down during each else ever few for
    from further had has have having he her here hers herself him himself his how however i if in into
    is isn't it it's its itself just let's like make many may me might more most much must my myself no
    nor not now of off on once one only or other our ours ourselves out over own per please quite rather
    really same say says said she should so some such tell than that that's the their theirs them
    themselves then there these they this those through to too under until up upon us very was wasn't
    we were what what's when where which while who whom why will with within without would you your
    yours yourself yourselves
    inspector inspectors inspection inspections ofsted report reports reported find found findings
    show shows showed look looks looked see seen describe described mention mentioned judge judged
    give given anything something whether regarding re vs versus etc eg ie
    """.split()
)


def clean_query(query: str) -> str:
    """Control characters out, whitespace collapsed, length capped."""
    query = "".join(ch if ch.isprintable() else " " for ch in query)
    query = " ".join(query.split())
    return query[:MAX_QUERY_CHARS]


def words(text: str) -> list[str]:
    """Lowercase word tokens (letters and digits), curly apostrophes unified."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


# The light stemmer's rules, first match wins, when at least 3 letters remain (saved passage words
# record them: index/passage_words.py).
STEM_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ness", ""), ("ments", "ment"), ("ing", ""), ("edly", ""),
                 ("ed", ""), ("es", "e"), ("s", ""))


def _stem_of(word: str) -> str:
    for suffix, repl in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


STEMS_REMEMBERED = 65536


class _Stems(dict):
    """Stems remembered in a plain dict, the one memory of `stem` and `stems`: a word seen before costs
    one lookup in C (a passage read afresh has a hundred or more), and every remembered passage holds
    the same string objects."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEMS_REMEMBERED:  # a long-running server must not grow without bound
            self.clear()
        value = self[word] = _stem_of(word)
        return value


_STEMS = _Stems()


def stem(word: str) -> str:
    """A light suffix stripper, enough to match 'assessments' with 'assessment' when highlighting."""
    return _STEMS[word]


def stems(tokens: Sequence[str]) -> list[str]:
    """`stem` of each token, in order."""
    return list(map(_STEMS.__getitem__, tokens))


# Per passage text, remembered: the same passages come back as candidates of question after question.
PASSAGES_REMEMBERED = 4096


@lru_cache(maxsize=PASSAGES_REMEMBERED)
def text_stems(text: str) -> tuple[str, ...]:
    """The text's words, each stemmed (`stem`), in order."""
    return tuple(map(_STEMS.__getitem__, words(text)))


def holds_phrase(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """True when the phrase (a tuple of tokens) occurs in the tokens (a tuple or list of them)."""
    first = phrase[0]
    if len(phrase) == 1:
        return first in tokens
    n, at = len(phrase), -1
    while True:  # from one occurrence of its first word to the next (index() is C; a loop here is not)
        try:
            at = tokens.index(first, at + 1)
        except ValueError:
            return False
        if tuple(tokens[at:at + n]) == phrase:
            return True


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def query_terms(query: str) -> list[str]:
    """The query's content words plus its acronyms' expansion phrases, without repeats."""
    terms: list[str] = []
    for word in content_words(query):
        if word not in terms:
            terms.append(word)
    for phrase in expansions(query):
        phrase_words = words(phrase)
        if phrase_words:
            joined = " ".join(phrase_words)
            if joined not in terms:
                terms.append(joined)
    # The acronym itself stays a term: many reports print it ("the MASH", "IROs").
    return terms[:MAX_TERMS]


# Adjacent question words are also searched as phrases: on the dev questions this lifted lexical
# MRR@10 by 2 points (eval/RESULTS.md).
PHRASES = True


def adjacent_pairs(query: str) -> list[str]:
    """Two content words that stand side by side in the question ("learning disability")."""
    tokens = words(query)
    pairs = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a in STOPWORDS or b in STOPWORDS or len(a) < 2 or len(b) < 2:
            continue
        pair = f"{a} {b}"
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def lexical_terms(query: str, reverse: bool = True) -> list[str]:
    """The terms of the lexical query: query_terms, then adjacent pairs of the question's words as
    phrases, so a passage that has the words together ("learning disability") outranks one that has
    them apart; with `reverse`, also the acronyms that the question spells out ("reviewing officer":
    IRO), since many passages print only the acronym."""
    query = clean_query(query)
    terms = query_terms(query)
    if reverse:
        terms += [a.lower() for a in reverse_acronyms(query) if a.lower() not in terms]
    if terms and PHRASES:
        terms = terms + [p for p in adjacent_pairs(query) if p not in terms][: MAX_TERMS - len(terms)]
    return terms


def fts_match_expression(query: str) -> str | None:
    """An FTS5 MATCH string that ORs the quoted lexical terms; None when the query has no content
    words. (The searcher narrows it by cost: index/search/retrieve.py, lexical_match.)"""
    terms = lexical_terms(query)
    return fts_any(terms) if terms else None


def fts_any(terms: list[str]) -> str:
    """FTS5 MATCH for passages holding any of these terms (each a word or a phrase)."""
    return " OR ".join(_quoted(t) for t in terms)


def fts_all(terms: list[str]) -> str:
    """FTS5 MATCH for passages holding every one of these terms."""
    return " AND ".join(_quoted(t) for t in terms)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', "") + '"'
