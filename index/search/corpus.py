"""`CorpusView`: what the search stages read of one index, and what they remember of it between questions.

Every read a stage makes goes through here: reports, passages, the passage-to-report map, word
counts, the corpus thesaurus, the dense and lexical indexes and the embedder. The caches that were
the Searcher's (reports, the passage map, document frequencies, summary and section passages,
question-word embeddings) live here, and `refresh` forgets them when documents change. A stage
holds nothing between questions; a test gives it a fake view instead (tests/index/search/fakes.py).

Not thread-safe: the Searcher calls the stages under its lock (sqlite3 connections and the
tokenizer are not re-entrant). Settings are never read here: a stage passes what it needs.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from index import lexical, passage_words, sorted_ids, thesaurus
from index.concepts import ConceptFileError, ConceptVocabulary, default_vocabulary
from index.embed import Embedder
from index.highlight import term_weights
from index.query import JUDGEMENT_AREAS
from index.search.report_table import ReportTable
from index.spelling import SpellingCorrector
from index.store import ChunkRow, ChunkStore, DocumentRow
from index.vectors import VectorIndex
from ingest.authorities import AuthorityRegistry, default_registry
from ingest.metadata import authority_key

log = logging.getLogger(__name__)

SUMMARY_SECTIONS = ("summary", "executive summary")
WORD_VECTORS_KEPT = 20_000  # question words' embeddings kept (1.5 KB each)
ROWS_REMEMBERED = 4096  # passages kept in memory once read (about 1.5 KB each)
DOCUMENT_SETS_KEPT = 4  # sets of reports whose passages are remembered (a question's filters, its years)


class CorpusView:
    """One index as the search stages see it: its reads, and the caches that spare repeating them."""

    def __init__(
        self, store: ChunkStore, vectors: VectorIndex, embedder: Embedder, registry: AuthorityRegistry | None = None
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.registry: AuthorityRegistry = registry or default_registry()
        self._docs: dict[int, DocumentRow] | None = None
        self._report_table: ReportTable | None = None
        self._report_table_of: dict[int, DocumentRow] | None = None  # the documents() it was made of
        self._df_cache: dict[str, int] = {}
        # Embeddings of question words the vocabulary lacks; a word's embedding never changes.
        self._word_vectors: dict[str, np.ndarray] = {}
        self._n_chunks: int | None = None
        self._chunk_docs: tuple[np.ndarray, np.ndarray] | None = None
        # The lexical query runs here while the question is embedded (SQLite and BLAS both release
        # the GIL), so a hybrid query costs about the slower of the two, not their sum.
        self._lexical_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexical")
        self._thesaurus: thesaurus.Thesaurus | None = None
        self._spelling: SpellingCorrector | None = None
        self._area_ids: dict[str, set[int]] = {}
        self._vocab: dict[str, int] = {}
        self._plan_names: tuple[set[str], dict[str, str]] | None = None
        self._summary_ids: np.ndarray | None = None
        self._kind_ids: dict[str, np.ndarray] = {}  # section kind -> its passages' ids
        self._concepts: ConceptVocabulary | None | bool = False  # False: not read yet
        self._latest: set[int] | None = None
        # The lexical postings in memory (index/lexical.py); False: not looked for since the last refresh.
        self._lexical: lexical.LexicalScorer | None | bool = False
        self._lexical_said = False
        # The passages' words by sentence (index/passage_words.py); False: not looked for since the last refresh.
        self._words: passage_words.PassageWords | None | bool = False
        self._rows: OrderedDict[int, ChunkRow] = OrderedDict()  # passages read lately, by id
        self._rows_lock = threading.Lock()
        self._chunks_of: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()  # chunks_of's last answers

    def refresh(self) -> None:
        """Forget everything remembered of the index (after documents were added or removed)."""
        self._docs = None
        self._n_chunks = None
        self._chunk_docs = None
        self._summary_ids = None
        self._latest = None
        self._kind_ids.clear()
        self._area_ids.clear()
        self._vocab.clear()
        self._plan_names = None
        self._thesaurus = None
        self._spelling = None
        self._df_cache.clear()
        self._lexical = False
        self._words = False
        self._chunks_of.clear()
        with self._rows_lock:
            self._rows.clear()

    def close(self) -> None:
        """Stop the lexical query thread."""
        self._lexical_thread.shutdown(wait=False)

    # -- reports ----------------------------------------------------------------------------------
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

    def forget_documents(self) -> None:
        """Read the reports again on next need (one was added beside us since they were read)."""
        self._docs = None
        self._report_table = None

    def report_table(self) -> ReportTable:
        """The reports as arrays (report_table.py), for filtering them all at once; made once per set."""
        docs = self.documents()
        if self._report_table is None or self._report_table_of is not docs:
            self._report_table, self._report_table_of = ReportTable(docs), docs
        return self._report_table

    def authorities(self) -> list[str]:
        """One display name per authority (reports print some names in several ways)."""
        by_key: dict[str, str] = {}
        for doc in self.documents().values():
            name = doc.local_authority
            if name and doc.authority_key and len(name) > len(by_key.get(doc.authority_key, "")):
                by_key[doc.authority_key] = name
        return sorted(by_key.values(), key=str.lower)

    def authority_key(self, name: str) -> str:
        """The key of an authority by any of its names (the registry's, else one made of the name)."""
        found = self.registry.resolve(name)
        return found.key if found else authority_key(name)

    def plan_names(self) -> tuple[set[str], dict[str, str]]:
        """(indexed authority keys, {name: key} of indexed authorities the registry lacks), for
        reading a question: once per set of documents, not per query."""
        if self._plan_names is None:
            docs = self.documents()
            indexed = {d.authority_key for d in docs.values() if d.authority_key}
            known = {a.key for a in self.registry.authorities}
            extra = {d.local_authority: d.authority_key for d in docs.values()
                     if d.local_authority and d.authority_key and d.authority_key not in known}
            self._plan_names = (indexed, extra)
        return self._plan_names

    # -- passages ---------------------------------------------------------------------------------
    def chunks(self, chunk_ids: Sequence[int]) -> dict[int, ChunkRow]:
        """The passages by id (those deleted since are missing), the most recently read remembered:
        the same passages lead question after question (feedback, the learned stage, the answer)."""
        with self._rows_lock:
            found = {cid: row for cid in chunk_ids if (row := self._rows.get(cid)) is not None}
            for cid in found:
                self._rows.move_to_end(cid)
        missing = [cid for cid in chunk_ids if cid not in found]
        if missing:
            read = self.store.chunks(missing)
            with self._rows_lock:
                self._rows.update(read)
                while len(self._rows) > ROWS_REMEMBERED:
                    self._rows.popitem(last=False)
            found.update(read)
        return found

    def chunk_count(self) -> int:
        """How many passages the index holds (at least 1)."""
        if self._n_chunks is None:
            self._n_chunks = max(1, self.store.counts()["chunks"])
        return self._n_chunks

    def chunk_map(self) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids ascending, their document ids), held in memory until the next refresh."""
        if self._chunk_docs is None:
            scorer = self.lexical_scorer()  # its postings hold the map, memory-mapped: no SQL at start
            self._chunk_docs = (np.asarray(scorer.postings.rowids), np.asarray(scorer.postings.doc_ids)) \
                if scorer is not None else self.store.chunk_documents()
        return self._chunk_docs

    def documents_of(self, chunk_ids: Sequence[int]) -> list[int]:
        """The document of each chunk (-1 for one added since the map was read)."""
        ids, docs = self.chunk_map()
        at, found = sorted_ids.find(ids, chunk_ids)
        return np.where(found, docs[at], -1).tolist() if len(ids) else [-1] * len(chunk_ids)

    def chunks_of(self, doc_ids: Sequence[int]) -> np.ndarray:
        """Chunk ids of these documents (read-only), from a map held in memory (no SQL on the dense
        path); the last few sets asked for are remembered, as each list of a question asks again."""
        key = tuple(doc_ids)
        found = self._chunks_of.get(key)
        if found is not None:
            self._chunks_of.move_to_end(key)
            return found
        chunk_ids, chunk_docs = self.chunk_map()
        if not len(chunk_ids):
            return chunk_ids
        wanted = np.zeros(int(max(chunk_docs.max(), max(doc_ids, default=0))) + 1, dtype=bool)
        wanted[np.asarray(doc_ids, dtype=np.int64)] = True
        found = chunk_ids[wanted[chunk_docs]]  # a gather, not a sort: ~2 ms at a million passages
        found.flags.writeable = False  # shared by every caller until forgotten
        self._chunks_of[key] = found
        if len(self._chunks_of) > DOCUMENT_SETS_KEPT:
            self._chunks_of.popitem(last=False)
        return found

    def allowed_chunks(self, allowed_docs: Sequence[int] | None, kind: str | None) -> np.ndarray | None:
        """The passages a search may return: those of allowed_docs (all when None), of `kind` if set."""
        chunks = None if allowed_docs is None else self.chunks_of(allowed_docs)
        if kind is None:
            return chunks
        if kind not in self._kind_ids:
            self._kind_ids[kind] = self.store.kind_chunk_ids(kind)
        of_kind = self._kind_ids[kind]
        return of_kind if chunks is None else np.intersect1d(chunks, of_kind, assume_unique=True)

    def concepts(self) -> ConceptVocabulary | None:
        """The concept vocabulary (corpus/concepts.csv), read once; None (logged once) if unreadable."""
        if self._concepts is False:
            try:
                self._concepts = default_vocabulary()
            except (OSError, ConceptFileError) as error:
                log.warning("concept vocabulary not read: %s", error)
                self._concepts = None
        return self._concepts

    def latest_documents(self) -> set[int]:
        """Ids of each authority's newest inspection report (latest.latest_of_each's rule), until a refresh."""
        if self._latest is None:
            table = self.report_table()
            self._latest = set(table.latest_of_each(np.ones(len(table), dtype=bool)))
        return self._latest

    def summary_ids(self) -> np.ndarray:
        """Ids of the passages of the reports' own summaries (SUMMARY_SECTIONS), ascending."""
        if self._summary_ids is None:
            self._summary_ids = self.store.chunk_ids_in_sections(SUMMARY_SECTIONS)
        return self._summary_ids

    def area_chunks(self, area: str, with_summary: bool) -> set[int]:
        """Chunk ids in the report sections on one judgement area (index/query.py's JUDGEMENT_AREAS),
        and with_summary, in the reports' summaries (which state each area's judgement and its reasons).

        Remembered per area, as first asked (a searcher's settings do not switch summaries in and out)."""
        if area not in self._area_ids:
            fragments = JUDGEMENT_AREAS[area][1]
            ids = set(self.store.chunk_ids_in_sections_like(fragments).tolist())
            if with_summary:
                ids |= set(self.summary_ids().tolist())
            self._area_ids[area] = ids
        return self._area_ids[area]

    # -- words ------------------------------------------------------------------------------------
    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        """Passages holding each word of these terms (a phrase counts as its words), remembered."""
        single = {w for term in terms for w in term.split()}
        todo = [w for w in single if w not in self._df_cache]
        if todo:
            scorer = self.lexical_scorer()  # counted off the postings in memory, without SQL
            if scorer is not None:
                self._df_cache.update({w: scorer.passages_with(w.replace('"', "")) for w in todo})
            else:
                self._df_cache.update(self.store.document_frequencies(todo))
        return {w: self._df_cache.get(w, 0) for w in single}

    def stem_counts(self, stems: set[str]) -> dict[str, int]:
        """Passages holding each stem (as FTS5 indexes them), remembered until the index changes."""
        todo = [s for s in stems if s not in self._vocab]
        if todo:
            scorer = self.lexical_scorer()
            self._vocab.update({s: scorer.token_passages(s) for s in todo} if scorer is not None
                               else self.store.stem_document_counts(todo))
        return {s: self._vocab[s] for s in stems}

    def term_weights(self, terms: list[str]) -> dict[str, float]:
        """Each query term's weight for highlighting and the floor: its rarity among the passages."""
        return term_weights(terms, self.doc_freqs(terms), self.chunk_count())

    def thesaurus(self) -> thesaurus.Thesaurus:
        """The corpus vocabulary with its embeddings, read from the index once until it changes."""
        if self._thesaurus is None:
            self._thesaurus = self.store.thesaurus()
        return self._thesaurus

    def indexed_passages(self, word: str) -> int:
        """Passages the lexical index finds for one word (by its stem, as FTS5 stems it), remembered."""
        return self.doc_freqs([word])[word]

    def spelling(self) -> SpellingCorrector:
        """The corrector of misspelt question words (index/spelling.py) over the thesaurus's vocabulary,
        made once until the index changes (its SymSpell dictionary is built on the first unknown word)."""
        if self._spelling is None:
            # The words' counts only: a cold `ask` need not read the vocabulary's 13 MB of vectors.
            counts = self._thesaurus.counts() if self._thesaurus is not None else self.store.word_counts()
            self._spelling = SpellingCorrector(counts, indexed=self.indexed_passages)
        return self._spelling

    def word_vectors(self, words: list[str]) -> np.ndarray:
        """Embeddings of these words, one row each; each word is embedded once and remembered."""
        missing = [w for w in words if w not in self._word_vectors]
        if missing:
            if len(self._word_vectors) > WORD_VECTORS_KEPT:
                self._word_vectors.clear()
                missing = list(dict.fromkeys(words))  # those remembered went too
            self._word_vectors.update(zip(missing, self.embedder.encode(missing), strict=True))
        return np.stack([self._word_vectors[w] for w in words])

    # -- the indexes ------------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The embedding model's name (the relevance floor is per model)."""
        return self.embedder.name

    def embed(self, text: str) -> np.ndarray:
        """The embedding of one text."""
        return self.embedder.encode([text])[0]

    def dense_search(
        self, vector: np.ndarray, n: int, chunk_ids: np.ndarray | None, widen: bool = True
    ) -> list[tuple[int, float]]:
        """[(chunk id, cosine)] best first, among chunk_ids (None: all); see VectorIndex.search."""
        return self.vectors.search(vector, n, chunk_ids, widen=widen)

    def lexical_search(
        self, match: str, n: int, allowed_docs: Sequence[int] | None, kind: str | None
    ) -> list[tuple[int, float]]:
        """[(chunk id, -bm25)] best first, for an FTS5 MATCH expression: FTS5's own ranking, scored
        from the postings in memory (index/lexical.py) when the index has them up to date, else by
        SQLite (ChunkStore.lexical_search): the same results either way."""
        scorer = self.lexical_scorer()
        if scorer is not None and scorer.handles(match):
            return scorer.search(match, n, self.allowed_chunks(allowed_docs, kind))
        return self.store.lexical_search(match, n, allowed_docs, kind)

    def lexical_search_later(
        self, match: str, n: int, allowed_docs: Sequence[int] | None, kind: str | None
    ) -> Future[list[tuple[int, float]]]:
        """lexical_search on the lexical thread, while the caller embeds the question."""
        scorer = self.lexical_scorer()
        if scorer is not None and scorer.handles(match):
            allowed = self.allowed_chunks(allowed_docs, kind)  # here: the caches are this thread's to fill
            return self._lexical_thread.submit(scorer.search, match, n, allowed)
        return self._lexical_thread.submit(self.store.lexical_search, match, n, allowed_docs, kind)

    def lexical_scorer(self) -> lexical.LexicalScorer | None:
        """The in-memory BM25 over this index's saved postings; None (FTS5 ranks) when the index has
        none or they are older than the store (an ingest writes them when it finishes)."""
        if self._lexical is False:
            postings = lexical.load(self.store.path.parent, lexical.store_signature(self.store.db))
            self._lexical = None if postings is None else lexical.LexicalScorer(postings)
            if postings is None and not self._lexical_said:
                self._lexical_said = True
                log.info("keyword ranking by SQLite FTS5 (slower, same results): the index at %s has no "
                         "up-to-date lexical postings; the next ingest into it writes them", self.store.path.parent)
        return self._lexical if isinstance(self._lexical, lexical.LexicalScorer) else None

    def sentences_of(self, chunk_ids: Sequence[int]) -> dict[int, passage_words.Sentences]:
        """Each passage's stemmed words by sentence, from the index's saved passage words when they
        match the store; {} without them (the ranking stage then splits the passages itself)."""
        if self._words is False:
            self._words = passage_words.load(self.store.path.parent, lexical.store_signature(self.store.db))
        words = self._words
        if not isinstance(words, passage_words.PassageWords):
            return {}
        return words.of_many(chunk_ids)

    def count_matches(self, match: str) -> int:
        """Passages an FTS5 MATCH expression finds: off the postings in memory when the index has them
        up to date, else by SQLite (which walks the posting lists, scoring nothing)."""
        scorer = self.lexical_scorer()
        if scorer is not None and scorer.handles(match):
            return scorer.count(match)
        return self.store.count_matches(match)

    def vectors_of(self, chunk_ids: Sequence[int]) -> np.ndarray:
        """The stored embeddings of these passages, one row each: from the vector index, which holds the
        store's vectors bit for bit (25 times quicker than SQLite), else from the store."""
        ids = np.asarray(chunk_ids, dtype=np.int64)
        held = self.vectors.held_vectors(ids)
        return held if held is not None else self.store.vectors_for_chunks(ids, self.embedder.dim)
