"""The index lifecycle with a fake embedder: upsert, search, filters, delete, save/load, model guard."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from index.embed import HashingEmbedder
from index.report_index import DB_NAME, IndexNotFoundError, ReportIndex
from index.search import QueryError, SearchFilters
from index.store import IndexMismatchError
from tests.index.helpers import make_report

BOILERPLATE = ("Ofsted produces this report under its power to combine reports in accordance with the Act, "
               "and this statement is printed the same way in every report of this kind.")


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Avonshire", [
        "Screening of child sexual exploitation risk is inconsistent and social workers do not use the tool.",
        "Care leavers have personal advisers who keep in touch and help them find suitable housing.",
        BOILERPLATE,
    ], year=2017, report_type="sif", overall="inadequate"))
    idx.upsert(make_report("Stoke-on-Trent", [
        "The multi-agency safeguarding hub makes timely decisions and thresholds are well understood.",
        "Independent reviewing officers challenge drift in plans for children in care.",
        BOILERPLATE,
    ], year=2019, overall="good"))
    idx.upsert(make_report("Borsetshire", [
        "Return home interviews are offered to children who go missing, but many are late.",
        "Child sexual exploitation screening tools are used well and risks are reviewed at a panel.",
    ], year=2023, report_type="ilacs_short", overall="outstanding"))
    yield idx
    idx.close()


def test_search_returns_cited_highlighted_passages(index):
    response = index.search("what did inspectors say about CSE screening?", k=3)
    assert response.results
    top = response.results[0]
    assert "sexual exploitation" in top.text.lower()
    assert top.highlights and "exploitation" in top.highlighted_text()[0].lower()
    assert top.citation.local_authority in ("Avonshire", "Borsetshire")
    assert top.citation.page_start >= 1 and top.citation.paragraphs


def test_filters_apply_inside_retrieval(index):
    f = SearchFilters.build(authority="stoke on trent")
    response = index.search("child sexual exploitation screening", f, k=3)
    assert len(response.results) == 3  # k results exist for this authority, so k come back
    assert {r.citation.local_authority for r in response.results} == {"Stoke-on-Trent"}
    f = SearchFilters.build(authority="AVONSHIRE", year=2017)
    assert all(r.citation.local_authority == "Avonshire" for r in index.search("housing", f, k=5).results)
    f = SearchFilters.build(years="2018-2024", report_type="ilacs_short")
    assert {r.citation.local_authority for r in index.search("missing children", f, k=5).results} == {"Borsetshire"}
    f = SearchFilters.build(grade="inadequate")
    assert {r.citation.local_authority for r in index.search("care leavers", f, k=5).results} == {"Avonshire"}


def test_boilerplate_repeated_across_reports_is_collapsed(index):
    response = index.search("Ofsted produces this report under its power to combine reports", k=5)
    texts = [r.text for r in response.results]
    assert texts.count(BOILERPLATE) == 1
    assert next(r for r in response.results if r.text == BOILERPLATE).duplicates == 1


def test_bad_filters_and_queries_give_clear_messages(index):
    with pytest.raises(QueryError, match="did you mean"):
        index.search("care", SearchFilters.build(authority="Avonshyre"))
    with pytest.raises(QueryError, match="empty"):
        SearchFilters.build(years="2020-2010")
    with pytest.raises(QueryError, match="valid"):
        SearchFilters.build(report_type="nonsense")
    with pytest.raises(QueryError):
        index.search("   ")
    with pytest.raises(QueryError):
        index.search("?!?")
    for odd in ['"unbalanced', "care AND (leavers OR", "NEAR(a b)", "text:care*", "x" * 10000, "\x00\x1b care",
                "'; DROP TABLE chunks; --", "🙂 aide sociale à l'enfance", "^care leavers"]:
        index.search(odd, k=3)  # never a traceback
    assert index.search("care", SearchFilters.build(year=1995)).results == []


def test_unchanged_text_is_never_embedded_twice(tmp_path):
    calls = []

    class Counting(HashingEmbedder):
        def encode(self, texts, batch_size=32):
            calls.append(len(texts))
            return super().encode(texts, batch_size)

    idx = ReportIndex.load(tmp_path / "ix", embedder=Counting(), create=True)
    idx.upsert(make_report("Avonshire", ["alpha beta gamma delta", BOILERPLATE]))
    idx.upsert(make_report("Borsetshire", ["epsilon zeta eta theta", BOILERPLATE]))
    assert calls == [2, 1]  # the boilerplate passage was embedded once
    idx.close()


def test_delete_and_reload(tmp_path, index):
    doc_ids = list(index.store.documents())
    removed = index.delete(doc_ids[0])
    assert removed == 3
    index.close()
    again = ReportIndex.load(index.directory, embedder=HashingEmbedder())
    assert again.store.counts()["documents"] == 2
    assert len(again.vectors) == again.store.counts()["chunks"] == 5
    again.close()


def test_vectors_repaired_from_store_after_a_crash(tmp_path):
    index = ReportIndex.load(tmp_path / "crashed", embedder=HashingEmbedder(), create=True)
    index.upsert(make_report("Avonshire", ["Care leavers have personal advisers who keep in touch."]))
    index.save()
    index.upsert(make_report("Ambridge", ["a passage written after the last save of the vector file"]))
    # simulate a kill: the SQLite commit happened, the FAISS file was never saved (nor anything else)
    index.store.close()
    index.searcher.close()
    again = ReportIndex.load(index.directory, embedder=HashingEmbedder())
    assert len(again.vectors) == again.store.counts()["chunks"]
    assert again.search("written after the last save", k=1).results[0].citation.local_authority == "Ambridge"
    again.close()


def test_another_model_is_refused(tmp_path, index):
    index.close()
    with pytest.raises(IndexMismatchError, match="fake-hashing-64"):
        ReportIndex.load(index.directory, embedder=HashingEmbedder(dim=32))


def test_an_index_whose_first_ingest_died_before_its_schema_is_reported_and_then_built(tmp_path):
    directory = tmp_path / "ix"
    directory.mkdir()
    sqlite3.connect(directory / DB_NAME).close()  # the empty file a process killed at creation leaves
    with pytest.raises(IndexNotFoundError, match="never finished"):
        ReportIndex.load(directory, embedder=HashingEmbedder(), read_only=True)
    idx = ReportIndex.load(directory, embedder=HashingEmbedder(), create=True)
    try:
        idx.upsert(make_report("Avonshire", ["Care leavers have personal advisers who keep in touch."]))
        assert idx.search("personal advisers", k=1).results
    finally:
        idx.close()


def test_a_question_comparing_reports_also_ranks_their_summaries(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    for name, verdict in (("Avonshire", "inadequate, with widespread failures"),
                          ("Borsetshire", "outstanding, with strong leadership")):
        report = make_report(name, [
            f"Services for children in {name} are {verdict} since the last inspection.",
            "Care leavers have personal advisers who keep in touch and help them find suitable housing.",
            "Return home interviews are offered to children who go missing from home or care.",
        ], year=2022)
        report.chunks[0].section = "Summary"
        idx.upsert(report)
    try:
        plain = idx.search("care leavers and personal advisers", k=3)
        assert "summaries" not in (plain.interpretation or "")
        compared = idx.search("how different were Avonshire and Borsetshire for care leavers?", k=4)
        assert "summaries" in compared.interpretation
        top = [r for r in compared.results if r.citation.section == "Summary"]
        assert {r.citation.local_authority for r in top} == {"Avonshire", "Borsetshire"}
        assert idx.search("care leavers: compare the reports", k=3, retriever="dense").interpretation is None
    finally:
        idx.close()


def test_passage_vectors_read_from_the_vector_index_equal_the_stored_ones(index):
    """Search reads candidates' vectors from the exact FAISS index; they are the store's bit for bit,
    and a passage the vector index lacks is read from the store."""
    ids = index.store.chunk_ids()
    stored = index.store.vectors_for_chunks(ids, index.embedder.dim)
    corpus = index.searcher.corpus
    assert corpus.vectors.held_vectors(ids) is not None
    assert np.array_equal(corpus.vectors_of(ids[::-1]), stored[::-1])
    corpus.vectors.remove(ids[:1])
    assert corpus.vectors.held_vectors(ids) is None
    assert np.array_equal(corpus.vectors_of(ids), stored)


def test_passages_by_section_heading_are_found_by_the_section_index_and_the_same_without_it(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    headings = ["Summary", "Executive summary", "Care leavers", "The experiences of care leavers", None,
                "Help and protection"]
    idx.upsert(make_report("Avonshire", [f"Passage {i} about children." for i in range(6)], sections=headings))
    rows = idx.store.db.execute("SELECT id, section FROM chunks ORDER BY id").fetchall()

    def expected(match) -> list[int]:
        return [cid for cid, section in rows if section is not None and match(section.lower())]

    def answers(store) -> tuple[list[int], list[int]]:
        return (store.chunk_ids_in_sections(["SUMMARY", "executive summary"]).tolist(),
                store.chunk_ids_in_sections_like(["leaver", "PROTECT"]).tolist())

    wanted = (expected(lambda s: s in ("summary", "executive summary")),
              expected(lambda s: "leaver" in s or "protect" in s))
    assert len(wanted[0]) == 2 and len(wanted[1]) == 3
    assert answers(idx.store) == wanted
    plan = idx.store.db.execute("EXPLAIN QUERY PLAN SELECT id FROM chunks WHERE lower(section) IN ('summary')")
    assert "chunks_section" in str([tuple(row) for row in plan.fetchall()])
    idx.store.db.execute("DROP INDEX chunks_section")  # as an index made before it was added
    idx.store.db.commit()
    idx.close()
    old = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), read_only=True)
    assert answers(old.store) == wanted
    old.close()
    again = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder())  # a writable open adds it
    assert again.store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks_section'").fetchone()
    assert answers(again.store) == wanted
    again.close()
