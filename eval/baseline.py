"""The newcomer's retriever, kept beside the real system so the evaluation can compare against it.

The recipe a newcomer would write (`--retriever baseline` in the evaluation):

- raw pypdf page text, no cleaning;
- the words of the whole document (split on whitespace) cut into fixed windows of 180 words with a
  30-word overlap, ignoring pages, sections and paragraphs; each window remembers the pages it spans;
- all-MiniLM-L6-v2 embeddings of the window text in exact FAISS inner-product search, top 100;
- plain BM25: SQLite FTS5 with its default `unicode61` tokenizer (no stemming, no stopwords) and
  `bm25()`, every query word quoted and ORed, top 100;
- reciprocal rank fusion (k=60) of the two rankings. No acronym expansion, no de-duplication, no
  highlighting.

It is an honest implementation of that recipe, not a crippled one. Metadata and filters are the real
system's (`extract_metadata` on the raw pages, the manifest's publication date when the report prints
none, `SearchFilters` semantics), so a comparison measures retrieval and nothing else.

    python -m eval.baseline build PDF_DIR_OR_FILES... --index DIR
    python -m eval.baseline ask "question" --index DIR [--authority X] [--year 2019] [-k 10]
"""

from __future__ import annotations

import argparse
import logging
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from index.embed import Embedder
from index.fusion import reciprocal_rank_fusion
from index.search import RETRIEVERS, QueryError, SearchFilters
from index.vectors import VectorIndex
from ingest.metadata import authority_key, extract_metadata
from ingest.pdf import PdfReadError, file_sha256, read_pages
from ingest.pipeline import find_pdfs, parse_in_background, publication_dates

log = logging.getLogger(__name__)

