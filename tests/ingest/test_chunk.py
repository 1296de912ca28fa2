"""Section- and paragraph-aware chunking, on synthetic report text, plus one corpus test."""

from __future__ import annotations

import re
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunk import chunk_pages, chunk_source_text, heading_display, segment_pages
from ingest.clean import clean_pages
from ingest.models import Chunk, Page
from tests.conftest import missing
from tests.pdfgen import sample_report_pages


def _pages(texts: list[str], clean: bool = True) -> list[Page]:
    cleaned = clean_pages(texts) if clean else texts
    return [
        Page(number=i + 1, raw_text=raw, text=text) for i, (raw, text) in enumerate(zip(texts, cleaned, strict=True))
    ]


def _words(chunk: Chunk) -> int:
    return len(chunk.text.split())


def _sentence(i: int, n_words: int = 12) -> str:
    filler = "social workers visit children regularly and managers review plans with care".split()
    words = [f"Item{i}"] + [filler[k % len(filler)] for k in range(n_words - 1)]
    return " ".join(words) + "."


def _paragraph(number: int | None, n_sentences: int, start: int = 0) -> str:
    body = " ".join(_sentence(start + k) for k in range(n_sentences))
    return f"{number}. {body}" if number is not None else body


def check_invariants(pages: list[Page], chunks: list[Chunk], max_words: int) -> None:
    texts = {p.number: p.text for p in pages}
    for ordinal, chunk in enumerate(chunks):
        assert chunk.ordinal == ordinal
        assert chunk.text == chunk_source_text(pages, chunk)
        assert chunk.text.strip() == chunk.text and chunk.text
        assert _words(chunk) <= max_words
        assert chunk.page_start <= chunk.page_end
        if chunk.page_start == chunk.page_end:
            assert chunk.text in texts[chunk.page_start]
            assert texts[chunk.page_start][chunk.char_start : chunk.char_end] == chunk.text
        else:
            # The part on each page is found in that page's text, at the chunk's offsets.
            head = texts[chunk.page_start][chunk.char_start :]
            tail = texts[chunk.page_end][: chunk.char_end]
            assert head and tail
            assert chunk.text.startswith(head + "\n")
            assert chunk.text.endswith("\n" + tail)


def covered(pages: list[Page], chunks: list[Chunk]) -> list[tuple[int, int, str]]:
    """Non-blank words of the pages that are in no chunk, no heading and no skipped block."""
    spans: dict[int, list[tuple[int, int]]] = {}
    index = {p.number: i for i, p in enumerate(pages)}
    for c in chunks:
        p0, p1 = index[c.page_start], index[c.page_end]
        for p in range(p0, p1 + 1):
            start = c.char_start if p == p0 else 0
            end = c.char_end if p == p1 else len(pages[p].text)
            spans.setdefault(p, []).append((start, end))
    for b in segment_pages(pages):
        if b.kind in ("heading", "skip"):
            spans.setdefault(b.page, []).append((b.start, b.end))
    missing = []
    for p, page in enumerate(pages):
        for m in re.finditer(r"\S+", page.text):
            if not any(s <= m.start() and m.end() <= e for s, e in spans.get(p, [])):
                missing.append((p, m.start(), m.group()))
    return missing


# ---------------------------------------------------------------------------------------------
# Synthetic reports

ILACS_HEADER = "Inspection of Avonshire local authority children’s services\n3 to 14 March 2025 {n}\n"


