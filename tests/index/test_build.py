"""Ingest: the lock (one writer at a time, tidying what a killed writer left behind), and reading again
what an older metadata reader wrote."""

from __future__ import annotations

import sqlite3

import pytest

from index import build as build_module
from index import lexical
from index.build import IndexLockedError, ingest_lock, ingest_paths
from index.embed import HashingEmbedder
from index.report_index import DB_NAME, VECTORS_NAME, ReportIndex
from index.search import SearchFilters
from index.store import SCHEMA_VERSION
from index.vectors import VectorIndex
from ingest.models import METADATA_VERSION
from tests.pdfgen import make_pdf, nameless_report_pages, sample_report_pages


def test_lock_removes_temporaries_left_by_a_killed_save(tmp_path) -> None:
    stale = tmp_path / f"{VECTORS_NAME}.abc123.tmp"
    stale.write_bytes(b"half a faiss file")
    kept = tmp_path / VECTORS_NAME
    kept.write_bytes(b"the last good file")
    staging = [tmp_path / ".lexical-k2j3", tmp_path / ".passage_words-old-x9" / "passage_words"]
    for folder in staging:
        folder.mkdir(parents=True)
        (folder / "word_ids.npy").write_bytes(b"half written")
    (tmp_path / "lexical").mkdir()  # a derived folder in use
    with ingest_lock(tmp_path):
        assert not stale.exists()
        assert not any(folder.exists() for folder in staging)
    assert kept.read_bytes() == b"the last good file" and (tmp_path / "lexical").is_dir()


def test_second_writer_is_refused_with_the_holder_named(tmp_path) -> None:
    with ingest_lock(tmp_path):
        with pytest.raises(IndexLockedError, match="another ingest or remove"):
            with ingest_lock(tmp_path):
                pass
    with ingest_lock(tmp_path):  # released again
        pass


# ---------------------------------------------------------------------------
# Metadata read by an older reader is read again, without embedding again
# ---------------------------------------------------------------------------

