"""Query-time search: filters, dense and lexical retrieval, fusion, de-duplication, highlighting."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np
import snowballstemmer

from index import thesaurus
from index.concepts import ConceptFileError, ConceptVocabulary, default_vocabulary
from index.embed import Embedder
from index.fusion import reciprocal_rank_fusion
from index.glossary import expand_for_embedding
from index.highlight import highlight_spans, term_weights
from index.query import JUDGEMENT_AREAS, QueryPlan, read_question
from index.rank_features import QuestionFacts
from index.rerank import LearnedRanker, PassageFacts, RerankInput
from index.settings import DEFAULT_K, MAX_K, YEAR_RANGE, SearchSettings
from index.store import ChunkRow, ChunkStore, DocumentRow
from index.tokenize import (
    STOPWORDS,
    clean_query,
    content_words,
    fts_all,
    fts_any,
    lexical_terms,
    query_terms,
    stem,
    words,
)
from index.vectors import VectorIndex
from ingest.authorities import AuthorityRegistry, default_registry
from ingest.metadata import authority_key
from ingest.models import GRADES, OTHER_PUBLICATION, REPORT_TYPES
from ingest.recommendations import SECTION_KINDS

log = logging.getLogger(__name__)

RETRIEVERS = ("hybrid", "dense", "lexical")
SUMMARY_SECTIONS = ("summary", "executive summary")
# A capitalised word after a lower-case one, or after a hyphen: "the Arthur Labinjo-Hughes case".
_NAME_INSIDE = re.compile(r"(?:(?<=[A-Za-z,;:'’\-] )|(?<=[A-Za-z]-))[A-Z][a-z]+")
# Words that ask for the reports' lists of what must improve (their section kind "recommendations").
_ASKS_TO_IMPROVE = re.compile(
    r"\b(?:recommend\w*|improve(?:ments?)?|areas? for (?:improvement|development)|priority actions?"
    r"|what needs to|needs? to (?:do|change|get better)|told to|must (?:do|change)|actions? required)\b", re.I)
MAX_CONCEPT_TERMS = 24  # sector terms searched for the concepts of one question
WORD_VECTORS_KEPT = 20_000  # question words' embeddings kept (1.5 KB each)
_STEMMER = snowballstemmer.stemmer("porter")  # the algorithm of FTS5's porter tokenizer
# The pure-Python stemmer costs ~50 us a word; the reports' vocabulary is small, so remember each.
_porter = lru_cache(maxsize=262_144)(_STEMMER.stemWord)


class QueryError(ValueError):
    """A query or filter that cannot be run; the message says what to change."""


@dataclass
class SearchFilters:
    """Which reports a search may answer from; every filter set narrows (they combine with AND)."""

    authorities: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    report_types: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)  # overall effectiveness
    judgement_grades: dict[str, list[str]] = field(default_factory=dict)  # FILTER_JUDGEMENTS key -> grades
    latest_only: bool = False  # each authority's newest report only
    region: str | None = None
    neighbours_of: str | None = None  # this authority and its ten statistical neighbours
    section_kind: str | None = None  # ingest.recommendations.SECTION_KINDS: only passages of that kind

    @classmethod
    def build(
        cls,
        authority: str | list[str] | None = None,
        year: int | str | None = None,
        years: str | tuple[int, int] | None = None,
        report_type: str | list[str] | None = None,
        grade: str | list[str] | None = None,
        judgement: dict[str, str | list[str]] | list[str] | str | None = None,
        latest_only: bool = False,
        region: str | None = None,
        neighbours_of: str | None = None,
        section_kind: str | None = None,
    ) -> SearchFilters:
        """Validate user-facing options into filters.

        Args:
            authority: one name or several (any name the authority goes by).
            year / years: a year, or a range "2016-2019" (not both).
            report_type: keys of REPORT_TYPES.
            grade: overall effectiveness grades.
            judgement: grades on one of the five judgements, as {"care_leavers": ["good"]} or
                "care_leavers=good" strings (repeat a judgement for several grades).
            latest_only: each authority's newest report only.
            region: a region of England ("North West").
            neighbours_of: an authority; it and its ten statistical neighbours (la_lookup.csv).
            section_kind: "recommendations" for the lists of what must improve only (SECTION_KINDS).

        Returns:
            The filters.

        Raises:
            QueryError: a bad option; the message names the valid values (or close names).
        """
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
        filters.judgement_grades = _parse_judgements(judgement)
        filters.latest_only = bool(latest_only)
        registry = default_registry()
        if region and region.strip():
            wanted = region.strip().lower()
            regions = registry.regions()
            found = next((r for r in regions if r.lower() == wanted), None)
            if found is None:
                raise QueryError(f"unknown region {region!r}; valid: {', '.join(regions)}")
            filters.region = found
        if neighbours_of and neighbours_of.strip():
            authority = registry.resolve(neighbours_of)
            if authority is None:
                raise QueryError(f"{neighbours_of!r} is not a local authority; {registry.suggestion(neighbours_of)}")
            filters.neighbours_of = authority.name
        if section_kind and section_kind.strip():
            kind = section_kind.strip().lower()
            if kind not in SECTION_KINDS:
                raise QueryError(f"unknown section kind {section_kind!r}; valid: {', '.join(SECTION_KINDS)}")
            filters.section_kind = kind
        return filters

    def is_empty(self) -> bool:
        return not (self.authorities or self.year_from or self.year_to or self.report_types or self.grades
                    or self.judgement_grades or self.latest_only or self.region or self.neighbours_of
                    or self.section_kind)


# The five judgements a user can filter on (ingest.models.JUDGEMENTS holds older frameworks' too).
FILTER_JUDGEMENTS: dict[str, str] = {
    "overall_effectiveness": "overall effectiveness",
    "impact_of_leaders": "impact of leaders",
    "help_and_protection": "help and protection",
    "in_care": "children in care",
    "care_leavers": "care leavers",
}


def _parse_judgements(value: dict[str, str | list[str]] | list[str] | str | None) -> dict[str, list[str]]:
    if not value:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, grades in value.items():
            pairs += [(key, g) for g in ([grades] if isinstance(grades, str) else grades)]
    else:
        for item in [value] if isinstance(value, str) else value:
            key, sep, grade = str(item).partition("=")
            if not sep:
                raise QueryError(f"a judgement filter reads JUDGEMENT=GRADE, like care_leavers=good; got {item!r}")
            pairs.append((key, grade))
    out: dict[str, list[str]] = {}
    for key, grade in pairs:
        key = key.strip().lower().replace(" ", "_").replace("-", "_")
        grade = " ".join(grade.strip().lower().replace("_", " ").split())
        if key not in FILTER_JUDGEMENTS:
            raise QueryError(f"unknown judgement {key!r}; valid: {', '.join(FILTER_JUDGEMENTS)}")
        if grade not in GRADES:
            raise QueryError(f"unknown grade {grade!r}; valid: {', '.join(GRADES)}")
        if grade not in out.setdefault(key, []):
            out[key].append(grade)
    return out


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
    published_estimated: bool = False  # the report prints no date: inspection end plus the usual lag

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
        if self.published and self.published_estimated:
            return f"published about {self.published[:7]} (estimated)"
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
    similarity: float | None = None  # cosine of question and passage embeddings
    below_floor: bool = False  # shown only as the closest of passages that do not answer

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
    topic: str | None = None  # the words searched, once names, years and grades were read off


class Searcher:
    """Hybrid search over one index. Thread-safe for concurrent queries."""

    def __init__(
        self, store: ChunkStore, vectors: VectorIndex, embedder: Embedder, settings: SearchSettings | None = None
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self._lock = threading.Lock()  # sqlite3 connections and the tokenizer are not re-entrant
        self._docs: dict[int, DocumentRow] | None = None
        self._df_cache: dict[str, int] = {}
        # Embeddings of question words the vocabulary lacks; a word's embedding never changes.
        self._word_vectors: dict[str, np.ndarray] = {}
        self._n_chunks: int | None = None
        self._chunk_docs: tuple[np.ndarray, np.ndarray] | None = None
        # The lexical query runs here while the question is embedded (SQLite and BLAS both release
        # the GIL), so a hybrid query costs about the slower of the two, not their sum.
        self._lexical_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")
        self.registry: AuthorityRegistry = default_registry()
        # How it ranks. Replace it whole (dataclasses.replace) to try another value: eval.results turns
        # mechanisms off one at a time this way to measure what each adds.
        self.settings = settings or SearchSettings()
        self._thesaurus: thesaurus.Thesaurus | None = None
        self._area_ids: dict[str, set[int]] = {}
        self._vocab: dict[str, int] = {}
        self._plan_names: tuple[set[str], dict[str, str]] | None = None
        self._summary_ids: np.ndarray | None = None
        self._kind_ids: dict[str, np.ndarray] = {}  # section kind -> its passages' ids
        self._summary_set: set[int] | None = None
        self._latest_docs: set[int] | None = None
        self._vocabulary: ConceptVocabulary | None | bool = False  # False: not read yet
        # The learned ranking stage (index/rerank.py); eval/train_ranker.py sets its recorder.
        self.reranker = LearnedRanker(self._passage_facts)

    def refresh(self) -> None:
        """Forget cached document metadata (after documents were added or removed)."""
        with self._lock:
            self._docs = None
            self._n_chunks = None
            self._chunk_docs = None
            self._summary_ids = None
            self._summary_set = None
            self._latest_docs = None
            self._kind_ids.clear()
            self._area_ids.clear()
            self._vocab.clear()
            self._plan_names = None
            self._thesaurus = None
            self._df_cache.clear()

    def warm(self) -> None:
        """Read now what searches would otherwise read on first need (the reports, the passage map,
        the summaries, the corpus vocabulary): a server calls this at start so no user pays for it."""
        with self._lock:
            self.documents()
            self._chunk_map()
            self._chunk_count()
            if self._summary_ids is None:
                self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
            if self.settings.thesaurus_similarity is not None:
                self.corpus_thesaurus()

    def documents(self) -> dict[int, DocumentRow]:
        """The indexed reports, each under its authority's canonical name and key (la_lookup.csv),
        whatever the report printed or an older ingest stored."""
        if self._docs is None:
            docs = self.store.documents()
            for doc in docs.values():
                found = self.registry.resolve(doc.local_authority) or self.registry.resolve(doc.authority_key)
                if found is not None:
                    doc.local_authority, doc.authority_key = found.name, found.key
            self._docs = docs
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

    def _key(self, name: str) -> str:
        found = self.registry.resolve(name)
        return found.key if found else authority_key(name)

    def _allowed_documents(self, filters: SearchFilters) -> list[int] | None:
        if dataclasses.replace(filters, section_kind=None).is_empty():  # the kind narrows passages, not reports
            return None
        docs = self.documents()
        known = {d.authority_key for d in docs.values() if d.authority_key} if filters.authorities else set()
        typed = {a: self._authority_filter_key(a, known) for a in filters.authorities}
        keys = set(typed.values())
        if keys:
            unknown = [a for a, key in typed.items() if key not in known]
            if unknown and len(unknown) == len(filters.authorities):
                names = self.authorities()
                starting = [n for n in names if _starts_a_word(n, unknown[0])]
                close = starting or difflib.get_close_matches(unknown[0], names, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
                raise QueryError(f"no report in the index is from {unknown[0]!r}{hint}")
        places = self._place_keys(filters)
        latest = set(self._latest_of_each(list(docs))) if filters.latest_only else None
        allowed = []
        for doc in docs.values():
            if keys and doc.authority_key not in keys:
                continue
            if places is not None and doc.authority_key not in places:
                continue
            if latest is not None and doc.id not in latest:
                continue
            if any(_grade_of(doc, j) not in grades for j, grades in filters.judgement_grades.items()):
                continue
            if filters.report_types and doc.report_type not in filters.report_types:
                continue
            if filters.grades and (doc.overall_grade or "") not in filters.grades:
                continue
            if filters.year_from is not None and not _year_matches(doc, filters.year_from, filters.year_to):
                continue
            allowed.append(doc.id)
        return allowed

    def documents_matching(self, filters: SearchFilters) -> list[int] | None:
        """Ids of the reports these filters allow (None: every report).

        Raises:
            QueryError: an authority filter that names no indexed report (with close names).
        """
        with self._lock:
            return self._allowed_documents(filters)

    def _authority_filter_key(self, name: str, indexed: set[str]) -> str:
        """The key of an authority as typed in the filter: any of its names, or the beginning of one
        word of exactly one indexed authority's name ("worc" + Enter: Worcestershire). `indexed`: the
        index's authority keys."""
        key = self._key(name)
        if key in indexed:
            return key
        starting = [n for n in self.authorities() if _starts_a_word(n, name)]
        return self._key(starting[0]) if len(starting) == 1 else key

    def _place_keys(self, filters: SearchFilters) -> set[str] | None:
        """Authority keys of the region and/or neighbourhood filters (None when neither is set)."""
        if filters.region is None and filters.neighbours_of is None:
            return None
        keys: set[str] | None = None
        if filters.region is not None:
            keys = {a.key for a in self.registry.in_region(filters.region)}
        if filters.neighbours_of is not None:
            home = self.registry.resolve(filters.neighbours_of)
            near = {home.key, *(a.key for a in self.registry.neighbours(home.name))} if home else set()
            keys = near if keys is None else keys & near
        return keys

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        k: int = DEFAULT_K,
        retriever: str = "hybrid",
    ) -> SearchResponse:
        """The passages that best answer a question, each cited, with the answering sentences marked.

        The question is read first (index/query.py): authorities, years, grades and recency words it
        names narrow or favour reports where `filters` leave them open, and leave the searched text.

        Args:
            query: the question as typed (control characters and excess length are dropped).
            filters: which reports may answer (default: all); see SearchFilters.build.
            k: how many passages at most, 1 to MAX_K (index/settings.py).
            retriever: "hybrid" (dense and lexical, fused), "dense" or "lexical".

        Returns:
            The response: results best first (near-identical passages of other reports folded into
            the first), and a message when there is nothing to show or nothing answers closely.

        Raises:
            QueryError: an unknown retriever, k out of range, or no words to search for; or an
                authority filter that matches no indexed report (the message suggests close names).
        """
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

    def plan(self, text: str) -> QueryPlan:
        """How this index reads a question: named authorities are matched against those it holds."""
        if self._plan_names is None:  # once per set of documents, not per query
            docs = self.documents()
            indexed = {d.authority_key for d in docs.values() if d.authority_key}
            known = {a.key for a in self.registry.authorities}
            extra = {d.local_authority: d.authority_key for d in docs.values()
                     if d.local_authority and d.authority_key and d.authority_key not in known}
            self._plan_names = (indexed, extra)
        indexed, extra = self._plan_names
        return read_question(text, indexed, self.registry, extra)

    def _search(self, text: str, filters: SearchFilters, k: int, retriever: str) -> SearchResponse:
        allowed_docs = self._allowed_documents(filters)
        if allowed_docs is not None and not allowed_docs:
            return SearchResponse(text, [], filters, "no report in the index matches these filters; remove some")
        n_candidates = max(self.settings.candidates, 4 * k)
        docs = self.documents()
        plan = self.plan(text)
        notes: list[str] = []
        topic = plan.topic if self.settings.strip_question_words else text

        # What the question's own words ask for narrows the reports where no filter already chose
        # (authorities, a region, a year range, grades, the latest report); named years only favour.
        if plan.absent and not plan.authorities and not filters.authorities:
            names = ", ".join(a.name for a in plan.absent)
            close = self._close_indexed(plan.absent)
            hint = f"; the closest in this index: {', '.join(close)}" if close else ""
            verb = "is" if len(plan.absent) == 1 else "are"
            return SearchResponse(text, [], filters, f"{names} {verb} not in this index{hint}",
                                  interpretation=f"reports of {names}")
        pool = allowed_docs if allowed_docs is not None else list(docs)
        narrowed = pool
        read_as = plan.describe()
        if plan.authorities and not filters.authorities:
            keys = {a.key for a in plan.authorities}
            narrowed = [d for d in narrowed if docs[d].authority_key in keys]
        if (plan.year_from is not None or plan.year_to is not None) and filters.year_from is None:
            first, last = plan.year_from or YEAR_RANGE[0], plan.year_to or YEAR_RANGE[1]
            narrowed = [d for d in narrowed if _year_matches(docs[d], first, last)]
        if plan.grades and not filters.grades:
            narrowed = [d for d in narrowed if _grade_of(docs[d], plan.grade_judgement) in plan.grades]
        if plan.latest:
            narrowed = self._latest_of_each(narrowed)
        if narrowed != pool:
            if not narrowed:
                return SearchResponse(
                    text, [], filters,
                    "no report in the index is " + "; ".join(read_as) + " (as the question reads)",
                    interpretation="; ".join(read_as) or None,
                )
            allowed_docs = narrowed
        if plan.absent:
            read_as.append(", ".join(a.name for a in plan.absent) + " not in this index")
        notes.extend(read_as)
        if filters.section_kind == "recommendations":
            notes.append("recommendations only")

        query_vector = _QueryVector(self.embedder, expand_for_embedding(topic)) if retriever != "lexical" else None
        match = None
        if retriever != "dense":
            related = self._related_words(topic)
            match, lexical_note = self._lexical_match(topic, [w for r in related for w in r.neighbours])
            if related:
                notes.append("also searched: " + "; ".join(
                    f"{', '.join(r.neighbours)} (for {r.word})" for r in related))
            if lexical_note:
                notes.append(lexical_note)
        concepts = self._concepts_named(topic) if retriever == "hybrid" else []
        if concepts:  # what the reports call what the question names (index/concepts.py)
            said = "also searched: " if self.settings.concept_weight and match is not None else "concepts: "
            notes.append(said + "; ".join(f"{', '.join(c.sector_terms[:3])} (for {c.name.lower()})"
                                          for c in concepts))
        of_year: list[int] | None = None
        if plan.years and filters.year_from is None:
            wanted = set(plan.years)
            pool = allowed_docs if allowed_docs is not None else list(docs)
            of_year = [d for d in pool if any(_year_matches(docs[d], y, y) for y in wanted)]
            if not of_year or len(of_year) == len(pool):
                of_year = None
                notes = [n for n in notes if not n.startswith("favouring 1") and not n.startswith("favouring 2")]
        kind = filters.section_kind
        dense, lexical, year_dense, year_lexical = self._retrieve(
            query_vector, match, allowed_docs, n_candidates, of_year, kind
        )
        # (ranking, weight) for fusion: dense and lexical, then the same two within the named years,
        # then the reports' summaries for a question that compares them.
        lists = [(dense, self.settings.dense_weight), (lexical, self.settings.lexical_weight)]
        named = {"dense": dense, "lexical": lexical}  # the same lists by name, for the learned stage
        if of_year is not None:
            lists += [(year_dense, self.settings.dense_weight), (year_lexical, self.settings.lexical_weight)]
            named.update(year_dense=year_dense, year_lexical=year_lexical)
        # Not for comparisons: their answer is each report's summary, whatever the area.
        if plan.judgement_area and self.settings.area_weight and retriever == "hybrid" and not plan.compares:
            in_area = self._area_chunks(plan.judgement_area)
            lists += [([p for p in dense if p[0] in in_area], self.settings.area_weight),
                      ([p for p in lexical if p[0] in in_area], self.settings.area_weight)]
            named.update(area_dense=lists[-2][0], area_lexical=lists[-1][0])
            notes.append(f"favouring the sections on {plan.area_label()}")
        few_reports = allowed_docs is not None and len(allowed_docs) <= self.settings.summary_for_few
        if retriever == "hybrid" and self.settings.summary_weight and (
                plan.compares or not plan.topic_words or few_reports):
            summaries = self._summary_passages(query_vector, allowed_docs, n_candidates, kind)
            if summaries:
                lists.append((summaries, self.settings.summary_weight))
                named["summaries"] = summaries
                if plan.compares:
                    notes.append("comparing the reports' summaries too")

        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, start=1)}
        lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical, start=1)}
        pairs = [([cid for cid, _ in ranking], w) for ranking, w in lists if ranking]
        if retriever == "hybrid" or of_year is not None:
            ranked = reciprocal_rank_fusion([r for r, _ in pairs], k=self.settings.rrf_k,
                                            weights=[w for _, w in pairs])
        else:
            ranked = dense or lexical
        if not ranked:
            return SearchResponse(text, [], filters, "nothing matched; try other words or remove filters")
        if self.settings.feedback_weight and retriever != "dense" and match is not None:
            again = self._feedback_list(ranked, topic, match, allowed_docs, n_candidates, kind)
            if again:
                named["feedback"] = again
                pairs.append(([cid for cid, _ in again], self.settings.feedback_weight))
                ranked = reciprocal_rank_fusion([r for r, _ in pairs], k=self.settings.rrf_k,
                                                weights=[w for _, w in pairs])
        if concepts and self.settings.concept_weight and match is not None:
            also = self._concept_list(concepts, topic, allowed_docs, n_candidates, kind)
            if also:
                named["concepts"] = also
                pairs.append(([cid for cid, _ in also], self.settings.concept_weight))
                ranked = reciprocal_rank_fusion([r for r, _ in pairs], k=self.settings.rrf_k,
                                                weights=[w for _, w in pairs])
        if retriever == "hybrid" and query_vector is not None and (
                self.settings.rerank_model is not None or self.reranker.recorder is not None):
            facts = self._question_facts(topic, plan, filters, concepts)
            self._rerank_context = (query_vector, plan.judgement_area if not plan.compares else None)
            ranked = self.reranker.rerank(RerankInput(facts, ranked, named, concepts), self.settings.rerank_model,
                                          self.settings.rerank_depth)
        if len(plan.authorities) > 1 and plan.region is None and not filters.authorities:
            ranked = self._interleave_authorities(ranked)
        elif self.settings.per_report and (allowed_docs is None or len(allowed_docs) > 1):
            ranked = self._spread_reports(ranked, self.settings.per_report)

        kept = self._collapse(ranked, k)
        terms = query_terms(topic)
        weights = term_weights(terms, self._doc_freqs(terms), self._chunk_count())
        docs = self.documents()
        missing_docs = {row.doc_id for row, _, _ in kept if row.doc_id not in docs}
        if missing_docs:  # added by an ingest running beside us
            self._docs = None
            docs = self.documents()
        kept = [item for item in kept if item[0].doc_id in docs]
        similarity = self._similarities([row.id for row, _, _ in kept], query_vector)
        results = []
        for (row, score, dupes), cosine in zip(kept, similarity, strict=True):
            results.append(
                SearchResult(
                    rank=len(results) + 1, chunk_id=row.id, doc_id=row.doc_id, text=row.text,
                    highlights=highlight_spans(row.text, weights), score=round(score, 6),
                    citation=_citation(docs[row.doc_id], row), duplicates=dupes,
                    dense_rank=dense_rank.get(row.id), lexical_rank=lexical_rank.get(row.id),
                    similarity=None if cosine is None else round(cosine, 4),
                )
            )
        message = None
        if self.settings.relevance_floor(self.embedder.name) is not None and query_vector is not None:
            results, message = self._apply_floor(results, topic)
        return SearchResponse(text, results, filters, message, interpretation="; ".join(notes) or None,
                              topic=topic)

    def _concepts_named(self, topic: str) -> list:
        """The concepts of the vocabulary (corpus/concepts.csv) that the question names."""
        if not self.settings.concepts:
            return []
        if self._vocabulary is False:
            try:
                self._vocabulary = default_vocabulary()
            except (OSError, ConceptFileError) as error:
                log.warning("concept vocabulary not read: %s", error)
                self._vocabulary = None
            self.reranker.vocabulary = self._vocabulary or None
        return self._vocabulary.named_in(topic) if self._vocabulary else []

    def _concept_list(self, concepts: list, topic: str, allowed_docs: list[int] | None, n: int,
                      kind: str | None) -> list[tuple[int, float]]:
        """A lexical ranking of the sector terms of the concepts the question names (the reports'
        words for what it asks in everyday words), without the terms the question already holds."""
        asked = " " + " ".join(words(topic)) + " "
        terms = [" ".join(words(t)) for c in concepts for t in c.sector_terms]
        terms = [t for t in dict.fromkeys(terms) if t and f" {t} " not in asked]
        if not terms:
            return []
        return self.store.lexical_search(fts_any(terms[:MAX_CONCEPT_TERMS]), n, allowed_docs, kind)

    def _question_facts(self, topic: str, plan: QueryPlan, filters: SearchFilters, concepts: list) -> QuestionFacts:
        terms = query_terms(topic)
        weights = term_weights(terms, self._doc_freqs(terms), self._chunk_count())
        named = len(filters.authorities) or (len(plan.authorities) if plan.region is None else 0)
        years = tuple(plan.years) if filters.year_from is None else (filters.year_from,)
        return QuestionFacts(topic=topic, term_weights=weights, years=years, authorities=named,
                             compares=plan.compares, has_area=plan.judgement_area is not None,
                             concepts=len(concepts), asks_recommendations=bool(_ASKS_TO_IMPROVE.search(topic)))

    def _passage_facts(self, chunk_ids: list[int]) -> list[PassageFacts]:
        """What the learned stage reads of each candidate (called within search, under the lock)."""
        query_vector, area = self._rerank_context
        rows = self.store.chunks(chunk_ids)
        docs = self.documents()
        cosines = self._similarities(chunk_ids, query_vector)
        if self._summary_set is None:
            if self._summary_ids is None:
                self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
            self._summary_set = set(self._summary_ids.tolist())
        if self._latest_docs is None:
            self._latest_docs = set(self._latest_of_each(list(docs)))
        in_area = self._area_chunks(area) if area else set()
        out = []
        for cid, cosine in zip(chunk_ids, cosines, strict=True):
            row = rows.get(cid)
            doc = docs.get(row.doc_id) if row else None
            date = _report_date(doc) if doc else ""
            out.append(PassageFacts(
                chunk_id=cid, doc_id=row.doc_id if row else -1, text=row.text if row else "",
                kind=row.kind if row else "findings", page=row.page_start if row else 1,
                cosine=cosine or 0.0, is_summary=cid in self._summary_set, in_area=cid in in_area,
                report_year=int(date[:4]) if date[:4].isdigit() else None,
                latest_of_authority=doc is not None and doc.id in self._latest_docs,
            ))
        return out

    def _similarities(self, chunk_ids: list[int], query_vector: _QueryVector | None) -> list[float | None]:
        """Cosine similarity of the question and each passage (None without a question embedding)."""
        if query_vector is None or not chunk_ids:
            return [None] * len(chunk_ids)
        vectors = self.store.vectors_for_chunks(np.asarray(chunk_ids, dtype=np.int64), self.embedder.dim)
        return [float(v) for v in vectors @ query_vector.get()]

    def floor_keeps(self, result: SearchResult, topic: str, distinctive: list[str] | None = None) -> bool:
        """True when a passage holds one of the question's distinctive words (the floor never hides it):
        its rare words, or in a small index where none is rare, its rarest. `distinctive`: those
        words' stems, when the caller already has them for this topic."""
        if distinctive is None:
            distinctive = self._distinctive(topic)
        text = " " + " ".join(stem(w) for w in words(result.text)) + " "
        return any(term in text for term in distinctive)

    def _distinctive(self, topic: str) -> list[str]:
        """The topic's distinctive terms as space-padded stem strings, ready to find in a passage."""
        terms = query_terms(topic)
        weights = term_weights(terms, self._doc_freqs(terms), self._chunk_count())
        chosen = [t for t, w in weights.items() if w >= self.settings.distinctive_idf]
        if not chosen and weights:
            chosen = [max(weights, key=weights.get)]
        return [" " + " ".join(stem(w) for w in t.split()) + " " for t in chosen]

    def _apply_floor(self, results: list[SearchResult], topic: str) -> tuple[list[SearchResult], str | None]:
        """Hide passages that neither mean what the question asks (cosine under the floor) nor use
        its distinctive words; when none is left, say so and show the closest few as such."""
        floor = self.settings.relevance_floor(self.embedder.name)
        distinctive = self._distinctive(topic)  # once for the question, not per passage

        def answers(result: SearchResult) -> bool:
            close = result.similarity is not None and floor is not None and result.similarity >= floor
            return close or self.floor_keeps(result, topic, distinctive)

        shown = [r for r in results if answers(r)]
        if shown:
            for rank, result in enumerate(shown, start=1):
                result.rank = rank
            return shown, None
        asked = ", ".join(content_words(topic)[:6]) or topic
        closest = results[:self.settings.closest_shown]
        for result in closest:
            result.below_floor = True
        where = "these reports" if results else "the index"
        return closest, f"no passage in {where} answers closely ({asked}); the closest are shown below"

    def _retrieve(
        self,
        query_vector: _QueryVector | None,
        match: str | None,
        allowed_docs: list[int] | None,
        n: int,
        subset: list[int] | None = None,
        kind: str | None = None,
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
            wanted = int(np.ceil(self.settings.subset_margin * n / max(share, 1e-9)))
            depth = max(n, min(self.settings.subset_depth, wanted))
        dense, lexical = self._retrieve_once(query_vector, match, allowed_docs, depth, kind)
        if subset is None:
            return dense, lexical, [], []
        sub_dense = self._within(dense, subset, n, complete=len(dense) < depth)
        sub_lexical = self._within(lexical, subset, n, complete=len(lexical) < depth)
        if sub_dense is None or sub_lexical is None:
            again_dense, again_lexical = self._retrieve_once(
                query_vector if sub_dense is None else None, match if sub_lexical is None else None, subset, n, kind
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
        self, query_vector: _QueryVector | None, match: str | None, allowed_docs: list[int] | None, n: int,
        kind: str | None = None,
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        lexical = (self._lexical_thread.submit(self.store.lexical_search, match, n, allowed_docs, kind)
                   if match else None)
        dense: list[tuple[int, float]] = []
        try:
            if query_vector is not None:
                allowed_chunks = self._allowed_chunks(allowed_docs, kind)
                dense = self.vectors.search(query_vector.get(), n, allowed_chunks)
        finally:
            found = lexical.result() if lexical is not None else []
        return dense, found

    def _allowed_chunks(self, allowed_docs: list[int] | None, kind: str | None) -> np.ndarray | None:
        """The passages a search may return: those of allowed_docs (all when None), of `kind` if set."""
        chunks = None if allowed_docs is None else self._chunks_of(allowed_docs)
        if kind is None:
            return chunks
        if kind not in self._kind_ids:
            self._kind_ids[kind] = self.store.kind_chunk_ids(kind)
        of_kind = self._kind_ids[kind]
        return of_kind if chunks is None else np.intersect1d(chunks, of_kind, assume_unique=True)

    def _summary_passages(
        self, query_vector: _QueryVector, allowed_docs: list[int] | None, n: int, kind: str | None = None
    ) -> list[tuple[int, float]]:
        """The passages of the reports' own summaries closest to the question, within allowed_docs."""
        if self._summary_ids is None:
            self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
        ids = self._summary_ids
        allowed = self._allowed_chunks(allowed_docs, kind)
        if allowed is not None:
            ids = np.intersect1d(ids, allowed, assume_unique=True)
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

    def _close_indexed(self, absent: list) -> list[str]:
        """Indexed authorities with names like the absent ones', else their statistical neighbours."""
        names = self.authorities()
        close: list[str] = []
        for authority in absent:
            for name in difflib.get_close_matches(authority.name, names, n=3, cutoff=0.7):
                if name not in close:
                    close.append(name)
        if not close:
            indexed = {d.authority_key for d in self.documents().values()}
            for authority in absent:
                for code in authority.neighbours:
                    neighbour = self.registry.by_code(code)
                    if neighbour is not None and neighbour.key in indexed and neighbour.name not in close:
                        close.append(neighbour.name)
            close = close[:3]
        return close

    def _latest_of_each(self, doc_ids: list[int]) -> list[int]:
        """The newest report of each authority among these.

        An inspection report comes before any other Ofsted publication (a monitoring or focused visit
        letter, which has no grades): the latest report of an authority is its latest inspection, so
        `--latest --grade inadequate` stays "the councils inadequate now". An authority with letters
        only among these keeps its newest letter.
        """
        docs = self.documents()
        newest: dict[str, int] = {}

        def rank(doc: DocumentRow) -> tuple[bool, str]:
            return doc.report_type != OTHER_PUBLICATION, _report_date(doc)

        for d in doc_ids:
            key = docs[d].authority_key or f"#{d}"
            if key not in newest or rank(docs[d]) > rank(docs[newest[key]]):
                newest[key] = d
        return sorted(newest.values())

    def _area_chunks(self, area: str) -> set[int]:
        """Chunk ids in the report sections on one judgement area, and in the reports' summaries
        (which state each area's judgement and its reasons)."""
        if area not in self._area_ids:
            fragments = JUDGEMENT_AREAS[area][1]
            ids = set(self.store.chunk_ids_in_sections_like(fragments).tolist())
            if self.settings.area_with_summary:
                if self._summary_ids is None:
                    self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
                ids |= set(self._summary_ids.tolist())
            self._area_ids[area] = ids
        return self._area_ids[area]

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
        head = ranked[:self.settings.candidates]
        count: dict[int, int] = {}
        top, deferred = [], []
        for (cid, score), doc in zip(head, self._documents_of([cid for cid, _ in head]), strict=True):
            count[doc] = count.get(doc, 0) + 1
            (top if count[doc] <= cap else deferred).append((cid, score))
        return top + deferred + ranked[self.settings.candidates:]

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
                    same = next((i for i, g in enumerate(shingles)
                                 if _jaccard(grams, g) >= self.settings.near_duplicate), None)
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

    def _related_words(self, topic: str) -> list[thesaurus.Related]:
        """The reports' words for the question's words that few passages hold (index/thesaurus.py)."""
        if self.settings.thesaurus_similarity is None:
            return []
        # Rare as the lexical index counts (stemmed): "removing" is rare as a word, "remov" is not.
        # A capitalised word inside the sentence is a name ("Arthur", "Ukraine"): the vocabulary holds
        # no names, so its nearest words would be noise.
        names = {m.group(0).lower() for m in _NAME_INSIDE.finditer(topic)}
        candidates = [w for w in dict.fromkeys(content_words(topic))
                      if w.isalpha() and len(w) >= 4 and w not in names]
        frequencies = self._doc_freqs(candidates)
        most = self.settings.thesaurus_rare * self._chunk_count()
        rare = [w for w in candidates if frequencies[w] <= most]
        if not rare:  # most questions: the vocabulary is not even loaded
            return []
        found = self.corpus_thesaurus()
        if not len(found):
            return []
        # A vocabulary word's embedding is stored: only a word the reports hardly use is embedded now.
        stored = {w: found.vector_of(w) for w in rare}
        missing = [w for w in rare if stored[w] is None and w not in self._word_vectors]
        if missing:
            if len(self._word_vectors) > WORD_VECTORS_KEPT:
                self._word_vectors.clear()
            self._word_vectors.update(zip(missing, self.embedder.encode(missing), strict=True))
        vectors = np.stack([stored[w] if stored[w] is not None else self._word_vectors[w] for w in rare])
        return found.related(rare, vectors, self.settings.thesaurus_similarity)

    def corpus_thesaurus(self) -> thesaurus.Thesaurus:
        """The corpus vocabulary with its embeddings, read from the index once until it changes.
        (Called within search, which holds the lock.)"""
        if self._thesaurus is None:
            self._thesaurus = self.store.thesaurus()
        return self._thesaurus

    def _lexical_match(self, text: str, extra: list[str] | None = None) -> tuple[str | None, str | None]:
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
        terms = lexical_terms(text, reverse=self.settings.reverse_glossary)
        terms += [w for w in extra or () if w not in terms]
        if not terms:
            return None, None
        freqs = self._doc_freqs(terms)
        limit = self.settings.common_share * self._chunk_count()
        common = {w for w, df in freqs.items() if df > limit}
        cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms if t not in common}
        if not cost:  # every word is common: rank by them all, if that is affordable
            cost = {t: sum(freqs.get(w, 0) for w in t.split()) for t in terms}
        kept, spent = [], 0
        for term in sorted(cost, key=cost.get):
            if spent + cost[term] <= self.settings.postings_budget:
                kept.append(term)
                spent += cost[term]
        if kept:
            return fts_any(kept), None
        single = sorted(set(content_words(text)), key=lambda w: self._doc_freqs([w])[w])
        if len(single) > 1 and self.store.count_matches(fts_all(single)) <= self.settings.postings_budget:
            return fts_all(single), "keywords: only passages with all of " + ", ".join(single)
        return None, "keywords skipped: each is in too many passages to rank by; ranked by meaning"

    def _feedback_list(
        self, ranked: list[tuple[int, float]], topic: str, match: str, allowed_docs: list[int] | None, n: int,
        kind: str | None = None,
    ) -> list[tuple[int, float]]:
        """A lexical ranking of the question's terms plus the words its best passages share (RM3-like).

        Each word of the first ranking's top passages scores its share of each passage, weighted by
        the passage's rank and by the word's rarity; the best few that the question lacks join the
        question's own terms. Users ask in everyday words; the passages that answer share the
        reports' own terms ("workloads", "caseloads"), which this finds from the first answers.
        """
        top = [cid for cid, _ in ranked[:self.settings.feedback_passages]]
        if len(top) < 3:
            return []
        rows = self.store.chunks(top)
        n_chunks = self._chunk_count()
        asked = {_porter(w) for w in words(topic)}
        passages = []
        for cid in top:
            row = rows.get(cid)
            text = row.text if row else ""
            passages.append([w for w in words(text) if len(w) > 2 and not w.isdigit() and w not in STOPWORDS])
        vocabulary = self._stem_counts({_porter(w) for tokens in passages for w in tokens})
        scores: dict[str, float] = {}
        shown: dict[str, str] = {}
        for position, tokens in enumerate(passages):
            if not tokens:
                continue
            weight = 1.0 / (position + 1)
            for word in dict.fromkeys(tokens):  # in passage order: the same words, ties and results every run
                root = _porter(word)
                df = vocabulary.get(root, 0)
                if root in asked or df < 2 or df > max(self.settings.feedback_max_share * n_chunks, 3):
                    continue
                share = tokens.count(word) / len(tokens)
                scores[root] = scores.get(root, 0.0) + weight * share * np.log(n_chunks / df)
                shown.setdefault(root, word)
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[: self.settings.feedback_terms]
        chosen = [shown[root] for root, _ in best]
        if not chosen:
            return []
        # The question's terms as the first lexical list searched them (within its postings budget),
        # and the new words, each in a few passages only: about the cost of the first list again.
        return self.store.lexical_search(f"{match} OR {fts_any(chosen)}", n, allowed_docs, kind)

    def _stem_counts(self, stems: set[str]) -> dict[str, int]:
        """Passages holding each stem, remembered until the index changes."""
        todo = [s for s in stems if s not in self._vocab]
        if todo:
            self._vocab.update(self.store.stem_document_counts(todo))
        return {s: self._vocab[s] for s in stems}

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


def _trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + 3]) for i in range(max(0, len(tokens) - 2))}


def _jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _report_date(doc: DocumentRow) -> str:
    return doc.published or doc.inspection_end or doc.inspection_start or ""


def _grade_of(doc: DocumentRow, judgement: str) -> str | None:
    if judgement == "overall_effectiveness":
        return doc.overall_grade or doc.judgements.get("overall_effectiveness")
    return doc.judgements.get(judgement) or (doc.judgements.get("in_care") if judgement == "care_leavers" else None)


def _starts_a_word(name: str, typed: str) -> bool:
    """True when `typed` (three letters or more) begins one of the words of `name`, any case."""
    typed = " ".join(typed.lower().split())
    return len(typed) >= 3 and any(part.startswith(typed) for part in
                                   (name.lower()[m.start():] for m in re.finditer(r"\b\w", name)))


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
        section=row.section, overall_grade=doc.overall_grade, published_estimated=doc.published_estimated,
    )