def ilacs_report() -> list[str]:
    front = (
        "Inspection of Avonshire local authority\nchildren’s services\n"
        "Inspection dates: 3 to 14 March 2025\n"
        "Lead inspector: Alex Example, His Majesty’s Inspector\n"
        "Judgement Grade\n"
        "The impact of leaders on social work\npractice with children and families\nGood\n"
        "Overall effectiveness Good\n"
        "Children in Avonshire receive good help from a stable and skilled workforce who know them well.\n"
    )
    page2 = (
        ILACS_HEADER.format(n=2)
        + "What needs to improve?\n"
        + "◼ The timeliness of return home interviews.\n"
        + "The experiences and progress of children who need help and\nprotection: good\n"
        + "1. "
        + _sentence(1)
        + "\n"
        + "2. "
        + _sentence(2)
        + " "
        + _sentence(3)
        + "\n"
        + "3. Strategy meetings are timely and well attended by police and health partners. The\n"
        + "work that follows is\n"
    )
    page3 = (
        ILACS_HEADER.format(n=3)
        + "recorded well by managers and shared with families promptly.\n"
        + "The experiences and progress of children in care: requires improvement to be good\n"
        + "4. "
        + _sentence(4)
        + "\n"
        + "5. "
        + _sentence(5)
        + "\n"
    )
    back = (
        ILACS_HEADER.format(n=4)
        + "The Office for Standards in Education, Children’s Services and Skills (Ofsted) regulates and\n"
        + "inspects to achieve excellence in the care of children and young people.\n"
        + "Piccadilly Gate\nStore Street\nManchester\nM1 2WD\n© Crown copyright 2025\n"
    )
    return [front, page2, page3, back]


def test_ilacs_report_sections_paragraphs_and_page_break():
    pages = _pages(ilacs_report())
    chunks = chunk_pages(pages)
    check_invariants(pages, chunks, 180)
    assert not covered(pages, chunks)

    summary = chunks[0]
    assert summary.section == "Summary" and summary.page_start == 1
    assert summary.text.startswith("Children in Avonshire receive good help")
    assert all("Lead inspector" not in c.text and "Judgement Grade" not in c.text for c in chunks)

    improve = [c for c in chunks if c.section == "What needs to improve?"]
    assert [c.text for c in improve] == ["• The timeliness of return home interviews."]

    help_ = [c for c in chunks if c.section == "The experiences and progress of children who need help and protection"]
    assert [p for c in help_ for p in c.paragraphs] == ["1", "2", "3"]
    crossing = help_[-1]
    assert crossing.page_start == 2 and crossing.page_end == 3
    assert crossing.text.endswith("shared with families promptly.")

    care = [c for c in chunks if c.section == "The experiences and progress of children in care"]
    assert [p for c in care for p in c.paragraphs] == ["4", "5"]
    # Nothing from the back page, nor from the running header.
    assert not any("Crown copyright" in c.text or "Piccadilly" in c.text or "Ofsted" in c.text for c in chunks)
    assert not any("Inspection of Avonshire" in c.text for c in chunks)


def test_short_paragraphs_merged_within_section_never_across():
    pages = _pages(ilacs_report())
    chunks = chunk_pages(pages)
    sections = [c.section for c in chunks]
    # Each section's short paragraphs are one passage; no passage mixes two sections.
    assert sections.count("The experiences and progress of children in care") == 1
    assert sections.count("The experiences and progress of children who need help and protection") == 1
    for c in chunks:
        assert "The experiences and progress" not in c.text


