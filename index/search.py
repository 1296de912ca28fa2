"""Query-time search: filters, dense and lexical retrieval, fusion, de-duplication, highlighting."""

from __future__ import annotations

import difflib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from index.embed import Embedder
from index.fusion import reciprocal_rank_fusion
from index.glossary import expand_for_embedding
from index.highlight import highlight_spans, term_weights
from index.store import ChunkRow, ChunkStore, DocumentRow
from index.tokenize import clean_query, content_words, fts_all, fts_any, lexical_terms, query_terms, words
from index.vectors import VectorIndex
from ingest.metadata import authority_key
from ingest.models import GRADES, REPORT_TYPES

RETRIEVERS = ("hybrid", "dense", "lexical")
MAX_K = 100
CANDIDATES = 100  # per retriever, before fusion
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
# A smaller k than the customary 60 lets each retriever's top ranks count for more; on the dev
# questions k=10-20 beat 30-100 by 3-6 points of hit@5 (eval/RESULTS.md).
RRF_K = 10
# At most this many of the top places per report when a search spans several reports (0: no cap).
PER_REPORT = 2
COMMON_SHARE = 0.5  # words in more than this share of passages are not searched lexically
# Rows a lexical query may score (see Searcher._lexical_match): about 100 ms of FTS5 work. On the
# dev questions over 27k passages it changed nothing (hit@5 0.761, MRR@10 0.569 -> 0.573).
POSTINGS_BUDGET = 60_000
# A question naming a year also gets lists restricted to that year's reports, read off first lists
# deep enough to hold SUBSET_MARGIN times the passages needed at the year's share of the index.
SUBSET_MARGIN = 2.0
SUBSET_DEPTH = 5_000  # deeper than this, a second restricted search is cheaper
# Questions that compare reports also rank the reports' summary passages: the judgement and its
# reasons, as each report's first page states them. On the dev questions: compare hit@5 0.45 -> 0.82,
# all 0.761 -> 0.795 (eval/RESULTS.md); both halves of the set gained alike.
SUMMARY_WEIGHT = 1.0
SUMMARY_SECTIONS = ("summary", "executive summary")
COMPARISON_WORDS = frozenset(
    "compare compared compares comparing comparison versus vs differ differed differs different difference "
    "differences".split()
)
NEAR_DUPLICATE = 0.8  # word-trigram Jaccard above which two passages count as the same text
YEAR_RANGE = (1990, 2100)
# Authority names that are also everyday words: recognised in a question only when capitalised.
AMBIGUOUS_PLACE_NAMES = frozenset({"reading", "bury"})


class QueryError(ValueError):
    """A query or filter that cannot be run; the message says what to change."""


@dataclass
class SearchFilters:
    authorities: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    report_types: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)  # overall effectiveness

    @classmethod
    def build(
        cls,
        authority: str | list[str] | None = None,
        year: int | str | None = None,
        years: str | tuple[int, int] | None = None,
        report_type: str | list[str] | None = None,
        grade: str | list[str] | None = None,
    ) -> SearchFilters:
        """Validate user-facing options; bad ones raise QueryError naming the valid values."""
        filters = cls()
        if authority:
            names = [authority] if isinstance(authority, str) else list(authority)
            filters.authorities = [n for n in names if n and n.strip()]
        if year is not None and years is not None:
            raise QueryError("give either a year or a year range, not both")
        if year is not None and str(year).strip():
            filters.year_from = filters.year_to = _parse_year(year)
        if years is not None and (not isinstance(years, str) or years.strip()):
            filters.year_from, filters.year_to = _parse_year_range(years)
        if report_type:
            types = [report_type] if isinstance(report_type, str) else list(report_type)
            for t in types:
                if t not in REPORT_TYPES:
                    raise QueryError(f"unknown report type {t!r}; valid: {', '.join(REPORT_TYPES)}")
            filters.report_types = types
        if grade:
            grades = [grade] if isinstance(grade, str) else list(grade)
            for g in grades:
                if g.lower() not in GRADES:
                    raise QueryError(f"unknown grade {g!r}; valid: {', '.join(GRADES)}")
            filters.grades = [g.lower() for g in grades]
        return filters

    def is_empty(self) -> bool:
        return not (self.authorities or self.year_from or self.year_to or self.report_types or self.grades)


