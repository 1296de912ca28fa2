"""One index directory: its lifecycle verbs (load, upsert, delete, search, save, close).

Layout of the directory:
    chunks.sqlite   documents, pages, chunks, embeddings (by content hash), FTS5 table, the corpus
                    vocabulary with its word embeddings (the thesaurus)
    vectors.faiss   FAISS copy of the embeddings, keyed by chunk id
    ingest.lock     held by the one process that may write
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import numpy as np

from index import lexical, passage_words
from index.embed import Embedder, embedder_for_model, load_embedder
from index.location import DB_NAME, default_index_dir
from index.search import Searcher, SearchFilters, SearchResponse
from index.settings import DEFAULT_K, SearchSettings
from index.store import SCHEMA_VERSION, ChunkStore, IndexMismatchError, embed_input
from index.themes import build_themes
from index.thesaurus import vocabulary
from index.vectors import VectorIndex
from ingest.models import ParsedReport
from ingest.recommendations import split_points

log = logging.getLogger(__name__)

VECTORS_NAME = "vectors.faiss"
EMBED_BATCH = 64  # passages per forward pass; sentence-transformers sorts them by length first
WORD_BATCH = 256  # single words are short: bigger batches


def embed_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class IndexNotFoundError(FileNotFoundError):
    """No index at the folder given (or one whose first ingest never finished); the message says how to build one."""


class ReportIndex:
    """One index folder, open: its passages (`store`), their vectors, the model, and a `searcher`.

    Open it with `ReportIndex.load`; close it with `close` (which saves the vectors of a writable one).
    """

    def __init__(self, directory: Path, store: ChunkStore, embedder: Embedder, read_only: bool,
                 settings: SearchSettings | None = None) -> None:
        self.directory = directory
        self.store = store
        self.embedder = embedder
        self.read_only = read_only
        self.vectors = VectorIndex.load(directory / VECTORS_NAME, embedder.dim)
        added, removed = self.vectors.sync_with(
            store.chunk_ids(), lambda ids: store.vectors_for_chunks(ids, embedder.dim)
        )
        if added or removed:
            log.info("vector file brought up to date with the chunk store (+%d, -%d)", added, removed)
            if not read_only:
                self.vectors.save(directory / VECTORS_NAME)
        self.searcher = Searcher(store, self.vectors, embedder, settings)
        self._vectors_mtime = self._mtime()
        self._closed = False

    @classmethod
    def load(
        cls,
        directory: str | Path | None = None,
        embedder: Embedder | None = None,
        create: bool = False,
        read_only: bool = False,
        settings: SearchSettings | None = None,
    ) -> ReportIndex:
        """Open an index folder.

        Args:
            directory: the folder (default: $OFSTED_QA_INDEX, else ./data/index).
            embedder: the model (default: load_embedder(), which $OFSTED_QA_EMBEDDER may choose).
            create: make the folder and an empty index if none is there.
            read_only: open for searching only (nothing is written, not even a vector repair).
            settings: how its searcher ranks (default: SearchSettings()).

        Returns:
            The open index; its vectors are brought up to date with the stored passages.

        Raises:
            IndexNotFoundError: no index there (and not `create`), or its first ingest never finished.
            IndexMismatchError: the index was built with another model than `embedder`.
        """
        directory = Path(directory) if directory else default_index_dir()
        db_path = directory / DB_NAME
        if not db_path.exists():
            if not create:
                raise IndexNotFoundError(
                    f"no index at {directory}; build one with: ofsted-qa ingest PDF_DIR --index {directory}"
                )
            directory.mkdir(parents=True, exist_ok=True)
        if read_only and db_path.exists():
            _upgrade_if_older(db_path)
        store = ChunkStore(db_path, read_only=read_only and db_path.exists())
        if not store.is_initialised():  # only read-only: a writable store makes its schema on opening
            store.close()
            raise IndexNotFoundError(
                f"the index at {directory} was never finished (its first ingest stopped before it wrote "
                f"anything); build it with: ofsted-qa ingest PDF_DIR --index {directory}"
            )
        embedder = embedder or load_embedder()
        try:
            store.check_or_set_model(embedder.name, embedder.dim) if not read_only else _check_model(store, embedder)
        except IndexMismatchError as exc:
            recorded = store.get_meta("model_name")
            store.close()
            raise IndexMismatchError(_mismatch_advice(str(exc), recorded, directory)) from None
        return cls(directory, store, embedder, read_only, settings)

    # -- writing ------------------------------------------------------------------------------
    def embed_new(self, reports: list[ParsedReport]) -> dict[str, np.ndarray]:
        """Embed, in one model call, the passages of these reports that no stored passage shares.

        Args:
            reports: parsed reports about to be upserted.
        Returns:
            Embedding by content hash (index.report_index.embed_hash of the passage's embedding input),
            for `upsert`'s `vectors`; empty when every passage is stored already.
        """
        todo: dict[str, str] = {}
        for report in reports:
            for chunk in report.chunks:
                text = embed_input(chunk)
                todo.setdefault(embed_hash(text), text)
        for known in self.store.known_hashes(todo):
            del todo[known]
        if not todo:
            return {}
        vectors = self.embedder.encode(list(todo.values()), batch_size=EMBED_BATCH)
        return dict(zip(todo.keys(), vectors, strict=True))

    def upsert(
        self,
        report: ParsedReport,
        path: str | None = None,
        replaces: int | None = None,
        vectors: dict[str, np.ndarray] | None = None,
    ) -> int:
        """Add a parsed report (replacing document `replaces`) in one transaction.

        Only text never seen before is embedded; `vectors` may carry embeddings made ahead by
        `embed_new` for a batch of reports.

        Args:
            report: the parsed PDF (ingest.pipeline.parse_report).
            path: the file name to record (default: report.path).
            replaces: the id of the document this one replaces (its passages and vectors go).
            vectors: embeddings by content hash, made ahead by `embed_new`.
        Returns:
            The new document's id.
        Raises:
            sqlite3.Error, OSError: the write failed (nothing of it is kept); the index is read-only.
        """
        path = path or report.path
        hashes = [embed_hash(embed_input(c)) for c in report.chunks]
        vectors = dict(vectors or {})
        missing = [h for h in set(hashes) if h not in vectors]
        if missing and self.store.known_hashes(missing) != set(missing):
            vectors.update(self.embed_new([report]))
        wanted = {h: vectors[h] for h in set(hashes) if h in vectors}
        doc_id, chunk_ids, removed = self.store.replace_document(report, path, hashes, wanted, replaces)
        self.vectors.remove(removed)
        if chunk_ids:
            ids = np.asarray(chunk_ids)
            self.vectors.add(ids, self.store.vectors_for_chunks(ids, self.embedder.dim))
        self.searcher.refresh()
        return doc_id

    def delete(self, doc_id: int) -> int:
        """Remove a document, whatever its names, with its passages and vectors.

        Args:
            doc_id: the document's id (as in SearchResult.doc_id).
        Returns:
            How many passages went (0 for an unknown id).
        """
        removed = self.store.delete_document(doc_id)
        self.vectors.remove(removed)
        self.searcher.refresh()
        return len(removed)

    def remove_path(self, path: str) -> bool:
        """Forget a file name; its document goes with its last name.

        Args:
            path: a path as ingested (the store keeps resolved paths).
        Returns:
            True if the path was known.
        """
        found = self.store.document_by_path(path)
        if found is None:
            return False
        before = set(self.store.chunk_ids_for_documents([found[0]]).tolist())
        self.store.remove_path(path)
        after = set(self.store.chunk_ids_for_documents([found[0]]).tolist())
        self.vectors.remove(sorted(before - after))
        self.searcher.refresh()
        return True

    def update_thesaurus(self) -> int:
        """Bring the corpus vocabulary (index/thesaurus.py) up to date with the passages.

        Only words never embedded before are embedded (a handful after a few new reports; about
        8,000 words, half a minute, for a whole new corpus).

        Returns:
            How many words were embedded (0 when the passages have not changed since the last time).
        """
        signature = self.store.chunk_signature()
        if self.store.get_meta("words_signature") == signature:
            return 0
        counts = vocabulary(self.store.chunk_texts())
        known = self.store.words_with_vectors()
        new = [w for w in counts if w not in known]
        vectors = self.embedder.encode(new, batch_size=WORD_BATCH) if new else []
        self.store.replace_vocabulary(counts, dict(zip(new, vectors, strict=True)), signature)
        self.searcher.refresh()
        return len(new)

    def update_recommendations(self) -> int:
        """Bring the recommendations' points and their themes (index/themes.py) up to date with the passages.

        Each point of each recommendations passage is embedded once, by its text's hash (about 4,000
        points, under a minute, for the whole corpus; a handful after a few new reports), and the
        themes are made again whenever the points changed. Returns how many points were embedded.
        """
        signature = self.store.recommendation_signature()
        if self.store.get_meta("recommendations_signature") == signature and (
            self.store.get_meta("themes") or signature.startswith("0:")
        ):
            return 0
        points = []
        for chunk_id, doc_id, text in self.store.recommendation_passages():
            for ordinal, (number, point) in enumerate(split_points(text)):
                points.append((chunk_id, doc_id, ordinal, number, point, embed_hash(point)))
        known = self.store.known_recommendation_hashes()
        new: dict[str, str] = {}
        for *_, point, text_hash in points:
            if text_hash not in known:
                new.setdefault(text_hash, point)
        vectors = self.embedder.encode(list(new.values()), batch_size=EMBED_BATCH) if new else []
        self.store.replace_recommendations(points, dict(zip(new, vectors, strict=True)), signature)
        rows = self.store.recommendations()
        if rows:
            stored = self.store.recommendation_vectors([r["id"] for r in rows], self.embedder.dim)
            model = build_themes([r["text"] for r in rows], stored)
            assignment = {r["id"]: int(t) for r, t in zip(rows, model.assignment, strict=True)}
            self.store.replace_themes(model.labels, assignment, model.about())
        return len(new)

    def save(self, postings: bool = True) -> None:
        """Write the vector file if it changed (atomically: a crash leaves the old one, repaired on load).

        Then the lexical postings and the passages' words by sentence, if the passages changed since
        they were written.

        Args:
            postings: False for an ingest's checkpoints: the postings and the words are rebuilt whole
                from the store (seconds on the whole corpus), so an ingest builds them once, at its end;
                until then searches rank keywords with FTS5 and split candidates as they come.

        Raises:
            OSError: the folder cannot be written (a full disk, say); the SQLite store is unaffected.
        """
        if self.vectors.dirty:
            self.vectors.save(self.directory / VECTORS_NAME)
            self._vectors_mtime = self._mtime()
        # The keyword ranking's postings in memory (index/lexical.py), rebuilt whole when the passages
        # changed (about 8 s for the whole corpus): searches use FTS5 until they are.
        if postings:
            # Each passage's words by sentence for the learned ranking stage (index/passage_words.py).
            changed = passage_words.refresh(self.store.db, self.directory)
            if lexical.refresh(self.store.db, self.directory) or changed:
                self.searcher.refresh()

    def close(self) -> None:
        """Save (unless read-only) and release the store and the searcher's thread (again: nothing)."""
        if self._closed:
            return
        self._closed = True
        if not self.read_only:
            self.save()
        self.searcher.close()
        self.store.close()

    # -- reading ------------------------------------------------------------------------------
    def search(
        self, query: str, filters: SearchFilters | None = None, k: int = DEFAULT_K, retriever: str = "hybrid"
    ) -> SearchResponse:
        """The passages that best answer a question (Searcher.search, which says how).

        Args:
            query: the question as typed.
            filters: which reports may answer (default: all); see SearchFilters.build.
            k: how many passages at most, 1 to MAX_K (default DEFAULT_K; index/settings.py).
            retriever: "hybrid", "dense" or "lexical".
        Returns:
            The response: cited results best first, and a message when nothing (close) answers.
        Raises:
            QueryError: an unknown retriever, k out of range, no words to search for, or an
                authority filter that matches no indexed report.
        """
        return self.searcher.search(query, filters, k, retriever)

    def reload_if_changed(self) -> bool:
        """Pick up documents another process added or removed (a long-running server calls this).

        Returns:
            True when the vector file had changed and was read again.
        """
        if self._mtime() == self._vectors_mtime:
            return False
        with self.searcher.exclusive():
            self.vectors.index = VectorIndex.load(self.directory / VECTORS_NAME, self.embedder.dim).index
            self._vectors_mtime = self._mtime()
        self.searcher.refresh()
        return True

    def stats(self) -> dict:
        """What the index holds: counts, and reports by authority, year, type, grade and date source.

        Returns:
            A JSON-able dict: "index", "model", the counts ("documents", "pages", "chunks", ...),
            "vectors", "size_bytes", "no_authority" and "by_authority" ... "by_published_source".

        `no_authority` counts the reports whose authority could not be read (listed under
        "unknown" in `by_authority`); `by_published_source` says how many publication dates were
        printed, looked up, read from a file name or estimated ("none": no date at all).
        """
        counts = self.store.counts()
        docs = self.store.documents()
        by = {"authority": {}, "year": {}, "report_type": {}, "overall_grade": {}, "published_source": {}}
        for doc in docs.values():
            year = (doc.published or doc.inspection_start or "")[:4] or "unknown"
            for key, value in (("authority", doc.local_authority or "unknown"), ("year", year),
                               ("report_type", doc.report_type), ("overall_grade", doc.overall_grade or "none"),
                               ("published_source", doc.published_source or "none")):
                by[key][value] = by[key].get(value, 0) + 1
        size = sum(f.stat().st_size for f in self.directory.iterdir() if f.is_file())
        return {
            "index": str(self.directory),
            "model": self.embedder.name,
            **counts,
            "vectors": len(self.vectors),
            "size_bytes": size,
            "no_authority": sum(1 for doc in docs.values() if not doc.local_authority),
            **{f"by_{k}": dict(sorted(v.items())) for k, v in by.items()},
        }

    def _mtime(self) -> float:
        try:
            return (self.directory / VECTORS_NAME).stat().st_mtime
        except FileNotFoundError:
            return 0.0