def test_sif_report_with_numbered_paragraphs_and_subheadings():
    pages_text = [
        " \n \n 1 \nAvonshire County Council\n"
        "Inspection of services for children in need of help and protection, children looked after and\n"
        "care leavers\nInspection date: 1 June 2015 to 20 June 2015\nReport published: 1 August 2015\n"
        "Children’s services in Avonshire require improvement to be good\n"
        "1. Children who need help and protection Requires improvement\n"
        "2. Children looked after and achieving permanence Good\n"
        "3. Leadership, management and governance Requires improvement\n",
        " \n \n 2 \nContents\nExecutive summary 3\nInformation about this local authority area 4\n"
        "The experiences and progress of children who need help and protection 5\n",
        " \n \n 3 \nExecutive summary\n" + _paragraph(None, 4) + "\n",
        " \n \n 4 \nInformation about this local authority area\nChildren living in this area\n"
        "\uf06e At 31 March 2015, 3,100 children were in need of a specialist children’s service.\n"
        "\uf06e The proportion of children entitled to free school meals:\n"
        "\uf02d in primary schools is 12% (the national average is 15%)\n",
        " \n \n 5 \nThe experiences and progress of\nchildren who need help and protection\nRequires improvement\n"
        "Summary\n" + _paragraph(None, 3, 10) + "\nInspection findings\n"
        "14. " + _paragraph(None, 2, 20) + "\n15. " + _paragraph(None, 2, 30) + "\n",
        " \n \n 6 \nWhat the inspection judgements mean: the local authority\n"
        "An outstanding local authority leads highly effective services for children.\n",
    ]
    pages = _pages(pages_text)
    chunks = chunk_pages(pages)
    check_invariants(pages, chunks, 180)
    assert not covered(pages, chunks)
    by_section: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_section.setdefault(c.section, []).append(c)
    verdict = "Children’s services in Avonshire require improvement to be good"
    assert [c.text for c in by_section["Summary"]] == [verdict]
    assert "Executive summary" in by_section
    assert "Children living in this area" in by_section
    stats = by_section["Children living in this area"][0].text
    assert stats.startswith("• At 31 March 2015, 3,100 children") and "– in primary schools is 12%" in stats
    area = "The experiences and progress of children who need help and protection"
    assert [c.paragraphs for c in by_section[area]] == [[], ["14", "15"]]
    assert not any(c.page_start in (2, 6) for c in chunks)  # contents page, generic section
    assert not any("Contents" in c.text or "Inspection date" in c.text for c in chunks)

    kinds = {b.text: (b.kind, b.reason) for b in segment_pages(pages)}
    assert kinds["Contents"] == ("skip", "contents")
    assert kinds["2. Children looked after and achieving permanence Good"] == ("skip", "table")
    assert kinds["Summary"][0] == "heading"


def test_long_paragraph_cut_at_sentence_ends():
    text = _paragraph(7, 30)  # about 360 words
    pages = _pages([text + "\n"])
    chunks = chunk_pages(pages, max_words=100)
    check_invariants(pages, chunks, 100)
    assert len(chunks) >= 4
    for c in chunks:
        assert c.paragraphs == ["7"]
        assert c.text.endswith(".")
        assert c.text.startswith(("7. ", "Item"))


def test_overlong_sentence_cut_at_word_boundaries():
    sentence = " ".join(f"word{i}" for i in range(250)) + "."
    pages = _pages([f"3. {sentence}\n"])
    chunks = chunk_pages(pages, max_words=60)
    check_invariants(pages, chunks, 60)
    assert " ".join(c.text for c in chunks) == f"3. {sentence}"
    assert all(_words(c) <= 60 for c in chunks)


def test_max_words_respected_and_used():
    body = "\n".join(_paragraph(n, 1 + n % 4, n * 10) for n in range(1, 40))
    pages = _pages([f"Inspection findings\n{body}\n"])
    for limit in (40, 90, 180):
        chunks = chunk_pages(pages, max_words=limit)
        check_invariants(pages, chunks, limit)
        numbers = [p for c in chunks for p in c.paragraphs]
        assert sorted(set(numbers), key=int) == [str(n) for n in range(1, 40)]


def test_heading_display_names():
    assert heading_display("The experiences and progress of children in care: requires improvement to be good") == (
        "The experiences and progress of children in care"
    )
    assert heading_display("Leadership, management and governance Inadequate") == (
        "Leadership, management and governance"
    )
    assert heading_display("What needs to improve?1") == "What needs to improve?"
    assert heading_display("The graded judgement for adoption performance is that it is good") == (
        "Adoption performance"
    )


def test_empty_pages_and_document():
    assert chunk_pages([]) == []
    assert chunk_pages(_pages(["", " \n"])) == []
    pages = _pages(["", _paragraph(1, 2) + "\n", "", _paragraph(2, 2) + "\n"])
    chunks = chunk_pages(pages)
    check_invariants(pages, chunks, 180)
    assert [c.page_start for c in chunks] == [2, 4]  # a blank page breaks the passage