def _parse_year(value: int | str) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise QueryError(f"a year is four digits, like 2017; got {value!r}") from None
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise QueryError(f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return year


def _parse_year_range(value: str | tuple[int, int]) -> tuple[int, int]:
    if isinstance(value, tuple):
        first, last = value
    else:
        parts = re.split(r"\s*(?:-|–|to|\.\.)\s*", value.strip())
        if len(parts) != 2:
            raise QueryError(f"a year range looks like 2016-2019; got {value!r}")
        first, last = parts
    a, b = _parse_year(first), _parse_year(last)
    if a > b:
        raise QueryError(f"the year range {a}-{b} is empty: the first year comes after the last")
    return a, b


@dataclass
class Citation:
    file: str
    local_authority: str | None
    report_type: str
    report_type_label: str
    published: str | None
    inspection_start: str | None
    inspection_end: str | None
    page_start: int
    page_end: int
    paragraphs: list[str]
    section: str | None
    overall_grade: str | None

    def pages_label(self) -> str:
        if self.page_start == self.page_end:
            return f"p. {self.page_start}"
        return f"pp. {self.page_start}-{self.page_end}"

    def paragraphs_label(self) -> str:
        if not self.paragraphs:
            return ""
        if len(self.paragraphs) == 1:
            return f"para {self.paragraphs[0]}"
        return f"paras {self.paragraphs[0]}-{self.paragraphs[-1]}"

    def date_label(self) -> str:
        if self.published:
            return f"published {self.published}"
        if self.inspection_start:
            return f"inspected {self.inspection_start}"
        return "date unknown"

    def line(self) -> str:
        parts = [self.local_authority or "Unknown authority", self.report_type_label, self.date_label(),
                 self.pages_label()]
        if self.paragraphs:
            parts.append(self.paragraphs_label())
        if self.section:
            parts.append(self.section)
        return " · ".join(parts)


@dataclass
class SearchResult:
    rank: int
    chunk_id: int
    doc_id: int
    text: str
    highlights: list[tuple[int, int]]  # character spans of `text` that answer the question
    score: float
    citation: Citation
    duplicates: int = 0  # near-identical passages in other reports, collapsed into this one
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def highlighted_text(self) -> list[str]:
        return [self.text[a:b] for a, b in self.highlights]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["highlighted_text"] = self.highlighted_text()
        return data


@dataclass
class SearchResponse:
    query: str
    results: list[SearchResult]
    filters: SearchFilters
    message: str | None = None  # set when there is nothing to show, saying why
    interpretation: str | None = None  # how the question's own words narrowed the search


class Searcher:
    """Hybrid search over one index. Thread-safe for concurrent queries."""

    def __init__(self, store: ChunkStore, vectors: VectorIndex, embedder: Embedder) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self._lock = threading.Lock()  # sqlite3 connections and the tokenizer are not re-entrant
        self._docs: dict[int, DocumentRow] | None = None
        self._df_cache: dict[str, int] = {}
        self._n_chunks: int | None = None
        self._chunk_docs: tuple[np.ndarray, np.ndarray] | None = None
        # The lexical query runs here while the question is embedded (SQLite and BLAS both release
        # the GIL), so a hybrid query costs about the slower of the two, not their sum.
        self._lexical_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")
        self._name_patterns: list[tuple[str, re.Pattern[str]]] | None = None
        self.dense_weight = DENSE_WEIGHT
        self.lexical_weight = LEXICAL_WEIGHT
        self.rrf_k = RRF_K
        self.per_report = PER_REPORT
        self.summary_weight = SUMMARY_WEIGHT
        self._summary_ids: np.ndarray | None = None

    def refresh(self) -> None:
        """Forget cached document metadata (after documents were added or removed)."""
        with self._lock:
            self._docs = None
            self._n_chunks = None
            self._chunk_docs = None
            self._summary_ids = None
            self._name_patterns = None
            self._df_cache.clear()

    def documents(self) -> dict[int, DocumentRow]:
        if self._docs is None:
            self._docs = self.store.documents()
        return self._docs

    def close(self) -> None:
        self._lexical_thread.shutdown(wait=False)

    def authorities(self) -> list[str]:
        """One display name per authority (reports print some names in several ways)."""
        by_key: dict[str, str] = {}
        for doc in self.documents().values():
            name = doc.local_authority
            if name and doc.authority_key and len(name) > len(by_key.get(doc.authority_key, "")):
                by_key[doc.authority_key] = name
        return sorted(by_key.values(), key=str.lower)

    def _allowed_documents(self, filters: SearchFilters) -> list[int] | None:
        if filters.is_empty():
            return None
        docs = self.documents()
        keys = {authority_key(a) for a in filters.authorities}
        if keys:
            known = {d.authority_key for d in docs.values() if d.authority_key}
            unknown = [a for a in filters.authorities if authority_key(a) not in known]
            if unknown and len(unknown) == len(filters.authorities):
                names = self.authorities()
                close = difflib.get_close_matches(unknown[0], names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise QueryError(f"no report in the index is from {unknown[0]!r}{hint}")
        allowed = []
        for doc in docs.values():
            if keys and doc.authority_key not in keys:
                continue
            if filters.report_types and doc.report_type not in filters.report_types:
                continue
            if filters.grades and (doc.overall_grade or "") not in filters.grades:
                continue
            if filters.year_from is not None and not _year_matches(doc, filters.year_from, filters.year_to):
                continue
            allowed.append(doc.id)
        return allowed

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        k: int = 10,
        retriever: str = "hybrid",
    ) -> SearchResponse:
        if retriever not in RETRIEVERS:
            raise QueryError(f"unknown retriever {retriever!r}; valid: {', '.join(RETRIEVERS)}")
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QueryError(f"k must be a whole number from 1 to {MAX_K}; got {k!r}")
        filters = filters or SearchFilters()
        text = clean_query(query or "")
        if not words(text):
            raise QueryError("type a question or some words to search for")
        with self._lock:
            return self._search(text, filters, k, retriever)

    def _search(self, text: str, filters: SearchFilters, k: int, retriever: str) -> SearchResponse:
        allowed_docs = self._allowed_documents(filters)
        if allowed_docs is not None and not allowed_docs:
            return SearchResponse(text, [], filters, "no report in the index matches these filters; remove some")
        n_candidates = max(CANDIDATES, 4 * k)

        # Authorities and years named in the question itself ("Rochdale and Rotherham in 2014"):
        # named authorities narrow the search (unless a filter already chose authorities); named
        # years favour reports of those years without excluding the rest.
        mentions = [] if filters.authorities else self._mentioned_authorities(text)
        years = [] if filters.year_from is not None else _mentioned_years(text)
        topic = _without(text, [span for _, span in mentions] + [span for _, span in years]) or text
        notes = []
        docs = self.documents()
        if mentions:
            keys = {key for key, _ in mentions}
            scoped = [d for d in (allowed_docs if allowed_docs is not None else docs) if docs[d].authority_key in keys]
            if scoped:
                allowed_docs = scoped
                notes.append("reports of " + ", ".join(sorted({docs[d].local_authority or "?" for d in scoped})))

        query_vector = _QueryVector(self.embedder, expand_for_embedding(topic)) if retriever != "lexical" else None
        match = None
        if retriever != "dense":
            match, lexical_note = self._lexical_match(topic)
            if lexical_note:
                notes.append(lexical_note)
        of_year: list[int] | None = None
        if years:
            wanted = {y for y, _ in years}
            pool = allowed_docs if allowed_docs is not None else list(docs)
            of_year = [d for d in pool if any(_year_matches(docs[d], y, y) for y in wanted)]
            if not of_year or len(of_year) == len(pool):
                of_year = None
            else:
                notes.append("favouring " + ", ".join(str(y) for y in sorted(wanted)))
        dense, lexical, year_dense, year_lexical = self._retrieve(
            query_vector, match, allowed_docs, n_candidates, of_year
        )
        # (ranking, weight) for fusion: dense and lexical, then the same two within the named years,
        # then the reports' summaries for a question that compares them.
        lists = [(dense, self.dense_weight), (lexical, self.lexical_weight)]
        if of_year is not None:
            lists += [(year_dense, self.dense_weight), (year_lexical, self.lexical_weight)]
        if retriever == "hybrid" and self.summary_weight and _compares_reports(text, mentions, years):
            summaries = self._summary_passages(query_vector, allowed_docs, n_candidates)
            if summaries:
                lists.append((summaries, self.summary_weight))
                notes.append("comparing the reports' summaries too")

        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, start=1)}
        lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical, start=1)}
        pairs = [([cid for cid, _ in ranking], w) for ranking, w in lists if ranking]
        if retriever == "hybrid" or years:
            ranked = reciprocal_rank_fusion([r for r, _ in pairs], k=self.rrf_k, weights=[w for _, w in pairs])
        else:
            ranked = dense or lexical
        if not ranked:
            return SearchResponse(text, [], filters, "nothing matched; try other words or remove filters")
        if len({key for key, _ in mentions}) > 1:
            ranked = self._interleave_authorities(ranked)
        elif self.per_report and (allowed_docs is None or len(allowed_docs) > 1):
            ranked = self._spread_reports(ranked, self.per_report)

        kept = self._collapse(ranked, k)
        terms = query_terms(text)
        weights = term_weights(terms, self._doc_freqs(terms), self._chunk_count())
        docs = self.documents()
        missing_docs = {row.doc_id for row, _, _ in kept if row.doc_id not in docs}
        if missing_docs:  # added by an ingest running beside us
            self._docs = None
            docs = self.documents()
        results = []
        for rank, (row, score, dupes) in enumerate(kept, start=1):
            doc = docs.get(row.doc_id)
            if doc is None:
                continue
            results.append(
                SearchResult(
                    rank=rank, chunk_id=row.id, doc_id=row.doc_id, text=row.text,
                    highlights=highlight_spans(row.text, weights), score=round(score, 6),
                    citation=_citation(doc, row), duplicates=dupes,
                    dense_rank=dense_rank.get(row.id), lexical_rank=lexical_rank.get(row.id),
                )
            )
        return SearchResponse(text, results, filters, interpretation="; ".join(notes) or None)

    def _retrieve(
        self,
        query_vector: _QueryVector | None,
        match: str | None,
        allowed_docs: list[int] | None,
        n: int,
        subset: list[int] | None = None,
    ) -> tuple[list[tuple[int, float]], ...]:
        """(dense, lexical) best n within allowed_docs; with `subset` (some of those documents), also
        (dense, lexical) best n within it.

        The subset's lists are read off deeper first lists when those hold n of its passages (or
        every match): the same result as a second, restricted search, at no second scan. Only
        where that falls short does a second search run.
        """
        depth = n
        if subset is not None:
            share = len(self._chunks_of(subset)) / max(1, self._allowed_count(allowed_docs))
            depth = max(n, min(SUBSET_DEPTH, int(np.ceil(SUBSET_MARGIN * n / max(share, 1e-9)))))
        dense, lexical = self._retrieve_once(query_vector, match, allowed_docs, depth)
        if subset is None:
            return dense, lexical, [], []
        sub_dense = self._within(dense, subset, n, complete=len(dense) < depth)
        sub_lexical = self._within(lexical, subset, n, complete=len(lexical) < depth)
        if sub_dense is None or sub_lexical is None:
            again_dense, again_lexical = self._retrieve_once(
                query_vector if sub_dense is None else None, match if sub_lexical is None else None, subset, n
            )
            sub_dense = again_dense if sub_dense is None else sub_dense
            sub_lexical = again_lexical if sub_lexical is None else sub_lexical
        return dense[:n], lexical[:n], sub_dense, sub_lexical

    def _within(
        self, ranked: list[tuple[int, float]], doc_ids: list[int], n: int, complete: bool
    ) -> list[tuple[int, float]] | None:
        """The best n of a ranking that belong to these documents; None if the ranking is too short
        to know them (it stopped before holding n of them, and more matches exist beyond it)."""
        wanted = set(doc_ids)
        docs = self._documents_of([cid for cid, _ in ranked])
        kept = [pair for pair, doc in zip(ranked, docs, strict=True) if doc in wanted][:n]
        return kept if len(kept) == n or complete else None

    def _allowed_count(self, allowed_docs: list[int] | None) -> int:
        return self._chunk_count() if allowed_docs is None else len(self._chunks_of(allowed_docs))

    def _retrieve_once(
        self, query_vector: _QueryVector | None, match: str | None, allowed_docs: list[int] | None, n: int
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        lexical = self._lexical_thread.submit(self.store.lexical_search, match, n, allowed_docs) if match else None
        dense: list[tuple[int, float]] = []
        try:
            if query_vector is not None:
                allowed_chunks = None if allowed_docs is None else self._chunks_of(allowed_docs)
                dense = self.vectors.search(query_vector.get(), n, allowed_chunks)
        finally:
            found = lexical.result() if lexical is not None else []
        return dense, found

    def _summary_passages(
        self, query_vector: _QueryVector, allowed_docs: list[int] | None, n: int
    ) -> list[tuple[int, float]]:
        """The passages of the reports' own summaries closest to the question, within allowed_docs."""
        if self._summary_ids is None:
            self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
        ids = self._summary_ids
        if allowed_docs is not None:
            ids = np.intersect1d(ids, self._chunks_of(allowed_docs), assume_unique=True)
        if not len(ids):
            return []
        # A supplementary list: at the index's usual probe depth, not widened for the narrow filter
        # (at a million passages that would scan every list).
        return self.vectors.search(query_vector.get(), n, ids, widen=False)

    def _chunk_map(self) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids ascending, their document ids), held in memory until the next refresh."""
        if self._chunk_docs is None:
            self._chunk_docs = self.store.chunk_documents()
        return self._chunk_docs

    def _documents_of(self, chunk_ids: list[int]) -> list[int]:
        """The document of each chunk (-1 for one added since the map was read)."""
        ids, docs = self._chunk_map()
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
        if not len(ids):
            return [-1] * len(chunk_ids)
        return np.where(ids[at] == wanted, docs[at], -1).tolist()

    def _chunks_of(self, doc_ids: list[int]) -> np.ndarray:
        """Chunk ids of these documents, from a map held in memory (no SQL on the dense path)."""
        chunk_ids, chunk_docs = self._chunk_map()
        if not len(chunk_ids):
            return chunk_ids
        wanted = np.zeros(int(max(chunk_docs.max(), max(doc_ids, default=0))) + 1, dtype=bool)
        wanted[np.asarray(doc_ids, dtype=np.int64)] = True
        return chunk_ids[wanted[chunk_docs]]  # a gather, not a sort: ~1 ms at a million passages

    def _mentioned_authorities(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        """(authority key, character span) of each indexed authority the question names."""
        if self._name_patterns is None:
            patterns = []
            for name in self.authorities():
                words_of_name = re.findall(r"[A-Za-z]+", name)
                if not words_of_name:
                    continue
                body = r"[\s\-,.'’&]+(?:and\s+|of\s+|the\s+)?".join(re.escape(w) for w in words_of_name)
                flags = 0 if name.lower() in AMBIGUOUS_PLACE_NAMES else re.IGNORECASE
                patterns.append((authority_key(name), re.compile(rf"\b{body}(?:['’]s)?\b", flags)))
            # Longest names first, so "North Lincolnshire" wins over "Lincolnshire".
            patterns.sort(key=lambda pair: -len(pair[1].pattern))
            self._name_patterns = patterns
        found: list[tuple[str, tuple[int, int]]] = []
        taken: list[tuple[int, int]] = []
        for key, pattern in self._name_patterns:
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append(m.span())
                if key not in [k for k, _ in found]:
                    found.append((key, m.span()))
        return found

    def _interleave_authorities(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Alternate authorities at the top of the ranking, for questions that compare them."""
        head = ranked[:400]
        docs = self.documents()
        queues: dict[str, list[tuple[int, float]]] = {}
        for (cid, score), doc_id in zip(head, self._documents_of([cid for cid, _ in head]), strict=True):
            key = docs[doc_id].authority_key if doc_id in docs else None
            queues.setdefault(key or "", []).append((cid, score))
        out: list[tuple[int, float]] = []
        while any(queues.values()):
            for queue in queues.values():
                if queue:
                    out.append(queue.pop(0))
        return out + ranked[400:]

    def _spread_reports(self, ranked: list[tuple[int, float]], cap: int) -> list[tuple[int, float]]:
        """Let no report hold more than `cap` of the top places; its further passages move down.

        A question across the corpus is best answered by several reports, not one report's
        neighbouring paragraphs (they stay reachable just below).
        """
        head = ranked[:CANDIDATES]
        count: dict[int, int] = {}
        top, deferred = [], []
        for (cid, score), doc in zip(head, self._documents_of([cid for cid, _ in head]), strict=True):
            count[doc] = count.get(doc, 0) + 1
            (top if count[doc] <= cap else deferred).append((cid, score))
        return top + deferred + ranked[CANDIDATES:]

    def _collapse(self, ranked: list[tuple[int, float]], k: int) -> list[tuple[ChunkRow, float, int]]:
        """Walk the ranking, folding passages that repeat one already kept (boilerplate across reports)."""
        kept: list[tuple[ChunkRow, float, int]] = []
        shingles: list[set[tuple[str, ...]]] = []
        hashes: dict[str, int] = {}
        position = 0
        batch = max(3 * k, 30)
        while len(kept) < k and position < len(ranked):
            part = ranked[position : position + batch]
            position += batch
            rows = self.store.chunks([cid for cid, _ in part])
            for cid, score in part:
                row = rows.get(cid)
                if row is None:  # deleted since the vector index was loaded
                    continue
                same = hashes.get(row.embed_hash)
                if same is None:
                    grams = _trigrams(row.text)
                    same = next((i for i, g in enumerate(shingles) if _jaccard(grams, g) >= NEAR_DUPLICATE), None)
                else:
                    grams = set()
                if same is not None:
                    first, first_score, dupes = kept[same]
                    kept[same] = (first, first_score, dupes + 1)
                    continue
                if len(kept) >= k:
                    break
                hashes[row.embed_hash] = len(kept)
                shingles.append(grams)
                kept.append((row, score, 0))
        return kept

    def _chunk_count(self) -> int:
        if self._n_chunks is None:
            self._n_chunks = max(1, self.store.counts()["chunks"])
        return self._n_chunks

    def _lexical_match(self, text: str) -> tuple[str | None, str | None]:
        """The FTS5 MATCH expression for a question, and a note for the user when it had to be narrowed.

        FTS5 computes BM25 for every passage holding any term, and cannot skip the ones that will
        not make the top (as an impact-ordered engine would), so the rows a query may score are
        bounded here, which keeps query time bounded as the index grows:

        - a word in more than COMMON_SHARE of all passages ("children": 95%) goes: BM25 gives it no
          weight (FTS5 floors its IDF), yet it would touch nearly every row;
        - the other terms are kept rarest first while their posting lists (a phrase costs the sum of
          its words') fit in POSTINGS_BUDGET; the dropped ones are the least discriminating;
        - when even the rarest term would not fit (only in very large indexes: a word in 6% of a
          million passages), passages holding all the words at once are ranked, if few enough do
          (counting them costs no scoring); else the question is ranked by meaning alone.
        """
        terms = lexical_terms(text)
        if not terms:
            return None, None
        freqs = self._doc_freqs(terms)
        limit = COMMON_SHARE * self._chunk_count()
        common = {w for w, df in freqs.items() if df > limit}
        cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms if t not in common}
        if not cost:  # every word is common: rank by them all, if that is affordable
            cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms}
        kept, spent = [], 0
        for term in sorted(cost, key=cost.get):
            if spent + cost[term] <= POSTINGS_BUDGET:
                kept.append(term)
                spent += cost[term]
        if kept:
            return fts_any(kept), None
        single = sorted(set(content_words(text)), key=lambda w: self._doc_freqs([w])[w])
        if len(single) > 1 and self.store.count_matches(fts_all(single)) <= POSTINGS_BUDGET:
            return fts_all(single), "keywords: only passages with all of " + ", ".join(single)
        return None, "keywords skipped: each is in too many passages to rank by; ranked by meaning"

    def _doc_freqs(self, terms: list[str]) -> dict[str, int]:
        single = {w for term in terms for w in term.split()}
        todo = [w for w in single if w not in self._df_cache]
        if todo:
            self._df_cache.update(self.store.document_frequencies(todo))
        return {w: self._df_cache.get(w, 0) for w in single}


