"""Retrieve: each retriever returns a ranking (`RankedList`) of the passages the scope allows.

In fusion order (types.LIST_NAMES): dense and lexical over the reports allowed; the same two
within the reports the question's words favour (scope.py: its years, a council's latest report);
the two restricted to the sections the question favours (on its judgement area; the
recommendations, when it asks what must improve); the reports' summaries. The lexical query runs on the corpus view's
lexical thread while the question is embedded.

Settings read: dense_weight, lexical_weight, area_weight, area_with_summary, summary_weight,
summary_for_few, subset_margin, subset_depth, thesaurus_similarity, thesaurus_rare,
reverse_glossary, common_share, postings_budget.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from index import thesaurus
from index.glossary import expand_for_embedding
from index.search.corpus import CorpusView
from index.search.types import (
    AREA_DENSE,
    AREA_LEXICAL,
    DENSE,
    LEXICAL,
    SUMMARIES,
    YEAR_DENSE,
    YEAR_LEXICAL,
    Context,
    Question,
    RankedList,
    Reading,
    Retrieved,
    Scope,
)
from index.spelling import Correction, apply_corrections, correctable_words
from index.tokenize import content_words, fts_all, fts_any, lexical_terms, words

# A capitalised word after a lower-case one, or after a hyphen: "the Arthur Labinjo-Hughes case".
_NAME_INSIDE = re.compile(r"(?:(?<=[A-Za-z,;:'’\-] )|(?<=[A-Za-z]-))[A-Z][a-z]+")
Pairs = list[tuple[int, float]]


class QueryVector:
    """The question's embedding, computed on first use and reused (the year lists, the summaries)."""

    def __init__(self, corpus: CorpusView, text: str) -> None:
        self.corpus = corpus
        self.text = text
        self.vector: np.ndarray | None = None

    def get(self) -> np.ndarray:
        """The embedding (computed now if not yet)."""
        if self.vector is None:
            self.vector = self.corpus.embed(self.text)
        return self.vector


def retrieve(context: Context, question: Question, scope: Scope) -> Retrieved:
    """Every retrieval list for this question within its scope.

    Args:
        context: this query's settings and index.
        question: the question as read (retriever, topic, plan, depth).
        scope: the reports allowed, the favoured reports, the section kind and the favoured one.

    Returns:
        The lists in fusion order (dense and lexical always, possibly empty), the lexical MATCH
        expression, the question's embedding, and notes on how it was searched.
    """
    settings, corpus, plan, retriever = context.settings, context.corpus, question.plan, question.retriever
    allowed, n, kind = scope.allowed, question.candidates, scope.kind
    notes: list[str] = []
    # Misspelt words read as the corpus words meant: the corrected topic is embedded and searched,
    # the words as typed are searched too, and the thesaurus is not asked about a corrected word.
    corrections, readings = spelling_corrections(context, question)
    topic = apply_corrections(question.topic, corrections)
    query_vector = QueryVector(corpus, expand_for_embedding(topic)) if retriever != "lexical" else None
    match = None
    if retriever != "dense":
        related = related_words(context, topic, skip={c.corrected for c in corrections})
        typed = [c.typed for c in corrections]
        match, lexical_note = lexical_match(context, topic, typed + [w for r in related for w in r.neighbours])
        if related:
            notes.append("also searched: " + "; ".join(f"{', '.join(r.neighbours)} (for {r.word})" for r in related))
        if lexical_note:
            notes.append(lexical_note)
    dense, lexical, year_dense, year_lexical = retrieve_lists(
        context, query_vector, match, allowed, n, scope.favoured, kind
    )
    lists = [RankedList(DENSE, settings.dense_weight, tuple(dense)),
             RankedList(LEXICAL, settings.lexical_weight, tuple(lexical))]
    if scope.favoured is not None:
        lists += [RankedList(YEAR_DENSE, settings.dense_weight * scope.favour_weight, tuple(year_dense)),
                  RankedList(YEAR_LEXICAL, settings.lexical_weight * scope.favour_weight, tuple(year_lexical))]
    # Not for comparisons: their answer is each report's summary, whatever the area.
    area_dense: Pairs | None = None
    area_lexical: Pairs | None = None
    if plan.judgement_area and settings.area_weight and retriever == "hybrid" and not plan.compares:
        in_area = corpus.area_chunks(plan.judgement_area, settings.area_with_summary)
        area_dense, area_lexical = [p for p in dense if p[0] in in_area], [p for p in lexical if p[0] in in_area]
        notes.append(f"favouring the sections on {plan.area_label()}")
    if scope.favoured_kind and kind is None and settings.area_weight and retriever == "hybrid":
        # "what needs to improve": the recommendations ranked on their own and fused in with the
        # favoured sections' lists, a favouring, not a filter.
        in_kind = _retrieve_once(corpus, query_vector, match, allowed, n, scope.favoured_kind)
        area_dense, area_lexical = _merged(area_dense, in_kind[0], n), _merged(area_lexical, in_kind[1], n)
    if area_dense is not None and area_lexical is not None:
        lists += [RankedList(AREA_DENSE, settings.area_weight, tuple(area_dense)),
                  RankedList(AREA_LEXICAL, settings.area_weight, tuple(area_lexical))]
    few_reports = allowed is not None and len(allowed) <= settings.summary_for_few
    if retriever == "hybrid" and settings.summary_weight and (plan.compares or not plan.topic_words or few_reports):
        summaries = summary_passages(corpus, query_vector, allowed, n, kind)
        if summaries:
            lists.append(RankedList(SUMMARIES, settings.summary_weight, tuple(summaries)))
            if plan.compares:
                notes.append("comparing the reports' summaries too")
    vector = query_vector.get() if query_vector is not None else None  # already computed by the dense list
    concepts: tuple = ()
    if question.retriever == "hybrid" and context.settings.concepts:
        vocabulary = context.corpus.concepts()
        concepts = tuple(vocabulary.named_in(topic)) if vocabulary else ()
        asked = " " + " ".join(words(topic)) + " "
        said = []  # what the reports call what the question names, beyond the question's own words
        for concept in concepts:
            new = [t for t in concept.sector_terms if f" {' '.join(words(t))} " not in asked][:3]
            if new:
                said.append(f"{', '.join(new)} (for {concept.name.lower()})")
        if said:
            verb = "also searched: " if context.settings.concept_weight and match is not None else "concepts: "
            notes.append(verb + "; ".join(said))
    return Retrieved(
        lists=tuple(lists), match=match, vector=vector, notes=tuple(notes), concepts=concepts, readings=readings
    )


