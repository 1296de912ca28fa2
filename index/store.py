"""The chunk store: documents, pages, chunks, embeddings by content hash, and an FTS5 table, in SQLite.

SQLite is the source of truth. The FAISS file is a derived copy of the `embeddings` rows, rebuilt or
patched from here whenever the two disagree (after a crash, say).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from index.thesaurus import Thesaurus
from ingest.models import REPORT_TYPES, Chunk, ParsedReport
from ingest.recommendations import section_kind

SCHEMA_VERSION = 4
# BM25 weights of the full-text columns: a word in the section heading counts 0.4 of one in the text.
TEXT_WEIGHT, SECTION_WEIGHT = 1.0, 0.4
PAGE_CACHE_KIB = 65_536  # 64 MB of SQLite page cache per connection, at most
MMAP_BYTES = 256 * 2**20  # reads map the file (up to 256 MB) instead of copying pages
# How an index made by an older version is brought up to date, by the version each step leads to.
# Applied in order, in one transaction, when the index is opened for writing.
_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    # 2: the version of the metadata reader that read each document (ingest.models.METADATA_VERSION);
    # documents read before it was recorded count as version 1.
    2: "ALTER TABLE documents ADD COLUMN metadata_version INTEGER NOT NULL DEFAULT 1",
    # 3: the corpus vocabulary and its embeddings, for the thesaurus (index/thesaurus.py).
    3: "CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, passages INTEGER NOT NULL, vector BLOB NOT NULL)",
    # 4: each passage's section kind (recommendations or findings), read off its stored heading, and
    # the recommendations' single points with their themes (index/themes.py).
    4: lambda db: _add_section_kinds(db),
}

# The columns replace_document writes, in the order it builds their values.
_DOCUMENT_FIELDS = ("local_authority", "authority_key", "report_type", "title", "inspection_start", "inspection_end",
                    "published", "published_source", "lead_inspector", "overall_grade", "judgements", "n_pages",
                    "metadata_version")
_CHUNK_FIELDS = ("ordinal", "text", "embed_hash", "page_start", "page_end", "char_start", "char_end", "section",
                 "paragraphs", "kind")
_INSERT_DOCUMENT = (f"INSERT INTO documents(sha256, {', '.join(_DOCUMENT_FIELDS)}) "
                    f"VALUES ({', '.join('?' * (len(_DOCUMENT_FIELDS) + 1))})")
_INSERT_CHUNK = (f"INSERT INTO chunks(doc_id, {', '.join(_CHUNK_FIELDS)}) "
                 f"VALUES ({', '.join('?' * (len(_CHUNK_FIELDS) + 1))})")

_RECOMMENDATION_TABLES = """
CREATE TABLE IF NOT EXISTS recommendations (
    id INTEGER PRIMARY KEY,
    chunk_id INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    paragraph TEXT,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    theme INTEGER
);
CREATE INDEX IF NOT EXISTS recommendations_doc ON recommendations(doc_id);
CREATE TABLE IF NOT EXISTS recommendation_vectors (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS themes (id INTEGER PRIMARY KEY, label TEXT NOT NULL, words TEXT NOT NULL);
"""


def _add_section_kinds(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE chunks ADD COLUMN kind TEXT NOT NULL DEFAULT 'findings'")
    db.create_function("section_kind", 1, section_kind, deterministic=True)
    db.execute("UPDATE chunks SET kind = section_kind(section)")
    for statement in _RECOMMENDATION_TABLES.split(";"):
        if statement.strip():
            db.execute(statement)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, passages INTEGER NOT NULL, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    local_authority TEXT,
    authority_key TEXT,
    report_type TEXT NOT NULL,
    title TEXT,
    inspection_start TEXT,
    inspection_end TEXT,
    published TEXT,
    published_source TEXT,
    lead_inspector TEXT,
    overall_grade TEXT,
    judgements TEXT NOT NULL DEFAULT '{}',
    n_pages INTEGER NOT NULL,
    added_at TEXT NOT NULL DEFAULT (datetime('now')),
    metadata_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS documents_authority ON documents(authority_key);
CREATE TABLE IF NOT EXISTS document_paths (
    path TEXT PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS document_paths_doc ON document_paths(doc_id);
CREATE TABLE IF NOT EXISTS pages (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    embed_hash TEXT NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT,
    paragraphs TEXT NOT NULL DEFAULT '[]',
    kind TEXT NOT NULL DEFAULT 'findings'
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(embed_hash);
-- The passages of given sections (the summaries, a judgement area's) without reading every passage's
-- text; an index made before it gains it at its next writable open (answers are the same without it).
CREATE INDEX IF NOT EXISTS chunks_section ON chunks(lower(section));
CREATE TABLE IF NOT EXISTS embeddings (
    embed_hash TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, section, content='chunks', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
""" + _RECOMMENDATION_TABLES + """
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, section) VALUES (new.id, new.text, coalesce(new.section, ''));
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, section)
    VALUES ('delete', old.id, old.text, coalesce(old.section, ''));
END;
"""


class IndexMismatchError(Exception):
    """The index was built with another model or schema than the one asked for."""


@dataclass
class DocumentRow:
    id: int
    sha256: str
    local_authority: str | None
    authority_key: str | None
    report_type: str
    title: str | None
    inspection_start: str | None
    inspection_end: str | None
    published: str | None
    published_source: str | None
    lead_inspector: str | None
    overall_grade: str | None
    judgements: dict[str, str]
    n_pages: int
    paths: list[str] = field(default_factory=list)

    @property
    def report_type_label(self) -> str:
        return REPORT_TYPES.get(self.report_type, self.report_type)

    @property
    def published_estimated(self) -> bool:
        """True when `published` is an estimate (end of inspection + the median lag), not a known date:
        say "published about ..." or "publication date estimated", never "published <date>"."""
        return self.published_source == "estimated"

    @property
    def file_name(self) -> str:
        return Path(self.paths[0]).name if self.paths else f"{self.sha256[:12]}.pdf"


@dataclass
class ChunkRow:
    id: int
    doc_id: int
    ordinal: int
    text: str
    embed_hash: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    section: str | None
    paragraphs: list[str]
    kind: str = "findings"  # ingest.recommendations.SECTION_KINDS


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


class ChunkStore:
    """SQLite access for one index directory. One writer at a time (the ingest lock sees to it)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only:
            uri = f"file:{self.path}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._set_up()
        self.db.execute("PRAGMA foreign_keys=ON")
        # SQLite's default page cache is 2 MB; a query's FTS5 doclists are read through it, so with
        # the default each search reads most of its pages again (warm hybrid p50 about 47 -> 37 ms on
        # the whole corpus, docs/PERFORMANCE.md). Memory grows only as pages are read.
        self.db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        if read_only:  # a reader maps the file; the writer keeps plain reads (its memory stays its own)
            self.db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        self.db.row_factory = sqlite3.Row

    def _set_up(self, attempts: int = 50) -> None:
        """WAL mode and the schema. Two processes creating one index at once can meet SQLITE_BUSY
        here, which the busy timeout does not cover for a journal-mode change: wait and retry."""
        for attempt in range(attempts):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
                self.db.execute("PRAGMA synchronous=NORMAL")
                # One transaction, so a process killed while creating the index leaves all or none of it.
                self.db.executescript(f"BEGIN;\n{_SCHEMA}\nCOMMIT;")
                return
            except sqlite3.OperationalError as exc:
                if self.db.in_transaction:
                    self.db.rollback()
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db:
            yield self.db

    # -- meta ---------------------------------------------------------------------------------
    def is_initialised(self) -> bool:
        """False for a database file made by a process that died before it wrote the schema."""
        row = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        return row is not None

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def check_or_set_model(self, model_name: str, dim: int) -> None:
        """Record the model on first use; refuse a different one afterwards."""
        stored_model = self.get_meta("model_name")
        stored_schema = self.get_meta("schema_version")
        if stored_schema is not None and int(stored_schema) < SCHEMA_VERSION:
            self._migrate()
            stored_schema = str(SCHEMA_VERSION)
        if stored_schema is not None and int(stored_schema) != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index schema version {stored_schema} is not the supported {SCHEMA_VERSION}; "
                "build a new index (ofsted-qa ingest --index NEW_DIR ...)"
            )
        if stored_model is None:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                    [("model_name", model_name), ("dim", str(dim)), ("schema_version", str(SCHEMA_VERSION))],
                )
            return
        stored_dim = int(self.get_meta("dim") or 0)
        if stored_model != model_name or stored_dim != dim:
            raise IndexMismatchError(
                f"this index was built with the model {stored_model!r} (dimension {stored_dim}), "
                f"not {model_name!r} (dimension {dim}); use that model or build a new index"
            )

    def _migrate(self) -> None:
        """Bring an older index up to SCHEMA_VERSION in one transaction (another writer may have already)."""
        self.db.execute("BEGIN IMMEDIATE")  # holds off a second process migrating the same index
        try:
            stored = int(self.get_meta("schema_version") or SCHEMA_VERSION)
            for version in range(stored + 1, SCHEMA_VERSION + 1):
                step = _MIGRATIONS[version]
                if callable(step):
                    step(self.db)
                else:
                    self.db.execute(step)
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),))
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise

    # -- documents ----------------------------------------------------------------------------
    def documents_read_before(self, version: int) -> set[int]:
        """Ids of the documents whose metadata a reader older than `version` wrote."""
        rows = self.db.execute("SELECT id FROM documents WHERE metadata_version < ?", (version,))
        return {r[0] for r in rows}

    def document_by_sha(self, sha256: str) -> int | None:
        row = self.db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def document_by_path(self, path: str) -> tuple[int, str] | None:
        row = self.db.execute(
            "SELECT d.id, d.sha256 FROM document_paths p JOIN documents d ON d.id = p.doc_id WHERE p.path = ?",
            (path,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def add_path(self, doc_id: int, path: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO document_paths(path, doc_id) VALUES (?, ?)", (path, doc_id))

    def remove_path(self, path: str) -> None:
        """Forget one name of a document; the document goes when its last name does."""
        with self.db:
            row = self.db.execute("SELECT doc_id FROM document_paths WHERE path = ?", (path,)).fetchone()
            if row is None:
                return
            self.db.execute("DELETE FROM document_paths WHERE path = ?", (path,))
            left = self.db.execute("SELECT count(*) FROM document_paths WHERE doc_id = ?", (row[0],)).fetchone()
            if left[0] == 0:
                self._delete_document(row[0])

    def delete_document(self, doc_id: int) -> list[int]:
        with self.db:
            return self._delete_document(doc_id)

    def _delete_document(self, doc_id: int, collect: bool = True) -> list[int]:
        chunk_ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM document_paths WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if collect:
            self._collect_embeddings()
        return chunk_ids

    def _collect_embeddings(self) -> None:
        """Drop embeddings no chunk uses any more (those still shared with other reports stay)."""
        self.db.execute(
            "DELETE FROM embeddings WHERE embed_hash NOT IN (SELECT DISTINCT embed_hash FROM chunks)"
        )

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(set(hashes))
        known: set[str] = set()
        for start in range(0, len(hashes), 500):
            part = hashes[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(r[0] for r in self.db.execute(
                f"SELECT embed_hash FROM embeddings WHERE embed_hash IN ({marks})", part))
        return known

    def replace_document(
        self,
        report: ParsedReport,
        path: str,
        embed_hashes: list[str],
        new_vectors: dict[str, np.ndarray],
        replaces: int | None = None,
    ) -> tuple[int, list[int], list[int]]:
        """Write one report in one transaction: (doc id, new chunk ids, chunk ids removed).

        A document replaced by the same content (read again by a newer metadata reader) keeps all
        its file names; one replaced by other content keeps only `path`. A file saved again with new
        bytes but the same text, pages, passages and metadata keeps its document and passages (only
        its checksum changes): nothing derived from the passages needs rebuilding.
        """
        meta = report.metadata
        document = (
            meta.local_authority, report.authority_key, meta.report_type, meta.title,
            _iso(meta.inspection_start), _iso(meta.inspection_end), _iso(meta.published),
            report.published_source, meta.lead_inspector, meta.overall_effectiveness,
            json.dumps(meta.judgements), len(report.pages), report.metadata_version,
        )
        pages = [(p.number, p.text) for p in report.pages]
        chunks = [
            (chunk.ordinal, chunk.text, embed_hash, chunk.page_start, chunk.page_end, chunk.char_start,
             chunk.char_end, chunk.section, json.dumps(chunk.paragraphs), section_kind(chunk.section))
            for chunk, embed_hash in zip(report.chunks, embed_hashes, strict=True)
        ]
        removed: list[int] = []
        kept_paths: list[str] = []
        with self.db:
            if replaces is not None and self._holds(replaces, document, pages, chunks):
                self.db.execute("UPDATE documents SET sha256 = ? WHERE id = ?", (report.sha256, replaces))
                self.db.execute("DELETE FROM document_paths WHERE doc_id = ? AND path != ?", (replaces, path))
                self.db.execute("INSERT OR REPLACE INTO document_paths(path, doc_id) VALUES (?, ?)", (path, replaces))
                return replaces, [], []
            if replaces is not None:
                same = self.db.execute("SELECT 1 FROM documents WHERE id = ? AND sha256 = ?",
                                       (replaces, report.sha256)).fetchone()
                if same:
                    kept_paths = [r[0] for r in self.db.execute(
                        "SELECT path FROM document_paths WHERE doc_id = ? AND path != ?", (replaces, path))]
                # Keep its embeddings until the new version is in: most passages are unchanged.
                removed = self._delete_document(replaces, collect=False)
            cur = self.db.execute(_INSERT_DOCUMENT, (report.sha256, *document))
            doc_id = int(cur.lastrowid)
            self.db.executemany("INSERT OR REPLACE INTO document_paths(path, doc_id) VALUES (?, ?)",
                                [(p, doc_id) for p in (path, *kept_paths)])
            self.db.executemany("INSERT INTO pages(doc_id, number, text) VALUES (?, ?, ?)",
                                [(doc_id, *page) for page in pages])
            self.db.executemany(
                "INSERT OR IGNORE INTO embeddings(embed_hash, vector) VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in new_vectors.items()],
            )
            chunk_ids = []
            for chunk in chunks:
                chunk_ids.append(int(self.db.execute(_INSERT_CHUNK, (doc_id, *chunk)).lastrowid))
            if replaces is not None:
                self._collect_embeddings()
        return doc_id, chunk_ids, removed

    def _holds(self, doc_id: int, document: tuple, pages: list[tuple], chunks: list[tuple]) -> bool:
        """True when the stored document has exactly these metadata, pages and passages (in the
        column orders of _DOCUMENT_FIELDS, pages' (number, text) and _CHUNK_FIELDS)."""
        stored = self.db.execute(f"SELECT {', '.join(_DOCUMENT_FIELDS)} FROM documents WHERE id = ?",
                                 (doc_id,)).fetchone()
        if stored is None or tuple(stored) != document:
            return False
        stored_pages = self.db.execute("SELECT number, text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
        if [tuple(r) for r in stored_pages] != sorted(pages):
            return False
        stored_chunks = self.db.execute(
            f"SELECT {', '.join(_CHUNK_FIELDS)} FROM chunks WHERE doc_id = ? ORDER BY ordinal, id", (doc_id,))
        return [tuple(r) for r in stored_chunks] == sorted(chunks, key=lambda chunk: chunk[0])

    def documents(self, doc_ids: Iterable[int] | None = None) -> dict[int, DocumentRow]:
        sql = "SELECT * FROM documents"
        args: list[int] = []
        if doc_ids is not None:
            args = sorted(set(doc_ids))
            if not args:
                return {}
            sql += f" WHERE id IN ({','.join('?' * len(args))})"
        docs = {}
        for r in self.db.execute(sql, args):
            docs[r["id"]] = DocumentRow(
                id=r["id"], sha256=r["sha256"], local_authority=r["local_authority"],
                authority_key=r["authority_key"], report_type=r["report_type"], title=r["title"],
                inspection_start=r["inspection_start"], inspection_end=r["inspection_end"],
                published=r["published"], published_source=r["published_source"],
                lead_inspector=r["lead_inspector"], overall_grade=r["overall_grade"],
                judgements=json.loads(r["judgements"] or "{}"), n_pages=r["n_pages"],
            )
        if docs:
            ids = list(docs)
            for r in self.db.execute(
                f"SELECT path, doc_id FROM document_paths WHERE doc_id IN ({','.join('?' * len(ids))}) "
                "ORDER BY path", ids,
            ):
                docs[r["doc_id"]].paths.append(r["path"])
        return docs

    # -- chunks -------------------------------------------------------------------------------
    def chunks(self, chunk_ids: Iterable[int]) -> dict[int, ChunkRow]:
        ids = list(chunk_ids)
        out: dict[int, ChunkRow] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for r in self.db.execute(
                f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})", part
            ):
                out[r["id"]] = ChunkRow(
                    id=r["id"], doc_id=r["doc_id"], ordinal=r["ordinal"], text=r["text"],
                    embed_hash=r["embed_hash"], page_start=r["page_start"], page_end=r["page_end"],
                    char_start=r["char_start"], char_end=r["char_end"], section=r["section"],
                    paragraphs=json.loads(r["paragraphs"]), kind=r["kind"],
                )
        return out

    def chunk_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.db.execute("SELECT id FROM chunks")), dtype=np.int64)

    def chunk_documents(self) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, their document ids): the whole map, for filtering vectors without a query."""
        rows = self.db.execute("SELECT id, doc_id FROM chunks ORDER BY id").fetchall()
        data = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
        return data[:, 0].copy(), data[:, 1].copy()

    def chunk_ids_in_sections(self, sections: Iterable[str]) -> np.ndarray:
        """Ids (ascending) of the chunks under these section headings, compared case-insensitively."""
        names = sorted({s.lower() for s in sections})
        rows = self.db.execute(  # by the chunks_section index
            f"SELECT id FROM chunks WHERE lower(section) IN ({','.join('?' * len(names))}) ORDER BY id", names
        ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def chunk_ids_in_sections_like(self, fragments: Iterable[str]) -> np.ndarray:
        """Ids (ascending) of the chunks whose section heading contains any of these words."""
        parts = sorted({f.lower() for f in fragments})
        if not parts:
            return np.asarray([], dtype=np.int64)
        # The few distinct headings are matched (read off the chunks_section index, not the passages),
        # then their passages looked up by it.
        where = " OR ".join("instr(heading, ?) > 0" for _ in parts)
        rows = self.db.execute(
            "SELECT id FROM chunks WHERE lower(section) IN (SELECT heading FROM (SELECT DISTINCT lower(section) "
            f"AS heading FROM chunks WHERE lower(section) IS NOT NULL) WHERE {where}) ORDER BY id", parts,
        ).fetchall()
        return np.asarray([r[0] for r in rows], dtype=np.int64)

    def chunk_ids_for_documents(self, doc_ids: Iterable[int]) -> np.ndarray:
        ids = sorted(set(doc_ids))
        out: list[int] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            out.extend(r[0] for r in self.db.execute(
                f"SELECT id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})", part))
        return np.asarray(out, dtype=np.int64)

    def vectors_for_chunks(self, chunk_ids: np.ndarray, dim: int) -> np.ndarray:
        """The stored embedding of each chunk id, in order."""
        rows: dict[int, bytes] = {}
        ids = [int(i) for i in chunk_ids]
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for r in self.db.execute(
                f"SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.embed_hash = c.embed_hash "
                f"WHERE c.id IN ({','.join('?' * len(part))})", part,
            ):
                rows[r[0]] = r[1]
        out = np.zeros((len(ids), dim), dtype=np.float32)
        for i, cid in enumerate(ids):
            out[i] = np.frombuffer(rows[cid], dtype=np.float32)
        return out

    def lexical_search(
        self, match: str, limit: int, doc_ids: list[int] | None = None, kind: str | None = None
    ) -> list[tuple[int, float]]:
        """BM25 over chunk text (and, weighted lower, its section heading): [(chunk id, score)], best first.
        `doc_ids` and `kind` (a section kind) narrow the passages searched."""
        sql = (
            f"SELECT chunks_fts.rowid, bm25(chunks_fts, {TEXT_WEIGHT}, {SECTION_WEIGHT}) AS score FROM chunks_fts "
        )
        args: list[object] = [match]
        if doc_ids is not None or kind is not None:
            sql += "JOIN chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? "
            if doc_ids is not None:
                sql += f"AND c.doc_id IN ({','.join('?' * len(doc_ids))}) "
                args.extend(doc_ids)
            if kind is not None:
                sql += "AND c.kind = ? "
                args.append(kind)
        else:
            sql += "WHERE chunks_fts MATCH ? "
        sql += "ORDER BY score LIMIT ?"
        args.append(limit)
        # bm25() is lower-is-better; flip it so that every retriever's score is higher-is-better.
        return [(int(r[0]), -float(r[1])) for r in self.db.execute(sql, args)]

    def count_matches(self, match: str) -> int:
        """How many passages an FTS5 MATCH expression finds: walks the posting lists, scores nothing."""
        try:
            row = self.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (match,)).fetchone()
        except sqlite3.OperationalError:  # an expression FTS5 cannot parse finds nothing
            return 0
        return int(row[0])

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many chunks contain each (single-word) term, for highlighting weights."""
        return {term: self.count_matches('"' + term.replace('"', "") + '"') for term in terms}

    def stem_document_counts(self, stems: Iterable[str]) -> dict[str, int]:
        """Passages holding each of these indexed terms (Porter stems, as FTS5 stores them); 0 if none."""
        wanted = sorted(set(stems))
        counts = dict.fromkeys(wanted, 0)
        if not wanted:
            return counts
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, row)")
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            sql = f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({','.join('?' * len(part))})"
            counts.update(dict(self.db.execute(sql, part)))
        return counts

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "documents": one("SELECT count(*) FROM documents").fetchone()[0],
            "pages": one("SELECT count(*) FROM pages").fetchone()[0],
            "chunks": one("SELECT count(*) FROM chunks").fetchone()[0],
            "distinct_embeddings": one("SELECT count(*) FROM embeddings").fetchone()[0],
        }

    # -- the corpus vocabulary (index/thesaurus.py) ------------------------------------------------
    def chunk_signature(self) -> str:
        """Changes whenever a passage is added or removed (ids only grow), so a stale vocabulary shows."""
        count, top = self.db.execute("SELECT count(*), coalesce(max(id), 0) FROM chunks").fetchone()
        return f"{count}:{top}"

    def chunk_texts(self) -> Iterator[str]:
        """Each distinct passage text once: a report indexed under two versions counts once."""
        for (text,) in self.db.execute("SELECT DISTINCT text FROM chunks"):
            yield text

    def words_with_vectors(self) -> set[str]:
        if not self._has_table("words"):
            return set()
        return {w for (w,) in self.db.execute("SELECT word FROM words")}

    def replace_vocabulary(self, counts: dict[str, int], new_vectors: dict[str, np.ndarray], signature: str) -> None:
        """Make the stored vocabulary exactly `counts`, in one transaction; words already stored keep
        their vector, `new_vectors` gives the others. A word that leaves the vocabulary keeps its
        vector with a count of 0, so a report removed and added again costs no embedding."""
        with self.db:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_words (word TEXT PRIMARY KEY, passages INTEGER)")
            self.db.execute("DELETE FROM wanted_words")
            self.db.executemany("INSERT INTO wanted_words VALUES (?, ?)", counts.items())
            self.db.execute(
                "UPDATE words SET passages = coalesce("
                "(SELECT passages FROM wanted_words w WHERE w.word = words.word), 0)"
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO words(word, passages, vector) VALUES (?, ?, ?)",
                [(w, counts[w], np.asarray(v, dtype=np.float32).tobytes()) for w, v in new_vectors.items()],
            )
            self.db.execute("DELETE FROM wanted_words")
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('words_signature', ?)", (signature,))

    def thesaurus(self) -> Thesaurus:
        """The stored vocabulary as a Thesaurus (empty for an index built before it existed)."""
        n_chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        if not self._has_table("words"):
            return Thesaurus([], np.zeros(0), np.zeros((0, 1), dtype=np.float32), n_chunks)
        rows = self.db.execute("SELECT word, passages, vector FROM words WHERE passages > 0 ORDER BY word").fetchall()
        if not rows:
            return Thesaurus([], np.zeros(0), np.zeros((0, 1), dtype=np.float32), n_chunks)
        vectors = np.frombuffer(b"".join(v for _, _, v in rows), dtype=np.float32).reshape(len(rows), -1)
        return Thesaurus([w for w, _, _ in rows], np.array([n for _, n, _ in rows]), vectors, n_chunks)

    def word_counts(self) -> dict[str, int]:
        """{word: passages holding it} of the stored vocabulary (the thesaurus's words, without vectors)."""
        if not self._has_table("words"):
            return {}
        return dict(self.db.execute("SELECT word, passages FROM words WHERE passages > 0 ORDER BY word"))

    # -- recommendations and their themes (index/themes.py) ------------------------------------------
    def kind_chunk_ids(self, kind: str) -> np.ndarray:
        """Ids (ascending) of the passages of one section kind (ingest.recommendations.SECTION_KINDS)."""
        rows = self.db.execute("SELECT id FROM chunks WHERE kind = ? ORDER BY id", (kind,))
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def recommendation_signature(self) -> str:
        """Changes whenever a recommendations passage is added or removed (ids only grow)."""
        count, top = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM chunks WHERE kind = 'recommendations'"
        ).fetchone()
        return f"{count}:{top}"

    def recommendation_passages(self) -> list[tuple[int, int, str]]:
        """(chunk id, document id, text) of every recommendations passage, in report order."""
        rows = self.db.execute(
            "SELECT id, doc_id, text FROM chunks WHERE kind = 'recommendations' ORDER BY doc_id, ordinal"
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def known_recommendation_hashes(self) -> set[str]:
        return {h for (h,) in self.db.execute("SELECT text_hash FROM recommendation_vectors")}

    def replace_recommendations(
        self, points: list[tuple[int, int, int, str | None, str, str]], new_vectors: dict[str, np.ndarray],
        signature: str,
    ) -> None:
        """Make the stored recommendations exactly `points` ((chunk id, document id, ordinal, printed
        paragraph number, text, text hash)), in one transaction. Vectors are kept by text hash, also
        for points that leave, so a report removed and added again costs no embedding. Themes are
        cleared: they are made again."""
        with self.db:
            self.db.execute("DELETE FROM recommendations")
            self.db.execute("DELETE FROM themes")
            self.db.executemany(
                "INSERT INTO recommendations(chunk_id, doc_id, ordinal, paragraph, text, text_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                points,
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO recommendation_vectors(text_hash, vector) VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in new_vectors.items()],
            )
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('recommendations_signature', ?)",
                            (signature,))
            self.db.execute("DELETE FROM meta WHERE key = 'themes'")

    def recommendations(self, doc_ids: Iterable[int] | None = None) -> list[sqlite3.Row]:
        """Stored points (id, chunk_id, doc_id, ordinal, paragraph, text, theme), in report order."""
        sql = "SELECT id, chunk_id, doc_id, ordinal, paragraph, text, theme FROM recommendations"
        args: list[int] = []
        if doc_ids is not None:
            args = sorted(set(doc_ids))
            if not args:
                return []
            sql += f" WHERE doc_id IN ({','.join('?' * len(args))})"
        return self.db.execute(sql + " ORDER BY doc_id, chunk_id, ordinal", args).fetchall()

    def recommendation_vectors(self, ids: list[int], dim: int) -> np.ndarray:
        """The vectors of these stored points, in the order given."""
        out = np.zeros((len(ids), dim), dtype=np.float32)
        found: dict[int, bytes] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            found.update(self.db.execute(
                "SELECT r.id, v.vector FROM recommendations r JOIN recommendation_vectors v "
                f"ON v.text_hash = r.text_hash WHERE r.id IN ({','.join('?' * len(part))})", part))
        for i, rid in enumerate(ids):
            out[i] = np.frombuffer(found[rid], dtype=np.float32)
        return out

    def replace_themes(self, labels: list[tuple[str, list[str]]], assignment: dict[int, int], about: dict) -> None:
        """Store themes ((label, distinctive words) by theme number), each point's theme, and how they
        were chosen (`about`: k, the criterion's scores, the seed), in one transaction."""
        with self.db:
            self.db.execute("DELETE FROM themes")
            self.db.executemany("INSERT INTO themes(id, label, words) VALUES (?, ?, ?)",
                                [(i, label, json.dumps(ws)) for i, (label, ws) in enumerate(labels)])
            self.db.execute("UPDATE recommendations SET theme = NULL")
            self.db.executemany("UPDATE recommendations SET theme = ? WHERE id = ?",
                                [(t, rid) for rid, t in assignment.items()])
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('themes', ?)", (json.dumps(about),))

    def themes(self) -> list[tuple[int, str, list[str]]]:
        """(theme number, label, distinctive words) of the stored themes."""
        if not self._has_table("themes"):
            return []
        rows = self.db.execute("SELECT id, label, words FROM themes ORDER BY id")
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def _has_table(self, name: str) -> bool:
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def page_text(self, doc_id: int, number: int) -> str | None:
        row = self.db.execute("SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)).fetchone()
        return row[0] if row else None


def embed_input(chunk: Chunk) -> str:
    """What the model reads for a chunk: its section heading gives the passage its context."""
    if chunk.section:
        return f"{chunk.section}. {chunk.text}"
    return chunk.text