def test_sample_report_from_pdfgen():
    pages = _pages(sample_report_pages("Avonshire", 2019))
    chunks = chunk_pages(pages)
    check_invariants(pages, chunks, 180)
    assert not covered(pages, chunks)
    assert chunks[0].section == "Summary"
    numbered = [(c.section, c.paragraphs) for c in chunks if c.paragraphs]
    assert numbered == [
        ("The experiences and progress of children who need help and protection", ["1", "2", "3"]),
        ("The experiences and progress of children in care and care leavers", ["4", "5"]),
    ]
    assert any("Management oversight" in c.text for c in chunks)


def test_sample_report_through_a_pdf(tmp_path):
    from ingest.pdf import read_pages
    from tests.pdfgen import make_pdf

    raw = read_pages(make_pdf(tmp_path / "avonshire.pdf", sample_report_pages("Avonshire", 2019)))
    pages = _pages(raw)
    chunks = chunk_pages(pages)
    check_invariants(pages, chunks, 180)
    assert [p for c in chunks for p in c.paragraphs] == ["1", "2", "3", "4", "5"]
    assert not any("Inspection of Avonshire" in c.text for c in chunks)


# ---------------------------------------------------------------------------------------------
# Property test

_VOCAB = [
    "children", "care", "leavers", "Summary", "Inspection findings", "26.", "3.", "•", "–", "Good",
    "Requires improvement", "the", "multi-", "agency", "Manage-", "ment", "plans.", "risk:", "(LSCB)",
    "What needs to improve?", "© Crown copyright", "Contents", "12", "e.g.", "Outstanding", "is",
    "\uf06e", "◼", "protection: good", "The experiences and progress of children in care",
]
_line = st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(min_size=1, max_size=8)), max_size=14).map(" ".join)
_page = st.lists(_line, max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_page, max_size=5), st.sampled_from([5, 30, 180]))
def test_property_random_pages(raw_pages, max_words):
    pages = _pages(raw_pages)
    chunks = chunk_pages(pages, max_words=max_words)
    check_invariants(pages, chunks, max_words)
    assert not covered(pages, chunks)
    # Chunking uncleaned text must hold the same invariants.
    raw = _pages(raw_pages, clean=False)
    raw_chunks = chunk_pages(raw, max_words=max_words)
    check_invariants(raw, raw_chunks, max_words)
    assert not covered(raw, raw_chunks)


# ---------------------------------------------------------------------------------------------
# Real reports


@pytest.mark.corpus
def test_corpus_reports(reports_dir):
    from ingest.pdf import read_pages

    files = sorted(reports_dir.glob("*.pdf"))
    if not files:
        missing(f"no reports in the corpus at {reports_dir}")
    step = max(1, len(files) // 18)
    sample = files[::step][:18] + [f for f in files if "_2013-" in f.name][:2]  # + the 2013 framework
    all_words: list[int] = []
    print()
    for path in sample:
        raw = read_pages(path)
        pages = _pages(raw)
        chunks = chunk_pages(pages)
        check_invariants(pages, chunks, 180)
        assert chunks, path.name
        uncovered = covered(pages, chunks)
        assert not uncovered, (path.name, uncovered[:5])
        numbers = [int(p) for c in chunks for p in c.paragraphs]
        rises = sum(b >= a for a, b in zip(numbers, numbers[1:], strict=False))
        assert not numbers or rises >= 0.9 * (len(numbers) - 1), path.name
        words = [_words(c) for c in chunks]
        all_words += words
        content = sum(len(p.text.split()) for p in pages)
        in_chunks = sum(words)
        print(
            f"{path.name:45} pages={len(pages):3} chunks={len(chunks):4} mean={statistics.mean(words):5.1f} "
            f"max={max(words):3} sections={len({c.section for c in chunks}):3} "
            f"words in chunks={in_chunks / content:.1%}"
        )
    mean = statistics.mean(all_words)
    print(f"{len(sample)} reports, {len(all_words)} chunks, mean {mean:.1f} words, max {max(all_words)}")
    assert 80 <= mean <= 170