def spelling_corrections(context: Context, question: Question) -> tuple[list[Correction], tuple[Reading, ...]]:
    """The misspelt words of the question's topic with their corrections (index/spelling.py), and the
    readings that say so; none applied (each reading "ignored") when the filters ignore spelling.

    Names are told by their capital inside the question as asked (the topic may begin with one)."""
    in_topic = set(words(question.topic))
    candidates = [w for w in correctable_words(question.text) if w in in_topic]
    if not candidates:
        return [], ()
    corrector = context.corpus.spelling()
    corrections = [Correction(w, c) for w in candidates if (c := corrector.correct_word(w)) is not None]
    ignored = bool({"spelling", "all"} & question.filters.ignore_reading)
    effect = "ignored" if ignored else "corrected"
    readings = tuple(Reading("spelling", effect, c.label, (c.typed, c.corrected)) for c in corrections)
    return ([] if ignored else corrections), readings


def _merged(first: Pairs | None, second: Pairs, n: int) -> Pairs:
    """Two rankings of one retriever (their scores comparable) as one, best first, each passage once."""
    best: dict[int, float] = {}
    for cid, score in [*(first or []), *second]:
        best[cid] = max(score, best.get(cid, score))
    return sorted(best.items(), key=lambda pair: -pair[1])[:n]


def retrieve_lists(
    context: Context, query_vector: QueryVector | None, match: str | None, allowed: Sequence[int] | None, n: int,
    subset: Sequence[int] | None = None, kind: str | None = None,
) -> tuple[Pairs, Pairs, Pairs, Pairs]:
    """(dense, lexical) best n within `allowed`; with `subset` (some of those reports), also
    (dense, lexical) best n within it (else two empty lists).

    The subset's lists are read off deeper first lists when those hold n of its passages (or
    every match): the same result as a second, restricted search, at no second scan. Only
    where that falls short does a second search run.
    """
    corpus, settings = context.corpus, context.settings
    depth = n
    if subset is not None:
        in_scope = corpus.chunk_count() if allowed is None else len(corpus.chunks_of(allowed))
        share = len(corpus.chunks_of(subset)) / max(1, in_scope)
        wanted = int(np.ceil(settings.subset_margin * n / max(share, 1e-9)))
        depth = max(n, min(settings.subset_depth, wanted))
    dense, lexical = _retrieve_once(corpus, query_vector, match, allowed, depth, kind)
    if subset is None:
        return dense, lexical, [], []
    sub_dense = _within(corpus, dense, subset, n, complete=len(dense) < depth)
    sub_lexical = _within(corpus, lexical, subset, n, complete=len(lexical) < depth)
    if sub_dense is None or sub_lexical is None:
        again_dense, again_lexical = _retrieve_once(
            corpus, query_vector if sub_dense is None else None, match if sub_lexical is None else None, subset, n,
            kind,
        )
        sub_dense = again_dense if sub_dense is None else sub_dense
        sub_lexical = again_lexical if sub_lexical is None else sub_lexical
    return dense[:n], lexical[:n], sub_dense, sub_lexical


def _within(corpus: CorpusView, ranked: Pairs, doc_ids: Sequence[int], n: int, complete: bool) -> Pairs | None:
    """The best n of a ranking that belong to these documents; None if the ranking is too short
    to know them (it stopped before holding n of them, and more matches exist beyond it)."""
    wanted = set(doc_ids)
    docs = corpus.documents_of([cid for cid, _ in ranked])
    kept = [pair for pair, doc in zip(ranked, docs, strict=True) if doc in wanted][:n]
    return kept if len(kept) == n or complete else None


