"""The newcomer's baseline retriever: windows, incremental builds, the three retrievers, filters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval.baseline import (
    FAISS_NAME,
    OVERLAP_WORDS,
    STRIDE,
    WINDOW_WORDS,
    BaselineHit,
    BaselineIndex,
    main,
    make_windows,
)
from index.embed import HashingEmbedder
from index.search import SearchFilters
from ingest.pdf import file_sha256
from ingest.pipeline import publication_dates
from tests.pdfgen import make_pdf, sample_report_pages

WORDS_PER_PAGE = 130  # not a divisor of the stride, so windows start and end mid-page


def numbered_pages(n_pages: int, per_page: int = WORDS_PER_PAGE) -> list[str]:
    """Pages of distinct words wd00000, wd00001, ..., ten to a line."""
    pages = []
    for p in range(n_pages):
        ws = [f"wd{p * per_page + i:05d}" for i in range(per_page)]
        pages.append("\n".join(" ".join(ws[i : i + 10]) for i in range(0, per_page, 10)))
    return pages


def word_number(word: str) -> int:
    return int(word[2:])


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    return {
        "avonshire": make_pdf(folder / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019)),
        "borsetshire": make_pdf(folder / "borsetshire_2021.pdf", sample_report_pages("Borsetshire", 2021)),
    }


# -- windows ------------------------------------------------------------------------------------


def test_make_windows_sizes_overlap_and_pages():
    pages = numbered_pages(5)  # 650 words
    windows = make_windows(pages)
    assert (WINDOW_WORDS, OVERLAP_WORDS, STRIDE) == (180, 30, 150)
    starts = [word_number(w.text.split()[0]) for w in windows]
    assert starts == [0, 150, 300, 450, 600]
    for w in windows[:-1]:
        assert len(w.text.split()) == 180
    assert windows[-1].text.split()[-1] == "wd00649"  # the last window ends at the last word
    for a, b in zip(windows, windows[1:], strict=False):
        assert a.text.split()[-OVERLAP_WORDS:] == b.text.split()[:OVERLAP_WORDS]
    for w in windows:
        first, last = word_number(w.text.split()[0]), word_number(w.text.split()[-1])
        assert (w.page_start, w.page_end) == (first // WORDS_PER_PAGE + 1, last // WORDS_PER_PAGE + 1)
        assert "  " not in w.text and "\n" not in w.text
    assert [w.ordinal for w in windows] == list(range(len(windows)))


def test_make_windows_edges():
    assert make_windows([]) == []
    assert make_windows(["", "  \n "]) == []
    short = make_windows(["", "one two\nthree"])
    assert [(w.text, w.page_start, w.page_end) for w in short] == [("one two three", 2, 2)]
    exact = make_windows([" ".join(f"w{i}" for i in range(330))])
    assert [len(w.text.split()) for w in exact] == [180, 180]  # no tail window inside the last one


def test_windows_from_pdf_ignore_pages_and_record_spans(tmp_path, embedder):
    pdf = make_pdf(tmp_path / "long.pdf", numbered_pages(7))  # 910 words
    with BaselineIndex.build([pdf], tmp_path / "idx", embedder, progress=False) as index:
        windows = index.windows_of("long.pdf")
        assert index.counts() == {"documents": 1, "windows": len(windows), "vectors": len(windows)}
    assert len(windows) == 6  # starts 0, 150, ..., 750
    for number, w in enumerate(windows):
        words = w.text.split()
        expected = [f"wd{i:05d}" for i in range(number * STRIDE, min(number * STRIDE + WINDOW_WORDS, 910))]
        assert words == expected
        assert w.page_start == word_number(words[0]) // WORDS_PER_PAGE + 1
        assert w.page_end == word_number(words[-1]) // WORDS_PER_PAGE + 1
    assert any(w.page_end > w.page_start for w in windows)


# -- building -----------------------------------------------------------------------------------


def test_build_is_incremental_by_sha256(tmp_path, embedder, reports):
    directory = tmp_path / "idx"
    with BaselineIndex.build([reports["avonshire"]], directory, embedder, progress=False) as index:
        assert len(index.stats.added) == 1
        first = index.counts()

    third = make_pdf(tmp_path / "pdfs" / "casterbridge_2020.pdf", sample_report_pages("Casterbridge", 2020))
    copy = tmp_path / "renamed_avonshire.pdf"
    shutil.copy(reports["avonshire"], copy)
    with BaselineIndex.build([tmp_path / "pdfs", copy], directory, embedder, progress=False) as index:
        stats = index.stats
        assert sorted(Path(p).name for p in stats.added) == ["borsetshire_2021.pdf", "casterbridge_2020.pdf"]
        assert sorted(Path(p).name for p in stats.skipped) == ["avonshire_2019.pdf", "renamed_avonshire.pdf"]
        counts = index.counts()
    assert counts["documents"] == 3
    assert counts["windows"] == counts["vectors"] == 3 * first["windows"]

    with BaselineIndex.build([tmp_path / "pdfs", third], directory, embedder, progress=False) as index:
        # `third` is also found under pdfs/: the pipeline's file discovery names each file once.
        assert index.stats.added == [] and len(index.stats.skipped) == 3
        assert index.stats.windows == 0


def test_bad_files_fail_without_stopping_the_build(tmp_path, embedder, reports):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    paths = [bad, reports["avonshire"], tmp_path / "missing.pdf"]
    with BaselineIndex.build(paths, tmp_path / "idx", embedder, progress=False) as index:
        reasons = dict(index.stats.failed)
        assert len(index.stats.added) == 1
    assert "not a PDF" in reasons[str(bad)]
    assert str(tmp_path / "missing.pdf") in reasons


def test_load_restores_and_repairs_the_vectors(tmp_path, embedder, reports):
    directory = tmp_path / "idx"
    with BaselineIndex.build(reports.values(), directory, embedder, progress=False) as index:
        before = index.search("child sexual exploitation screening", None, k=5)
        n_windows = index.counts()["windows"]
    with BaselineIndex.load(directory, embedder) as index:
        assert index.search("child sexual exploitation screening", None, k=5) == before
    (directory / FAISS_NAME).unlink()  # as if the run died before saving it
    with BaselineIndex.load(directory, embedder) as index:
        assert index.counts()["vectors"] == n_windows
        assert index.search("child sexual exploitation screening", None, k=5) == before
    assert (directory / FAISS_NAME).is_file()  # the repaired copy was saved


def test_load_refuses_missing_index_and_other_model(tmp_path, embedder, reports):
    with pytest.raises(FileNotFoundError):
        BaselineIndex.load(tmp_path / "nothing", embedder)
    BaselineIndex.build([reports["avonshire"]], tmp_path / "idx", embedder, progress=False).close()
    with pytest.raises(ValueError, match="built with"):
        BaselineIndex.load(tmp_path / "idx", HashingEmbedder(dim=32))


def test_publication_date_comes_from_the_manifest_when_the_report_prints_none(
    tmp_path, embedder, reports, monkeypatch
):
    manifest = tmp_path / "manifest.csv"
    sha = file_sha256(reports["avonshire"])
    manifest.write_text(f"file,published,sha256\navonshire_2019.pdf,2019-08-30,{sha}\n")
    monkeypatch.setenv("OFSTED_QA_MANIFEST", str(manifest))
    publication_dates.cache_clear()
    try:
        with BaselineIndex.build(reports.values(), tmp_path / "idx", embedder, progress=False) as index:
            hits = index.search("return home interviews", None, k=10, retriever="lexical")
    finally:
        publication_dates.cache_clear()
    published = {h.file: h.published for h in hits}
    assert published == {"avonshire_2019.pdf": "2019-08-30", "borsetshire_2021.pdf": None}


# -- searching ----------------------------------------------------------------------------------


@pytest.fixture
def index(tmp_path, embedder, reports):
    index = BaselineIndex.build(reports.values(), tmp_path / "idx", embedder, progress=False)
    yield index
    index.close()


@pytest.mark.parametrize("retriever", ["hybrid", "dense", "lexical"])
def test_every_retriever_returns_hits(index, retriever):
    hits = index.search("screening of child sexual exploitation risk", None, k=3, retriever=retriever)
    assert 1 <= len(hits) <= 3
    assert all(isinstance(h, BaselineHit) for h in hits)
    top = hits[0]
    assert "sexual exploitation" in top.text
    assert top.file in {"avonshire_2019.pdf", "borsetshire_2021.pdf"}
    assert top.local_authority in {"Avonshire", "Borsetshire"}
    assert 1 <= top.page_start <= top.page_end <= 3
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_hybrid_fuses_with_rrf(index):
    hits = index.search("return home interviews", None, k=4)
    assert len(hits) == 4  # two reports of two windows each
    dense = index.search("return home interviews", None, k=100, retriever="dense")
    lexical = index.search("return home interviews", None, k=100, retriever="lexical")

    def key(h):
        return h.file, h.text

    expected = {}
    for ranking in (dense, lexical):
        for rank, h in enumerate(ranking, start=1):
            expected[key(h)] = expected.get(key(h), 0.0) + 1 / (60 + rank)
    for h in hits:
        assert h.score == pytest.approx(expected[key(h)], abs=1e-6)


def test_unknown_retriever_and_bad_k(index):
    with pytest.raises(ValueError, match="retriever"):
        index.search("care leavers", None, retriever="bm25")
    with pytest.raises(ValueError):
        index.search("care leavers", None, k=0)


def test_authority_filter(index):
    for name in ("Borsetshire", "borsetshire", "Borsetshire County Council"):
        hits = index.search("care leavers", SearchFilters.build(authority=name), k=10)
        assert hits and {h.file for h in hits} == {"borsetshire_2021.pdf"}, name
    assert index.search("care leavers", SearchFilters.build(authority="Nowhere"), k=10) == []


@pytest.mark.parametrize("retriever", ["hybrid", "dense", "lexical"])
def test_year_filter_applies_inside_retrieval(index, retriever):
    # The windows of the filtered report come back even though they rank below the other report's.
    hits = index.search("personal advisers", SearchFilters.build(year=2019), k=10, retriever=retriever)
    assert {h.file for h in hits} == {"avonshire_2019.pdf"}
    if retriever != "lexical":
        assert len(hits) == 2  # every window of that report
    filters = SearchFilters.build(years="2020-2022")
    hits = index.search("personal advisers", filters, k=10, retriever=retriever)
    assert {h.file for h in hits} == {"borsetshire_2021.pdf"}
    assert index.search("personal advisers", SearchFilters.build(year=2015), k=10, retriever=retriever) == []


def test_report_type_and_grade_filters(index):
    assert index.search("care", SearchFilters.build(report_type="ilacs_standard"), k=10)
    assert index.search("care", SearchFilters.build(report_type="sif"), k=10) == []
    assert index.search("care", SearchFilters.build(grade="good"), k=10)
    assert index.search("care", SearchFilters.build(grade="inadequate"), k=10) == []


@pytest.mark.parametrize(
    "query",
    ['"unbalanced quote', "AND OR NOT", "NEAR(care leavers", "text:care*", "^care -leavers", "(((", "***",
     "children's", "a OR", "column:", "'; DROP TABLE windows; --", "", "   "],
)
def test_fts_syntax_in_queries_does_not_crash(index, query):
    for retriever in ("hybrid", "dense", "lexical"):
        hits = index.search(query, SearchFilters.build(authority="Avonshire"), k=5, retriever=retriever)
        assert isinstance(hits, list)
    assert index.counts()["documents"] == 2


def test_lexical_is_plain_bm25_without_stemming(index):
    # unicode61, no porter stemmer: "advisers" does not match "adviser".
    assert index.search("adviser", None, k=5, retriever="lexical") == []
    assert index.search("advisers", None, k=5, retriever="lexical")


# -- command line -------------------------------------------------------------------------------


def test_command_line_build_and_ask(tmp_path, reports, capsys):
    directory = tmp_path / "idx"
    assert main(["--embedder", "fake", "build", str(tmp_path / "pdfs"), "--index", str(directory),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "added 2" in out and "windows/s" in out
    assert main(["--embedder", "fake", "ask", "child sexual exploitation", "--index", str(directory),
                 "--authority", "Avonshire", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. avonshire_2019.pdf · Avonshire")
    assert "borsetshire" not in out
    assert main(["--embedder", "fake", "ask", "x", "--index", str(directory), "--year", "19"]) == 2
