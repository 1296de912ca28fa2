"""Cut cleaned report pages into passages that read like a person cut them.

`ingest.clean.clean_pages` leaves one structural block per line: a heading, a numbered
paragraph ("26. ..."), an unnumbered paragraph, a bullet item, a table row. Here each block is
classified (`segment_pages`), then the content blocks of each section are packed into passages
of at most `max_words` words:

- a passage never crosses a heading, and never spans a skipped block;
- paragraphs are kept whole where they fit; short consecutive paragraphs of one section are
  merged (the packing minimises how far passages fall short of `max_words`, so a 15-word
  paragraph joins its neighbours rather than standing alone);
- a paragraph longer than `max_words` is cut at sentence ends (a sentence longer than
  `max_words` at word boundaries);
- a paragraph that runs over a page break is one paragraph: its passage spans both pages.

Skipped, and so in no passage: the front-page title block and judgement table (the grades are
metadata, read elsewhere), contents pages, judgement-table rows, the Ofsted back-page licence,
address and copyright boilerplate, and the generic "what the inspection judgements mean"
sections that SIF and 2013 reports all print word for word.

Offsets: a chunk's text is exactly `chunk_source_text(pages, chunk)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import (
    BULLET_START,
    GRADE_ONLY,
    GRADED_JUDGEMENT,
    JUDGEMENT_HEADING,
    PARA_NUMBER,
    TRAILING_GRADE,
    judgement_heading,
    known_heading,
    title_like,
)
from ingest.clean import (
    SENTENCE_END as _SENTENCE_END,
)
from ingest.models import Chunk, Page
from ingest.recommendations import is_list_title
from ingest.vocabulary import AREA_HEADINGS, AREA_LABEL_HEADINGS, AREA_PART_HEADINGS, GENERIC_SECTIONS

DEFAULT_SECTION = "Summary"

# Headings of the judged areas that are parts of the report, never topics of a list of what must improve.
_ENDS_LIST = re.compile(r"lscb|safeguarding children board|inspection judge|^section \d|summary")

_VERB_END = re.compile(r"\s+(?:is|are|requires?|require)$", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_ABBREVIATIONS = frozenset(
    "e.g. i.e. etc. mr. mrs. ms. dr. no. st. vs. cf. approx. para. paras. fig. p. pp. al.".split()
)
# Start of the Ofsted back-page / copyright-page boilerplate.
_BOILERPLATE_START = re.compile(
    r"^(?:The Office for Standards in Education, Children.s Services and Skills \(Ofsted\) regulates"
    r"|Any complaints about the inspection or the report should be made"
    r"|If you would like a copy of this document in a different format"
    r"|You may reuse this information"
    r"|© Crown copyright"
    r"|This document may be reproduced in whole or in part"
    r"|Ofsted produces this report under its power)",
    re.IGNORECASE,
)
_BOILERPLATE_LINE = re.compile(
    r"^(?:Piccadilly Gate|Store Street|Manchester|M1 2WD|Aviation House|125 Kingsway|London|WC2B 6SE"
    r"|T:\s*0|Textphone:|E:\s*\S+@|W:\s*www\.|Website:\s*www\.|This publication is available at"
    r"|This report is available at|Interested in our work\?|Further copies of this report"
    r"|No\.\s*\d+|Reference no)",
    re.IGNORECASE,
)
_FRONT_VERDICT = re.compile(
    r"(?:overall judgement is|^Children.s services in .{2,60} (?:are|is|require)|"
    r"^The effectiveness of the Local Safeguarding Children Board)",
    re.IGNORECASE,
)
_FRONT_META = re.compile(
    r"^(?:Inspection dates?|Report published|Published|Lead inspector|Reporting inspector|Age group"
    r"|Inspection of |Judgement Grade)\b",
    re.IGNORECASE,
)
_BARE_PARA_NUMBER = re.compile(r"^(\d{1,3})\s+(?=[A-Z])")
_TOC_ENTRY = re.compile(r"\s\d{1,3}$")
_TABLE_HEADER = re.compile(r"^(?:Key\s+)?Judgement\s+(?:Judgement\s+)?Grade$", re.IGNORECASE)


@dataclass
class Block:
    """One line of a cleaned page, classified."""

    page: int  # index into the pages list (0-based)
    start: int  # char offsets of the line in that page's text
    end: int
    text: str
    kind: str = "text"  # heading | para | text | bullet | skip
    reason: str = ""  # why a block is skipped
    number: str | None = None  # printed paragraph number this block belongs to
    section: str | None = None  # display section for content blocks; the heading for headings
    continues: bool = False  # continues the previous content block (across a page break)

    @property
    def words(self) -> int:
        return len(self.text.split())


# ---------------------------------------------------------------------------------------------
# Headings


def heading_display(text: str) -> str:
    """The heading as printed, without grade, footnote mark or trailing punctuation."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[A-Za-z?)])\d{1,2}$", "", text)  # footnote mark: "improve?1"
    g = GRADED_JUDGEMENT.match(text)
    m = JUDGEMENT_HEADING.match(text)
    if g:
        text = g.group("area")
    elif m:
        text = _VERB_END.sub("", m.group("title"))
    else:
        m = TRAILING_GRADE.search(text)
        if m and known_heading(text):
            text = _VERB_END.sub("", text[: m.start()])
    text = text.strip().rstrip(":").strip()
    return text[:1].upper() + text[1:] if text else text