def _retrieve_once(
    corpus: CorpusView, query_vector: QueryVector | None, match: str | None, allowed: Sequence[int] | None, n: int,
    kind: str | None,
) -> tuple[Pairs, Pairs]:
    lexical = corpus.lexical_search_later(match, n, allowed, kind) if match else None
    dense: Pairs = []
    try:
        if query_vector is not None:
            in_scope = corpus.allowed_chunks(allowed, kind)
            dense = corpus.dense_search(query_vector.get(), n, in_scope)
    finally:
        found = lexical.result() if lexical is not None else []
    return dense, found


def summary_passages(
    corpus: CorpusView, query_vector: QueryVector, allowed: Sequence[int] | None, n: int, kind: str | None = None
) -> Pairs:
    """The passages of the reports' own summaries closest to the question, within `allowed`."""
    ids = corpus.summary_ids()
    in_scope = corpus.allowed_chunks(allowed, kind)
    if in_scope is not None:
        ids = np.intersect1d(ids, in_scope, assume_unique=True)
    if not len(ids):
        return []
    # A supplementary list: at the index's usual probe depth, not widened for the narrow filter
    # (at a million passages that would scan every list).
    return corpus.dense_search(query_vector.get(), n, ids, widen=False)


def related_words(
    context: Context, topic: str, skip: set[str] | frozenset[str] = frozenset()
) -> list[thesaurus.Related]:
    """The reports' words for the question's words that few passages hold (index/thesaurus.py), but
    for the words in `skip` (those just read as corrections of a misspelling)."""
    settings, corpus = context.settings, context.corpus
    if settings.thesaurus_similarity is None:
        return []
    # Rare as the lexical index counts (stemmed): "removing" is rare as a word, "remov" is not.
    # A capitalised word inside the sentence is a name ("Arthur", "Ukraine"): the vocabulary holds
    # no names, so its nearest words would be noise.
    names = {m.group(0).lower() for m in _NAME_INSIDE.finditer(topic)}
    candidates = [w for w in dict.fromkeys(content_words(topic))
                  if w.isalpha() and len(w) >= 4 and w not in names and w not in skip]
    frequencies = corpus.doc_freqs(candidates)
    most = settings.thesaurus_rare * corpus.chunk_count()
    rare = [w for w in candidates if frequencies[w] <= most]
    if not rare:  # most questions: the vocabulary is not even loaded
        return []
    found = corpus.thesaurus()
    if not len(found):
        return []
    # A vocabulary word's embedding is stored: only a word the reports hardly use is embedded now.
    stored = {w: found.vector_of(w) for w in rare}
    unstored = [w for w in rare if stored[w] is None]
    embedded = dict(zip(unstored, corpus.word_vectors(unstored), strict=True)) if unstored else {}
    vectors = np.stack([stored[w] if stored[w] is not None else embedded[w] for w in rare])
    return found.related(rare, vectors, settings.thesaurus_similarity, keep=corpus.spelling().is_whole_word)


def lexical_match(context: Context, text: str, extra: list[str] | None = None) -> tuple[str | None, str | None]:
    """The FTS5 MATCH expression for a question, and a note for the user when it had to be narrowed.

    FTS5 computes BM25 for every passage holding any term, and cannot skip the ones that will
    not make the top (as an impact-ordered engine would), so the rows a query may score are
    bounded here, which keeps query time bounded as the index grows:

    - a word in more than settings.common_share of all passages ("children": 95%) goes: BM25 gives it no
      weight (FTS5 floors its IDF), yet it would touch nearly every row;
    - the other terms are kept rarest first while their posting lists (a phrase costs the sum of
      its words') fit in settings.postings_budget; the dropped ones are the least discriminating;
    - when even the rarest term would not fit (only in very large indexes: a word in 6% of a
      million passages), passages holding all the words at once are ranked, if few enough do
      (counting them costs no scoring); else the question is ranked by meaning alone.
    """
    settings, corpus = context.settings, context.corpus
    terms = lexical_terms(text, reverse=settings.reverse_glossary)
    terms += [w for w in extra or () if w not in terms]
    if not terms:
        return None, None
    freqs = corpus.doc_freqs(terms)
    limit = settings.common_share * corpus.chunk_count()
    common = {w for w, df in freqs.items() if df > limit}
    cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms if t not in common}
    if not cost:  # every word is common: rank by them all, if that is affordable
        cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms}
    kept, spent = [], 0
    for term in sorted(cost, key=cost.get):
        if spent + cost[term] <= settings.postings_budget:
            kept.append(term)
            spent += cost[term]
    if kept:
        return fts_any(kept), None
    single = sorted(set(content_words(text)), key=lambda w: corpus.doc_freqs([w])[w])
    if len(single) > 1 and corpus.count_matches(fts_all(single)) <= settings.postings_budget:
        return fts_all(single), "keywords: only passages with all of " + ", ".join(single)
    return None, "keywords skipped: each is in too many passages to rank by; ranked by meaning"