class _QueryVector:
    """The question's embedding, computed on first use and reused (dense lists for named years)."""

    def __init__(self, embedder: Embedder, text: str) -> None:
        self.embedder = embedder
        self.text = text
        self.vector: np.ndarray | None = None

    def get(self) -> np.ndarray:
        if self.vector is None:
            self.vector = self.embedder.encode([self.text])[0]
        return self.vector


def _compares_reports(text: str, mentions: list, years: list) -> bool:
    """A question that compares reports: it names several authorities or years, or says compare."""
    if len({key for key, _ in mentions}) > 1 or len({y for y, _ in years}) > 1:
        return True
    return bool(COMPARISON_WORDS.intersection(words(text)))


_YEAR = re.compile(r"\b(?:19[9]\d|20\d\d)\b")


def _mentioned_years(text: str) -> list[tuple[int, tuple[int, int]]]:
    return [(int(m.group(0)), m.span()) for m in _YEAR.finditer(text)]


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with these spans cut out (names and years, once they have done their job)."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " + text[b:]
    cleaned = " ".join(text.split())
    return cleaned if words(cleaned) else ""


def _trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + 3]) for i in range(max(0, len(tokens) - 2))}


def _jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _year_matches(doc: DocumentRow, first: int, last: int | None) -> bool:
    last = first if last is None else last
    for value in (doc.published, doc.inspection_start, doc.inspection_end):
        if value and first <= int(value[:4]) <= last:
            return True
    return False


def _citation(doc: DocumentRow, row: ChunkRow) -> Citation:
    return Citation(
        file=doc.file_name, local_authority=doc.local_authority, report_type=doc.report_type,
        report_type_label=doc.report_type_label, published=doc.published,
        inspection_start=doc.inspection_start, inspection_end=doc.inspection_end,
        page_start=row.page_start, page_end=row.page_end, paragraphs=row.paragraphs,
        section=row.section, overall_grade=doc.overall_grade,
    )