def _grade_row(text: str) -> bool:
    """"<judgement> <grade>" with no sentence punctuation: a row of a judgement table."""
    if _SENTENCE_END.search(text) or len(text.split()) > 16 or JUDGEMENT_HEADING.match(text):
        return False
    return bool(TRAILING_GRADE.search(text))


def _is_table_row(blocks: list[Block], i: int, first_page: int) -> bool:
    text = blocks[i].text
    if GRADE_ONLY.match(text) or _TABLE_HEADER.match(text):
        return True
    if GRADED_JUDGEMENT.match(text) or BULLET_START.match(text):
        return False
    if not _grade_row(text):
        # "1. Children who need help and protection" with its grade on the next line.
        nxt = blocks[i + 1].text if i + 1 < len(blocks) else ""
        return (
            bool(GRADE_ONLY.match(nxt))
            and len(text.split()) <= 16
            and not _SENTENCE_END.search(text)
            and not known_heading(text)
        )
    # A numbered judgement line ("2.1 Adoption performance Good"), a row of the front-page
    # table, or a graded line that is no heading Ofsted prints. A graded area heading elsewhere
    # is a heading, even when printed as a one-row table.
    return bool(re.match(r"^\d(?:\.\d)?\.?\s", text)) or blocks[i].page == first_page or not known_heading(text)


def _is_prose(text: str) -> bool:
    words = len(text.split())
    return words >= 25 or (words >= 6 and bool(_SENTENCE_END.search(text)))


# ---------------------------------------------------------------------------------------------
# Segmentation


def _lines(pages: list[Page]) -> list[Block]:
    blocks: list[Block] = []
    for index, page in enumerate(pages):
        text = page.text or ""
        pos = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                start = pos + lead
                blocks.append(Block(index, start, start + len(stripped), stripped))
            pos += len(line) + 1
    return blocks