WINDOW_WORDS = 180
OVERLAP_WORDS = 30
STRIDE = WINDOW_WORDS - OVERLAP_WORDS
CANDIDATES = 100  # per retriever, before fusion
RRF_K = 60  # the recipe's customary k, part of the documented baseline (the search's own: index/settings.py)
EMBED_BATCH = 64
PREFETCH = 2  # files parsed ahead of the one being embedded
SAVE_EVERY_SECONDS = 60.0
DB_NAME = "baseline.sqlite"
FAISS_NAME = "baseline.faiss"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    path TEXT NOT NULL,
    local_authority TEXT,
    authority_key TEXT,
    report_type TEXT NOT NULL,
    inspection_start TEXT,
    inspection_end TEXT,
    published TEXT,
    overall_grade TEXT,
    n_pages INTEGER NOT NULL,
    n_windows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS windows (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES docs(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS windows_doc ON windows(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS windows_fts USING fts5(text, content='windows', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS windows_ai AFTER INSERT ON windows BEGIN
    INSERT INTO windows_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS windows_ad AFTER DELETE ON windows BEGIN
    INSERT INTO windows_fts(windows_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

# Roughly what FTS5's unicode61 tokenizer calls a token: runs of letters and digits.
_QUERY_WORD = re.compile(r"\w+")


@dataclass
class BaselineHit:
    file: str
    text: str
    page_start: int
    page_end: int
    score: float
    local_authority: str | None
    published: str | None


@dataclass
class Window:
    ordinal: int
    text: str
    page_start: int  # 1-based
    page_end: int


@dataclass
class ParsedDoc:
    """What the parser process hands back for one PDF (small: no page text)."""

    path: str
    sha256: str
    n_pages: int
    windows: list[Window]
    local_authority: str | None
    authority_key: str | None
    report_type: str
    inspection_start: str | None
    inspection_end: str | None
    published: str | None
    overall_grade: str | None


@dataclass
class BuildStats:
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the index (same sha256)
    failed: list[tuple[str, str]] = field(default_factory=list)
    windows: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def windows_per_second(self) -> float:
        return self.windows / self.embed_seconds if self.embed_seconds > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Text -> windows, and one PDF -> ParsedDoc (runs in the parser process)
# ---------------------------------------------------------------------------------------------


def make_windows(pages: list[str], size: int = WINDOW_WORDS, overlap: int = OVERLAP_WORDS) -> list[Window]:
    """Whitespace words of all pages, cut into `size`-word windows that overlap by `overlap` words.

    Windows ignore page boundaries; each records the first and last page its words come from. The
    last window ends at the last word (it may be shorter); no window lies wholly inside another.
    """
    if not 0 <= overlap < size:
        raise ValueError(f"need 0 <= overlap < size, got size={size}, overlap={overlap}")
    words: list[str] = []
    word_page: list[int] = []
    for number, text in enumerate(pages, start=1):
        page_words = text.split()
        words.extend(page_words)
        word_page.extend([number] * len(page_words))
    windows: list[Window] = []
    start = 0
    while start < len(words):
        end = min(start + size, len(words))
        windows.append(Window(len(windows), " ".join(words[start:end]), word_page[start], word_page[end - 1]))
        if end == len(words):
            break
        start += size - overlap
    return windows


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_pdf(path: str, sha256: str) -> ParsedDoc:
    """Raw pypdf pages -> windows plus the real system's metadata. Raises PdfReadError."""
    raw = read_pages(path)
    windows = make_windows(raw)
    if not windows:
        raise PdfReadError("no words in the text layer")
    meta = extract_metadata(raw)
    published = meta.published or publication_dates().get(sha256)
    return ParsedDoc(
        path=path, sha256=sha256, n_pages=len(raw), windows=windows,
        local_authority=meta.local_authority,
        authority_key=authority_key(meta.local_authority) if meta.local_authority else None,
        report_type=meta.report_type, inspection_start=_iso(meta.inspection_start),
        inspection_end=_iso(meta.inspection_end), published=_iso(published),
        overall_grade=meta.overall_effectiveness,
    )


# ---------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------


class BaselineIndex:
    """One folder: `baseline.sqlite` (docs, windows with their vectors, FTS5) and `baseline.faiss`.

    SQLite is the source of truth and is committed per document; the FAISS file is a copy that is
    saved now and then and repaired from the stored vectors when it lags behind (after a crash).
    """

    def __init__(
        self, directory: Path, db: sqlite3.Connection, vectors: VectorIndex, embedder: Embedder
    ) -> None:
        self.directory = directory
        self.db = db
        self.vectors = vectors
        self.embedder = embedder
        self.stats = BuildStats()
        self._lock = threading.Lock()

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def _open(cls, directory: str | Path, embedder: Embedder, create: bool) -> BaselineIndex:
        directory = Path(directory)
        db_path = directory / DB_NAME
        if create:
            directory.mkdir(parents=True, exist_ok=True)
        elif not db_path.is_file():
            raise FileNotFoundError(
                f"no baseline index at {directory} (build one with `python -m eval.baseline build`)"
            )
        db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with db:
                db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                               [("model_name", embedder.name), ("dim", str(embedder.dim))])
        elif stored.get("model_name") != embedder.name or int(stored.get("dim", 0)) != embedder.dim:
            db.close()
            raise ValueError(
                f"{directory} was built with {stored.get('model_name')!r} (dim {stored.get('dim')}), "
                f"not {embedder.name!r} (dim {embedder.dim})"
            )
        vectors = VectorIndex.load(directory / FAISS_NAME, embedder.dim)
        index = cls(directory, db, vectors, embedder)
        index._sync_vectors()
        return index

    def _sync_vectors(self) -> None:
        store_ids = np.fromiter((r[0] for r in self.db.execute("SELECT id FROM windows")), dtype=np.int64)
        added, removed = self.vectors.sync_with(store_ids, self._stored_vectors)
        if added or removed:
            log.info("repaired the FAISS copy: %d vectors added, %d removed", added, removed)

    def _stored_vectors(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros((len(ids), self.embedder.dim), dtype=np.float32)
        rows: dict[int, bytes] = {}
        id_list = [int(i) for i in ids]
        for start in range(0, len(id_list), 500):
            part = id_list[start : start + 500]
            rows.update(self.db.execute(
                f"SELECT id, vector FROM windows WHERE id IN ({','.join('?' * len(part))})", part).fetchall())
        for i, wid in enumerate(id_list):
            out[i] = np.frombuffer(rows[wid], dtype=np.float32)
        return out

    @classmethod
    def load(cls, directory: str | Path, embedder: Embedder) -> BaselineIndex:
        return cls._open(directory, embedder, create=False)

    @classmethod
    def build(
        cls, pdf_paths: Iterable[str | Path], directory: str | Path, embedder: Embedder, progress: bool = True
    ) -> BaselineIndex:
        """Add the PDFs (files, or folders searched for *.pdf) not already in the index, by sha256."""
        index = cls._open(directory, embedder, create=True)
        index.add(pdf_paths, progress=progress)
        return index

    def close(self) -> None:
        with self._lock:
            if self.vectors.dirty:
                self.vectors.save(self.directory / FAISS_NAME)
            self.db.close()

    def __enter__(self) -> BaselineIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ----------------------------------------------------------------------------
    def add(self, pdf_paths: Iterable[str | Path], progress: bool = True) -> BuildStats:
        from tqdm import tqdm

        started = time.perf_counter()
        stats = self.stats = BuildStats()
        known = {r[0] for r in self.db.execute("SELECT sha256 FROM docs")}
        todo: list[tuple[str, str]] = []
        # The pipeline's own file discovery and background parsing, with the baseline's parse.
        found, missing = find_pdfs(pdf_paths)
        stats.failed.extend(missing)
        for path in found:
            try:
                sha = file_sha256(path)
            except OSError as exc:
                stats.failed.append((str(path), f"cannot be read ({exc.strerror or exc})"))
                continue
            if sha in known:
                stats.skipped.append(str(path))
                continue
            known.add(sha)
            todo.append((str(path), sha))

        bar = tqdm(total=len(todo), unit="file", desc="baseline", disable=not progress or not todo,
                   dynamic_ncols=True)
        last_save = time.monotonic()
        try:
            for path, result in parse_in_background(todo, parse_pdf, workers=1, prefetch=PREFETCH):
                if isinstance(result, PdfReadError):
                    stats.failed.append((path, str(result)))
                    log.warning("%s: %s", path, result)
                    bar.update(1)
                    continue
                texts = [w.text for w in result.windows]
                t0 = time.perf_counter()
                vectors = self.embedder.encode(texts, batch_size=EMBED_BATCH)
                stats.embed_seconds += time.perf_counter() - t0
                stats.windows += len(texts)
                with self._lock:
                    self._write(result, vectors)
                stats.added.append(path)
                bar.set_postfix_str(f"{stats.windows_per_second:.1f} windows/s", refresh=False)
                bar.update(1)
                if time.monotonic() - last_save > SAVE_EVERY_SECONDS:
                    self.save()
                    last_save = time.monotonic()
        finally:
            bar.close()
            self.save()
        stats.seconds = time.perf_counter() - started
        return stats

    def _write(self, doc: ParsedDoc, vectors: np.ndarray) -> None:
        """One document, its windows and their vectors, in one transaction; then into FAISS."""
        with self.db:
            cur = self.db.execute(
                """INSERT INTO docs(sha256, file, path, local_authority, authority_key, report_type,
                       inspection_start, inspection_end, published, overall_grade, n_pages, n_windows)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (doc.sha256, Path(doc.path).name, doc.path, doc.local_authority, doc.authority_key,
                 doc.report_type, doc.inspection_start, doc.inspection_end, doc.published,
                 doc.overall_grade, doc.n_pages, len(doc.windows)),
            )
            doc_id = int(cur.lastrowid)
            ids = []
            for window, vector in zip(doc.windows, vectors, strict=True):
                cur = self.db.execute(
                    "INSERT INTO windows(doc_id, ordinal, text, page_start, page_end, vector) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (doc_id, window.ordinal, window.text, window.page_start, window.page_end,
                     np.asarray(vector, dtype=np.float32).tobytes()),
                )
                ids.append(int(cur.lastrowid))
        self.vectors.add(np.asarray(ids, dtype=np.int64), vectors)

    def save(self) -> None:
        with self._lock:
            if self.vectors.dirty:
                self.vectors.save(self.directory / FAISS_NAME)

    # -- facts -------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "documents": self.db.execute("SELECT count(*) FROM docs").fetchone()[0],
                "windows": self.db.execute("SELECT count(*) FROM windows").fetchone()[0],
                "vectors": len(self.vectors),
            }

    def files(self) -> list[str]:
        """File names of the indexed reports."""
        with self._lock:
            return [row[0] for row in self.db.execute("SELECT file FROM docs")]

    def windows_of(self, file: str) -> list[Window]:
        """The windows of one indexed file (by file name), in order."""
        with self._lock:
            rows = self.db.execute(
                "SELECT w.ordinal, w.text, w.page_start, w.page_end FROM windows w "
                "JOIN docs d ON d.id = w.doc_id WHERE d.file = ? ORDER BY w.ordinal", (file,),
            ).fetchall()
        return [Window(*row) for row in rows]

    # -- searching ---------------------------------------------------------------------------
    def _allowed_docs(self, filters: SearchFilters) -> list[int] | None:
        """Doc ids passing the filters, with the real search's semantics; None when there are none."""
        if filters.is_empty():
            return None
        keys = {authority_key(a) for a in filters.authorities}
        allowed = []
        for doc_id, key, report_type, grade, published, start, end in self.db.execute(
            "SELECT id, authority_key, report_type, overall_grade, published, inspection_start, "
            "inspection_end FROM docs"
        ):
            if keys and key not in keys:
                continue
            if filters.report_types and report_type not in filters.report_types:
                continue
            if filters.grades and (grade or "") not in filters.grades:
                continue
            if filters.year_from is not None:
                last = filters.year_to if filters.year_to is not None else filters.year_from
                if not any(v and filters.year_from <= int(v[:4]) <= last for v in (published, start, end)):
                    continue
            allowed.append(doc_id)
        return allowed

    def _dense(self, query: str, limit: int, allowed_docs: list[int] | None) -> list[tuple[int, float]]:
        allowed_ids = None
        if allowed_docs is not None:
            marks = ",".join("?" * len(allowed_docs))
            rows = self.db.execute(f"SELECT id FROM windows WHERE doc_id IN ({marks})", allowed_docs)
            allowed_ids = np.fromiter((r[0] for r in rows), dtype=np.int64)
        qvec = self.embedder.encode([query])[0]
        return self.vectors.search(qvec, limit, allowed_ids)  # [(window id, cosine)]

    def _lexical(self, query: str, limit: int, allowed_docs: list[int] | None) -> list[tuple[int, float]]:
        terms = list(dict.fromkeys(w.lower() for w in _QUERY_WORD.findall(query)))
        if not terms:
            return []
        # Each word quoted, so nothing the user types is FTS5 syntax.
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        sql = "SELECT windows_fts.rowid, bm25(windows_fts) AS score FROM windows_fts "
        args: list[object] = [match]
        if allowed_docs is not None:
            sql += (f"JOIN windows w ON w.id = windows_fts.rowid WHERE windows_fts MATCH ? "
                    f"AND w.doc_id IN ({','.join('?' * len(allowed_docs))}) ")
            args.extend(allowed_docs)
        else:
            sql += "WHERE windows_fts MATCH ? "
        sql += "ORDER BY score LIMIT ?"
        args.append(limit)
        # bm25() is lower-is-better; flip it so every score is higher-is-better.
        return [(int(r[0]), -float(r[1])) for r in self.db.execute(sql, args)]

    def search(
        self, query: str, filters: SearchFilters | None = None, k: int = 10, retriever: str = "hybrid"
    ) -> list[BaselineHit]:
        """Top k windows for the query: `hybrid` (RRF of dense and BM25), `dense` or `lexical`."""
        if retriever not in RETRIEVERS:
            raise ValueError(f"unknown retriever {retriever!r}; valid: {', '.join(RETRIEVERS)}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters or SearchFilters()
        limit = max(CANDIDATES, k)
        with self._lock:
            allowed = self._allowed_docs(filters)
            if allowed is not None and not allowed:
                return []
            dense = self._dense(query, limit, allowed) if retriever in ("hybrid", "dense") else []
            lexical = self._lexical(query, limit, allowed) if retriever in ("hybrid", "lexical") else []
            if retriever == "hybrid":
                ranked = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]], k=RRF_K)[:k]
            else:
                ranked = (dense or lexical)[:k]  # cosine, or BM25 (higher is better)
            return self._hits(ranked)

    def _hits(self, ranked: list[tuple[int, float]]) -> list[BaselineHit]:
        if not ranked:
            return []
        ids = [wid for wid, _ in ranked]
        rows = {
            r[0]: r[1:]
            for r in self.db.execute(
                "SELECT w.id, w.text, w.page_start, w.page_end, d.file, d.local_authority, d.published "
                "FROM windows w JOIN docs d ON d.id = w.doc_id "
                f"WHERE w.id IN ({','.join('?' * len(ids))})", ids,
            )
        }
        hits = []
        for wid, score in ranked:
            row = rows.get(wid)
            if row is None:
                continue
            text, page_start, page_end, file, authority, published = row
            hits.append(BaselineHit(
                file=file, text=text, page_start=page_start, page_end=page_end, score=round(float(score), 6),
                local_authority=authority, published=published,
            ))
        return hits


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.baseline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default=None, help="minilm (default) or fake")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="index PDFs (files or folders); skips those already indexed")
    build.add_argument("paths", nargs="+")
    build.add_argument("--index", required=True, help="the baseline index folder")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    ask = sub.add_parser("ask", help="print the top windows for a question")
    ask.add_argument("question")
    ask.add_argument("--index", required=True)
    ask.add_argument("-k", type=int, default=5)
    ask.add_argument("--retriever", choices=RETRIEVERS, default="hybrid")
    ask.add_argument("--authority", action="append")
    ask.add_argument("--year")
    ask.add_argument("--years")
    ask.add_argument("--type", dest="report_type", action="append")
    ask.add_argument("--grade", action="append")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    from index.embed import load_embedder

    embedder = load_embedder(args.embedder)
    if args.command == "build":
        with BaselineIndex.build(args.paths, args.index, embedder, progress=not args.quiet) as index:
            s = index.stats
            counts = index.counts()
        print(f"added {len(s.added)}, already indexed {len(s.skipped)}, failed {len(s.failed)}; "
              f"{s.windows} windows embedded in {s.embed_seconds:.1f}s "
              f"({s.windows_per_second:.1f} windows/s), "
              f"{s.seconds:.1f}s in all; the index holds {counts['documents']} reports, "
              f"{counts['windows']} windows")
        for path, reason in s.failed:
            print(f"  failed: {path}: {reason}", file=sys.stderr)
        return 1 if s.failed else 0

    try:
        filters = SearchFilters.build(authority=args.authority, year=args.year, years=args.years,
                                      report_type=args.report_type, grade=args.grade)
    except QueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with BaselineIndex.load(args.index, embedder) as index:
        hits = index.search(args.question, filters, k=args.k, retriever=args.retriever)
    if not hits:
        print("no results")
    for rank, hit in enumerate(hits, start=1):
        pages = f"p. {hit.page_start}"
        if hit.page_end > hit.page_start:
            pages = f"pp. {hit.page_start}-{hit.page_end}"
        print(f"{rank}. {hit.file} · {hit.local_authority or '?'} · published {hit.published or '?'} "
              f"· {pages} · score {hit.score}")
        print(f"   {hit.text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
