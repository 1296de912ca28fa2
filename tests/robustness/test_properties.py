"""Property-based tests (hypothesis) of text cleaning and chunking on hostile text: no exception, every
chunk's text is found in its page's cleaned text (at its offsets), and every page's words are covered by
chunks (or by headings and skipped boilerplate, which are deliberately in no passage).

tests/ingest/test_chunk.py::test_property_random_pages already runs report-like vocabulary through the same
invariants (imported here, not rewritten); these strategies add arbitrary Unicode, control characters,
private-use glyphs, odd whitespace, very long lines and the whole PDF -> parse path.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunk import chunk_pages
from ingest.clean import clean_pages
from ingest.models import Page
from ingest.pdf import PdfReadError
from ingest.pipeline import parse_report
from tests.ingest.test_chunk import check_invariants, covered
from tests.pdfgen import make_pdf

_ODD = st.sampled_from([
    "\x00", "\x0c", "\r", "\r\n", "\t", "\u00a0", "\u00ad", "\u200b", "\ufeff", "\u2028", "\uf06e", "\uf0b7",
    "\ue000", "•", "◼", "–", "-", "­", "…", "’", "“", "(", ")", "1.", "26.", "12", "Page 3 of 9", "©",
    "Manage-", "ment", "multi-", "agency", "Good", "Inadequate", "Summary", "e.g.", "i.e.", "No. 5", "🙂", "社会",
    "The Office for Standards in Education, Children’s Services and Skills (Ofsted) regulates",
])
_TOKEN = st.one_of(_ODD, st.text(max_size=10), st.from_regex(r"[A-Z][a-z]{2,9}[.,;:]?", fullmatch=True))
_LINE = st.lists(_TOKEN, max_size=20).map(" ".join)
_PAGE = st.one_of(st.lists(_LINE, max_size=15).map("\n".join), st.text(max_size=400))
_PAGES = st.lists(_PAGE, max_size=6)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(_PAGES)
def test_property_cleaning_never_fails_and_keeps_the_pages(raw_pages):
    cleaned = clean_pages(raw_pages)
    assert len(cleaned) == len(raw_pages)
    assert all(isinstance(text, str) for text in cleaned)
    assert clean_pages(raw_pages) == cleaned  # deterministic


@SETTINGS
@given(_PAGES, st.sampled_from([1, 7, 40, 180]))
def test_property_chunks_come_from_and_cover_the_cleaned_pages(raw_pages, max_words):
    cleaned = clean_pages(raw_pages)
    pages = [Page(number=i + 1, raw_text=raw, text=text)
             for i, (raw, text) in enumerate(zip(raw_pages, cleaned, strict=True))]
    chunks = chunk_pages(pages, max_words=max_words)
    check_invariants(pages, chunks, max_words)  # each chunk's text is at its offsets in its pages' text
    assert not covered(pages, chunks)  # every word is in a chunk, a heading or skipped boilerplate


@SETTINGS
@given(st.lists(st.text(max_size=2000), min_size=1, max_size=3), st.sampled_from([5, 180]))
def test_property_long_unbroken_text(raw_pages, max_words):
    # Pasted tables and OCR junk: long lines with no sentence ends.
    cleaned = clean_pages(raw_pages)
    pages = [Page(number=i + 1, raw_text=r, text=c) for i, (r, c) in enumerate(zip(raw_pages, cleaned, strict=True))]
    chunks = chunk_pages(pages, max_words=max_words)
    check_invariants(pages, chunks, max_words)
    assert not covered(pages, chunks)


_PDF_WORD = st.one_of(st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True),
                      st.sampled_from(["1.", "2.", "Good", "care", "leavers", "(", ")", "\\", "•", "–", "é", "£"]))
_PDF_LINE = st.lists(_PDF_WORD, min_size=1, max_size=14).map(" ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_PDF_LINE, max_size=12).map("\n".join), min_size=1, max_size=4))
def test_property_pdf_to_passages(tmp_path_factory, page_texts):
    path = make_pdf(tmp_path_factory.mktemp("prop") / "r.pdf", page_texts)
    try:
        report = parse_report(path)
    except PdfReadError as exc:  # too little text, or no passages: a reason, never another error
        assert str(exc)
        return
    assert report.chunks and len(report.pages) == len(page_texts)
    check_invariants(report.pages, report.chunks, 180)
    assert not covered(report.pages, report.chunks)