def segment_pages(pages: list[Page]) -> list[Block]:
    """Classify every non-blank line of the cleaned pages (see the module docstring)."""
    blocks = _lines(pages)
    n = len(blocks)
    if not n:
        return blocks
    last_page = max(b.page for b in blocks)

    # 1. Boilerplate, front matter, contents pages.
    skip_to_end_of_page = -1
    in_contents = False
    front = True  # the first page's title block and judgement table, up to the first prose
    for i, b in enumerate(blocks):
        if b.page == skip_to_end_of_page:
            b.kind, b.reason = "skip", "boilerplate"
            continue
        if _BOILERPLATE_START.match(b.text):
            b.kind, b.reason = "skip", "boilerplate"
            if b.page >= last_page - 1:
                for later in blocks[i + 1 :]:
                    later.kind, later.reason = "skip", "boilerplate"
                break
            skip_to_end_of_page = b.page
            continue
        if b.page >= last_page - 1 and _BOILERPLATE_LINE.match(b.text) and len(b.text.split()) <= 12:
            b.kind, b.reason = "skip", "boilerplate"
            continue
        if front:
            if b.page != blocks[0].page:
                front = False
            elif _is_prose(b.text) or _FRONT_VERDICT.search(b.text):
                front = False
            else:
                b.kind, b.reason = "skip", "front matter"
                continue
        if b.page == blocks[0].page and _FRONT_META.match(b.text):
            b.kind, b.reason = "skip", "front matter"
            continue
        if in_contents and i and b.page != blocks[i - 1].page:
            in_contents = False
        if known_heading(b.text) == "contents":
            in_contents = True
            b.kind, b.reason = "skip", "contents"
            continue
        if in_contents:
            if _TOC_ENTRY.search(b.text) or (title_like(b.text, 16) and not _is_prose(b.text)):
                b.kind, b.reason = "skip", "contents"
                continue
            in_contents = False
        if not _FRONT_VERDICT.search(b.text) and _is_table_row(blocks, i, blocks[0].page):
            b.kind, b.reason = "skip", "table"

    # 2. Headings, paragraphs, bullets.
    prev_content: Block | None = None
    for i, b in enumerate(blocks):
        if b.kind == "skip":
            continue
        if _FRONT_VERDICT.search(b.text):
            b.kind = "text"
        elif known_heading(b.text) or judgement_heading(b.text):
            b.kind = "heading"
        elif PARA_NUMBER.match(b.text):
            b.kind = "para"
        elif BULLET_START.match(b.text):
            b.kind = "bullet"
        elif _generic_heading(b, prev_content, _next_unskipped(blocks, i)):
            b.kind = "heading"
        else:
            b.kind = "text"
        prev_content = b

    # 3. Sections, paragraph numbers, page-break continuations.
    major: tuple[str, bool] | None = None
    section = DEFAULT_SECTION
    skipping_generic = False
    generic_page = -1
    number: str | None = None
    prev: Block | None = None  # previous block that is not skipped
    for i, b in enumerate(blocks):
        if b.kind == "skip":
            prev = None
            continue
        if b.kind == "heading":
            display = heading_display(b.text)
            key = display.lower()
            nxt = blocks[i + 1].text if i + 1 < len(blocks) else ""
            graded = bool(
                judgement_heading(b.text) or TRAILING_GRADE.search(b.text) or GRADE_ONLY.match(nxt)
            )
            section, major = _section_name(b.text, display, major, graded)
            skipping_generic = key.startswith(GENERIC_SECTIONS)
            generic_page = b.page
            if skipping_generic:
                b.kind, b.reason = "skip", "generic section"
            b.section = section
            number = None
            prev = b
            continue
        if skipping_generic and (b.kind == "para" or b.page > generic_page + 1):
            skipping_generic = False  # generic sections are short and unnumbered: a heading was missed
        if skipping_generic:
            b.kind, b.reason = "skip", "generic section"
            continue
        m = PARA_NUMBER.match(b.text)
        if b.kind == "text" and number:
            # "34 Most children..." - a paragraph number printed without its full stop.
            m2 = _BARE_PARA_NUMBER.match(b.text)
            if m2 and int(m2.group(1)) == int(number) + 1:
                b.kind, m = "para", m2
        if b.kind == "para" and m:
            number = m.group(1)
        elif b.kind == "text" and b.text.endswith(":") and not b.text[:1].islower():
            number = None  # a lead-in ("The local authority has the following strengths:")
        elif (
            prev is not None
            and prev.kind in ("para", "text", "bullet")
            and prev.page + 1 == b.page
            and b.kind == "text"
            and (b.text[:1].islower() or not _SENTENCE_END.search(prev.text))
        ):
            b.continues = True
        b.number = number
        b.section = section
        prev = b
    return blocks