class CountingEmbedder(HashingEmbedder):
    """The fake embedder, counting the passages it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def encode(self, texts, batch_size: int = 32):
        self.embedded += len(texts)
        return super().encode(texts, batch_size)


@pytest.fixture
def pdfs(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    make_pdf(folder / "avonshire_2019-08-01.pdf", sample_report_pages("Avonshire", 2019))
    make_pdf(folder / "stoke_2021.pdf", sample_report_pages("Stoke-on-Trent", 2021))
    return folder


def _open(directory):
    return ReportIndex.load(directory, embedder=CountingEmbedder(), create=True)


def _age_metadata(index) -> None:
    """Make every document look as if an older reader had written it, with wrong metadata."""
    with index.store.transaction() as db:
        db.execute("UPDATE documents SET metadata_version = ?, local_authority = 'stale', published = NULL, "
                   "published_source = NULL", (METADATA_VERSION - 1,))


def test_unchanged_files_read_by_an_older_reader_are_read_again(tmp_path, pdfs):
    index = _open(tmp_path / "ix")
    try:
        first = ingest_paths(index, [pdfs], progress=False)
        assert len(first.added) == 2
        counts = index.store.counts()
        _age_metadata(index)
        embedded = index.embedder.embedded

        again = ingest_paths(index, [pdfs], progress=False)
        assert sorted(again.updated) == sorted(first.added)
        assert not again.added and not again.replaced and not again.unchanged
        assert index.embedder.embedded == embedded  # every passage's embedding was reused
        assert index.store.counts() == counts and len(index.vectors) == counts["chunks"]
        docs = {d.local_authority: d for d in index.store.documents().values()}
        assert set(docs) == {"Avonshire", "Stoke-on-Trent"}
        assert docs["Avonshire"].published == "2019-08-01" and docs["Avonshire"].published_source == "file name"
        assert not index.store.documents_read_before(METADATA_VERSION)

        third = ingest_paths(index, [pdfs], progress=False)
        assert len(third.unchanged) == 2 and not third.updated
    finally:
        index.close()


def test_a_document_with_two_names_is_read_once_and_keeps_both(tmp_path, pdfs):
    copy = pdfs / "copy-of-avonshire.pdf"
    copy.write_bytes((pdfs / "avonshire_2019-08-01.pdf").read_bytes())
    index = _open(tmp_path / "ix")
    try:
        assert len(ingest_paths(index, [pdfs], progress=False).duplicates) == 1
        _age_metadata(index)
        again = ingest_paths(index, [pdfs], progress=False)
        assert len(again.updated) == 2 and len(again.unchanged) == 1  # the copy rode along with its twin
        avonshire = [d for d in index.store.documents().values() if d.local_authority == "Avonshire"]
        assert len(avonshire) == 1 and len(avonshire[0].paths) == 2
    finally:
        index.close()


def test_an_index_of_schema_1_is_migrated_and_its_documents_read_again(tmp_path, pdfs):
    directory = tmp_path / "ix"
    index = _open(directory)
    ingest_paths(index, [pdfs], progress=False)
    index.close()
    # What an index made before metadata versions were recorded looks like.
    db = sqlite3.connect(directory / DB_NAME)
    db.execute("ALTER TABLE documents DROP COLUMN metadata_version")
    db.execute("DROP TABLE words")
    db.executescript("DROP TABLE recommendations; DROP TABLE recommendation_vectors; DROP TABLE themes; "
                     "ALTER TABLE chunks DROP COLUMN kind")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()

    index = _open(directory)
    try:
        assert index.store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert len(index.store.documents_read_before(METADATA_VERSION)) == 2
        assert not index.store.words_with_vectors()
        summary = ingest_paths(index, [pdfs], progress=False)
        # No passage is embedded again; only the vocabulary and the recommendations' points, which the old
        # index did not have.
        points = len(index.store.known_recommendation_hashes())
        assert points > 0 and len(summary.updated) == 2
        assert index.embedder.embedded == len(index.store.words_with_vectors()) + points
    finally:
        index.close()


def test_a_report_with_no_authority_is_indexed_named_and_counted(tmp_path, pdfs):
    nameless = make_pdf(pdfs / "report.pdf", nameless_report_pages())
    index = _open(tmp_path / "ix")
    try:
        summary = ingest_paths(index, [pdfs], progress=False)
        assert str(nameless.resolve()) in summary.added
        assert summary.no_authority == [str(nameless.resolve())]
        stats = index.stats()
        assert stats["documents"] == 3 and stats["no_authority"] == 1
        assert stats["by_published_source"] == {"estimated": 2, "file name": 1}
    finally:
        index.close()


def test_an_estimated_publication_date_is_marked_and_filters_by_year(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    pages = [p.replace("June 2019", "December 2025") for p in sample_report_pages("Avonshire", 2019)]
    make_pdf(folder / "avonshire.pdf", pages)  # inspected 10 to 21 December 2025
    index = _open(tmp_path / "ix")
    try:
        ingest_paths(index, [folder], progress=False)
        (doc,) = index.store.documents().values()
        assert doc.published == "2026-02-01" and doc.published_estimated
        for year in (2025, 2026):  # the inspection's year and the (estimated) publication year
            response = index.search("return home interviews", SearchFilters.build(year=year), k=3)
            assert response.results, year
        assert not index.search("return home interviews", SearchFilters.build(year=2024), k=3).results
    finally:
        index.close()


# ---------------------------------------------------------------------------
# Checkpoints during an ingest
# ---------------------------------------------------------------------------

def test_checkpoints_save_the_vectors_and_the_postings_are_built_once_at_the_end(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, year in (("Avonshire", 2019), ("Stoke-on-Trent", 2021), ("Barsetshire", 2022)):
        make_pdf(folder / f"{name.lower()}_{year}.pdf", sample_report_pages(name, year))
    monkeypatch.setattr(build_module, "BATCH_PASSAGES", 1)  # a batch per report
    monkeypatch.setattr(build_module, "SAVE_EVERY_SECONDS", -1.0)  # a checkpoint after every batch
    vector_saves: list[str] = []
    real_save = VectorIndex.save
    monkeypatch.setattr(VectorIndex, "save", lambda self, path: vector_saves.append(str(path)) or real_save(self, path))
    postings_built: list[str | None] = []
    real_build = lexical.build
    monkeypatch.setattr(lexical, "build", lambda db, signature=None: postings_built.append(signature)
                        or real_build(db, signature))
    index = _open(tmp_path / "ix")
    try:
        summary = ingest_paths(index, [folder], workers=0, progress=False)
        assert len(summary.added) == 3
        assert len(vector_saves) >= 3  # the vectors at each checkpoint (each batch added some) and at the end
        assert len(postings_built) == 1  # rebuilt whole once, after the last report
        assert lexical.saved_signature(index.directory) == lexical.store_signature(index.store.db)
        assert index.search("return home interviews", retriever="lexical").results
    finally:
        index.close()


def test_a_file_saved_again_with_the_same_text_keeps_its_document_and_nothing_is_rebuilt(tmp_path, pdfs):
    index = _open(tmp_path / "ix")
    try:
        ingest_paths(index, [pdfs], progress=False)
        path = str(pdfs / "avonshire_2019-08-01.pdf")
        doc_id, old_sha = index.store.document_by_path(path)
        chunks = index.store.db.execute("SELECT * FROM chunks ORDER BY id").fetchall()
        signature = lexical.saved_signature(index.directory)
        themes = index.store.get_meta("themes")
        before = index.search("social workers visit children", SearchFilters(), k=5).results
        embedded = index.embedder.embedded
        with open(path, "ab") as handle:  # new bytes, so a new checksum; the same text
            handle.write(b"\n% saved again\n")

        again = ingest_paths(index, [pdfs], progress=False)
        assert again.replaced == [path] and again.chunks_added == 0 and len(again.unchanged) == 1
        assert index.store.document_by_path(path)[0] == doc_id and index.store.document_by_path(path)[1] != old_sha
        assert [tuple(r) for r in index.store.db.execute("SELECT * FROM chunks ORDER BY id")] == [
            tuple(r) for r in chunks]
        assert lexical.saved_signature(index.directory) == signature and index.store.get_meta("themes") == themes
        assert index.embedder.embedded == embedded
        assert index.search("social workers visit children", SearchFilters(), k=5).results == before

        # Other text under the same name is a new version: a new document and passages.
        make_pdf(pdfs / "avonshire_2019-08-01.pdf", sample_report_pages("Avonshire", 2020))
        third = ingest_paths(index, [pdfs], progress=False)
        assert third.replaced == [path] and third.chunks_added > 0
        assert index.store.document_by_path(path)[0] != doc_id
        assert lexical.saved_signature(index.directory) != signature
    finally:
        index.close()