def _upgrade_if_older(db_path: Path) -> None:
    """Bring an index an older version made up to this schema before reading it (a second or so: no
    passage is embedded); the message says what to do when the file cannot be written."""
    probe = ChunkStore(db_path, read_only=True)
    try:
        stored = probe.get_meta("schema_version") if probe.is_initialised() else None
    finally:
        probe.close()
    if stored is None or int(stored) >= SCHEMA_VERSION:
        return
    try:
        writer = ChunkStore(db_path)
        try:
            writer.check_or_set_model(writer.get_meta("model_name") or "", int(writer.get_meta("dim") or 0))
        finally:
            writer.close()
    except sqlite3.OperationalError as exc:
        raise IndexMismatchError(
            f"the index at {db_path.parent} was made by an older version (schema {stored}) and cannot be "
            f"upgraded here ({exc}); run: ofsted-qa ingest PDF_DIR --index {db_path.parent}"
        ) from exc


def _mismatch_advice(message: str, recorded: str | None, directory: Path) -> str:
    """The store's refusal, with what to do: the embedder that made this index's vectors, or a new index.

    Nothing is re-embedded in place: an index's vectors are all one model's, or its search is wrong."""
    from ingest.environment import EMBEDDER

    if recorded is None:
        return message
    fits = embedder_for_model(recorded)
    use = f"set {EMBEDDER}={fits} to use this index" if fits else "use that model"
    return (f"{message.split('; use that model')[0]}. Nothing was changed: {use}, or build a new index "
            f"with the model you chose (ofsted-qa ingest PDF_DIR --index NEW_DIR) instead of {directory}")


def _check_model(store: ChunkStore, embedder: Embedder) -> None:
    model = store.get_meta("model_name")
    if model is not None and (model != embedder.name or int(store.get_meta("dim") or 0) != embedder.dim):
        raise IndexMismatchError(
            f"this index was built with the model {model!r}, not {embedder.name!r}; "
            "use that model or build a new index"
        )