def _section_name(
    text: str, display: str, major: tuple[str, bool] | None, graded: bool
) -> tuple[str, tuple[str, bool] | None]:
    """(display section, current judged area) after the heading `text`.

    The judged area is (name, graded): only a graded area heading, or the LSCB one, starts a
    section that names the sub-headings under it; summary pages repeat the area names ungraded.
    """
    known = known_heading(text)
    area = major[0] if major else None
    owns = bool(major and major[1] and not major[0].endswith("?"))
    if is_list_title(display):  # opens a list of what must improve: the headings under it are its topics
        return display, (display, False)
    if area and is_list_title(area) and not graded and known not in AREA_PART_HEADINGS:
        # SIF divides its list by topic, some topics named like judged areas ("Leadership, management
        # and governance"); a graded heading, or one of another part of the report, ends the list.
        if known is None or (known in AREA_HEADINGS and not _ENDS_LIST.search(known)):
            return f"{area}: {display}", major
    if GRADED_JUDGEMENT.match(text):  # a sub-judgement of the judged area above
        return (f"{area}: {display}" if owns else display), major
    if judgement_heading(text) or known in AREA_HEADINGS:
        lscb = "safeguarding children board" in display.lower() or "lscb" in display.lower()
        return display, (display, graded or lscb)
    if known in AREA_LABEL_HEADINGS:
        return (area or display), major
    if known in AREA_PART_HEADINGS:
        return (f"{area}: {display}" if owns else display), major
    if known:
        return display, None
    # A generic sub-heading: name it within its judged area.
    return (f"{area}: {display}" if owns else display), major


def _next_unskipped(blocks: list[Block], i: int) -> Block | None:
    for j in range(i + 1, min(len(blocks), i + 6)):
        if blocks[j].kind != "skip":
            return blocks[j]
    return None


def _generic_heading(b: Block, prev: Block | None, nxt: Block | None) -> bool:
    text = b.text
    if len(text) > 100 or ":" in text or not title_like(text, 12):
        return False
    if nxt is None:
        return False
    if prev is not None and prev.kind != "heading" and not _SENTENCE_END.search(prev.text):
        if not prev.text.endswith(":"):
            return False
    first = nxt.text[:1]
    return first.isupper() or first.isdigit() or first in "•–-‘'\"("


# ---------------------------------------------------------------------------------------------
# Packing


@dataclass
class _Unit:
    """A paragraph, or a sentence / word run of one, with its source span."""

    page_start: int
    start: int
    page_end: int
    end: int
    words: int
    number: str | None
    paragraph_id: int  # units cut from one paragraph share this
    section: str | None


_SENTENCE_BREAK = re.compile(r"[.!?…]['’”\")\]]*(?:\s*\([A-Z][a-z]+(?:\s+[a-z]+)?\))?(?=\s+[\"‘'(]?[A-Z0-9•–])")


def _split_points(text: str) -> list[int]:
    """Offsets in `text` just after each sentence end followed by a new sentence.

    A "(Recommendation)" tag after a full stop stays with its sentence.
    """
    points = []
    for m in _SENTENCE_BREAK.finditer(text):
        word_start = text.rfind(" ", 0, m.start()) + 1
        word = text[word_start : m.start() + 1].lower()
        if word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", word):
            continue
        points.append(m.end())
    return points


def _pieces(text: str, max_words: int) -> list[tuple[int, int]]:
    """Cut one paragraph (over max_words) into sentence, or word-run, spans (start, end)."""
    spans: list[tuple[int, int]] = []
    start = 0
    bounds = _split_points(text) + [len(text)]
    for end in bounds:
        seg = text[start:end]
        lead = len(seg) - len(seg.lstrip())
        s, e = start + lead, end
        if e <= s:
            start = end
            continue
        words = list(_WORD.finditer(text, s, e))
        if len(words) <= max_words:
            spans.append((s, e))
        else:
            for k in range(0, len(words), max_words):
                group = words[k : k + max_words]
                spans.append((group[0].start(), group[-1].end()))
        start = end
    return spans


def _units(blocks: list[Block], pages: list[Page], max_words: int) -> list[list[_Unit | None]]:
    """Content units per section run; None marks a forced break (heading or skipped block)."""
    out: list[_Unit | None] = []
    para_id = 0
    # Merge page-break continuations into the paragraph they continue.
    groups: list[list[Block]] = []
    for b in blocks:
        if b.kind in ("heading", "skip"):
            groups.append([b])
        elif b.continues and groups and groups[-1][0].kind not in ("heading", "skip"):
            groups[-1].append(b)
        else:
            groups.append([b])
    for group in groups:
        first = group[0]
        if first.kind in ("heading", "skip"):
            out.append(None)
            continue
        para_id += 1
        words = sum(b.words for b in group)
        if words <= max_words:
            last = group[-1]
            out.append(
                _Unit(first.page, first.start, last.page, last.end, words, first.number, para_id, first.section)
            )
            continue
        for b in group:
            text = pages[b.page].text[b.start : b.end]
            for s, e in _pieces(text, max_words):
                n = len(text[s:e].split())
                out.append(
                    _Unit(b.page, b.start + s, b.page, b.start + e, n, b.number, para_id, first.section)
                )
    runs: list[list[_Unit | None]] = [[]]
    for u in out:
        if u is None:
            if runs[-1]:
                runs.append([])
        else:
            if runs[-1] and u.page_start > runs[-1][-1].page_end + 1:
                runs.append([])  # a page without text (a picture, a table) lies between
            runs[-1].append(u)
    return [r for r in runs if r]


def _pack(run: list[_Unit], max_words: int) -> list[tuple[int, int]]:
    """Split a run of units into chunks [i, j): fill chunks, prefer cuts between paragraphs."""
    n = len(run)
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    mid_cut = (0.35 * max_words) ** 2
    for j in range(1, n + 1):
        words = 0
        for i in range(j - 1, -1, -1):
            words += run[i].words
            if words > max_words and i < j - 1:
                break
            shortfall = max(0, max_words - words)
            cost = best[i] + shortfall**2
            if j < n and run[j - 1].paragraph_id == run[j].paragraph_id:
                cost += mid_cut
            if cost < best[j]:
                best[j], back[j] = cost, i
    cuts = []
    j = n
    while j > 0:
        cuts.append((back[j], j))
        j = back[j]
    return cuts[::-1]


def chunk_pages(pages: list[Page], max_words: int = 180) -> list[Chunk]:
    """Passages of at most about `max_words` words; see the module docstring."""
    max_words = max(1, int(max_words))
    blocks = segment_pages(pages)
    chunks: list[Chunk] = []
    for run in _units(blocks, pages, max_words):
        for i, j in _pack(run, max_words):
            first, last = run[i], run[j - 1]
            numbers: list[str] = []
            for u in run[i:j]:
                if u.number and u.number not in numbers:
                    numbers.append(u.number)
            chunk = Chunk(
                ordinal=len(chunks),
                text="",
                page_start=pages[first.page_start].number,
                page_end=pages[last.page_end].number,
                char_start=first.start,
                char_end=last.end,
                section=first.section,
                paragraphs=numbers,
            )
            chunk.text = _source(pages, first.page_start, first.start, last.page_end, last.end)
            chunks.append(chunk)
    return chunks


def _source(pages: list[Page], p0: int, start: int, p1: int, end: int) -> str:
    if p0 == p1:
        return pages[p0].text[start:end]
    parts = [pages[p0].text[start:]]
    parts.extend(pages[p].text for p in range(p0 + 1, p1))
    parts.append(pages[p1].text[:end])
    return "\n".join(parts)


def chunk_source_text(pages: list[Page], chunk: Chunk) -> str:
    """The cleaned text between the chunk's offsets (pages joined with a newline)."""
    index = {page.number: i for i, page in enumerate(pages)}
    return _source(pages, index[chunk.page_start], chunk.char_start, index[chunk.page_end], chunk.char_end)
