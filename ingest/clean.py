"""Clean the raw pypdf text of a report's pages into the text users see and chunks point into.

`clean_pages` works on the whole document, because running headers and footers are only
recognisable as lines that repeat near the top or bottom of many pages. It:

- normalises odd spaces and the private-use bullet glyphs of Word/PDF exports (a top-level
  bullet becomes "• ", a second-level dash bullet "– ");
- removes running headers and footers (lines repeated near the top/bottom of many pages once
  digits and spaces are normalised), bare page numbers and footnote blocks at page bottoms;
- re-flows each paragraph, heading or bullet item onto one line, so every line of the cleaned
  text is one structural block; it keeps paragraph numbers ("26. ...") at line starts;
- joins words hyphenated across line ends only when the hyphen is a soft break ("Manage-" +
  "ment"); real compounds ("multi-" + "agency"), which are nearly all the line-end hyphens in
  Ofsted reports, keep their hyphen.

The back-page licence and address boilerplate is kept here and skipped by the chunker
(`ingest.chunk.segment_pages` marks it), so what is skipped stays visible and testable.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ingest.vocabulary import KNOWN_HEADINGS, MONTHS, grade_pattern

# ---------------------------------------------------------------------------------------------
# Characters

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Private-use glyphs (Symbol/Wingdings bullets) and other bullet shapes.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_TOP_BULLETS = (
    "\uf06e\uf0a7\uf0b7\uf0a8\uf076\uf0d8\uf0fc\uf0e0"  # Symbol/Wingdings private-use bullets
    "\u25fc\u25aa\u25a0\u25cf\u2022\u25e6\u2023\u2043\u27a2\u25ba"  # ◼ ▪ ■ ● • ◦ ‣ ⁃ ➢ ►
)
_SUB_BULLETS = "\uf02d\uf0be\u2500\u2015\u2212\u0336\u0335"
_BULLET_AT_START = re.compile(
    rf"^(?:(?P<sub>[{_SUB_BULLETS}])|(?P<top>[{_TOP_BULLETS}\ue000-\uf8ff]))\s*(?P<rest>.*)$"
)
BULLET = "• "
SUB_BULLET = "– "

# ---------------------------------------------------------------------------------------------
# Line shapes

PARA_NUMBER = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
BULLET_START = re.compile(r"^(?:• |– |- )")
_BARE_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_FOOTNOTE_START = re.compile(r"^\d{1,2}\s+[A-Z(‘'\"]")
# End punctuation, allowing for closing quotes/brackets and a "(Recommendation)" tag.
_CLOSERS = r"['’”\")\]]*(?:\s*\([A-Z][a-z]+(?:\s+[a-z]+)?\))?"
_TERMINAL = re.compile(rf"[.!?:;…]{_CLOSERS}$")
SENTENCE_END = re.compile(rf"[.!?…]{_CLOSERS}$")
_ENDS_WITH_HYPHENATED = re.compile(r"(?:^|(?<=[\s(‘'\"/]))([A-Za-z]+(?:-[A-Za-z]+)*)-$")
_FIRST_WORD = re.compile(r"^([A-Za-z]+)")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# A line ending with one of these words (or a comma/dash) continues on the next line.
CONNECTORS = frozenset(
    "a an and as at by for from in into of on or the to with who which that whose their its "
    "than including between about across within without through under over per via not nor "
    "both either whether when where while because if".split()
)

GRADE = grade_pattern(adequate=True)  # (?:outstanding|good|requires?\s+improvement(?:\s+to\s+be\s+good)?|...)
# "...help and protection: requires improvement to be good" (ILACS), "Capacity to improve: Good"
JUDGEMENT_HEADING = re.compile(
    rf"^(?P<title>[A-Z‘'][^.:;!?()]{{3,160}}?)\s*:\s*(?P<grade>(?i:{GRADE}))\s*\.?$"
)
# SIF: "The graded judgement for adoption performance is that it is good" (a sub-judgement).
GRADED_JUDGEMENT = re.compile(
    rf"^The graded judge?ment (?:for|about) (?P<area>[^.:;]{{3,120}}?)\s+(?:is\s+)?(?:that\s+(?:(?:it|they)\s+)?)?"
    rf"(?:is\s+|are\s+)?(?P<grade>{GRADE})\s*\.?$",
    re.IGNORECASE,
)
# SIF: "The experiences and progress of children who need help and protection Inadequate"
# 2013 tables print "Inadequate Grade 4" / "Grade 4 (inadequate)".
TRAILING_GRADE = re.compile(rf"\s+(?P<grade>{GRADE})(?:\s+grade\s*\d)?\s*\.?$", re.IGNORECASE)
GRADE_ONLY = re.compile(
    rf"^(?:{GRADE}(?:\s+grade\s*\d)?|requires|improvement|to be good"
    rf"|grade\s*\d(?:\s*\(\w+(?:\s+\w+)*\))?)$",
    re.IGNORECASE,
)

_VERB_END = re.compile(r"\s+(?:is|are|requires?|require)$")
# Last character of "good", "outstanding", "inadequate", "requires improvement", "grade 4", "good."
_GRADE_LAST_CHARS = frozenset("dgetn.0123456789")
_FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z?)])\d{1,2}$")


def _heading_key(text: str) -> str:
    text = text.strip()
    if text[-1:].isdigit():
        text = _FOOTNOTE_MARK.sub("", text)
    text = text.replace("’", "'").replace("—", "–").replace("─", "–").replace("judgment", "judgement")
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = text.lower()
    return text[:-7] if text.endswith(" (lscb)") else text


def known_heading(text: str) -> str | None:
    """If `text` is a heading Ofsted prints (with or without a grade), return it without the grade."""
    if len(text) > 220 or not text:
        return None
    key = _heading_key(text)
    if key in KNOWN_HEADINGS:
        return key
    if key[-1:] not in _GRADE_LAST_CHARS:
        return None  # no grade at the end: cheap exit for ordinary lines
    m = JUDGEMENT_HEADING.match(_SPACES.sub(" ", _FOOTNOTE_MARK.sub("", text.strip()))) if ":" in key else None
    if m:
        title = _VERB_END.sub("", _heading_key(m.group("title")))
        return title if title in KNOWN_HEADINGS else None
    m = TRAILING_GRADE.search(key)
    if m:
        # "<area> Inadequate", "<area> is good", "<area> require improvement"
        title = _VERB_END.sub("", key[: m.start()].strip())
        if title in KNOWN_HEADINGS:
            return title
    return None


def judgement_heading(text: str) -> bool:
    """"<Title>: <grade>" - the ILACS judgement headings, and SIF/2013 ones written the same way."""
    if len(text) > 220:
        return False
    if text.startswith(("The graded", "the graded")):
        return bool(GRADED_JUDGEMENT.match(_SPACES.sub(" ", text.strip())))
    if ":" not in text:
        return False
    m = JUDGEMENT_HEADING.match(_SPACES.sub(" ", _FOOTNOTE_MARK.sub("", text.strip())))
    return bool(m) and len(m.group("title").split()) <= 22


def _is_sentence_end(line: str) -> bool:
    return bool(_TERMINAL.search(line))


def _ends_with_connector(line: str) -> bool:
    if not line:
        return False
    if line[-1] in ",-–—/&(":
        return True
    words = line.rsplit(None, 1)
    return bool(words) and words[-1].lower() in CONNECTORS


def title_like(line: str, max_words: int = 12) -> bool:
    """A short line that could be a heading: starts upper case, no end punctuation, few words."""
    if not line or not (line[0].isupper() or line[0] in "‘'\""):
        return False
    if PARA_NUMBER.match(line) or BULLET_START.match(line):
        return False
    if line[-1] in ",;" or SENTENCE_END.search(line) or any(ch.isdigit() for ch in line):
        return False
    words = line.split()
    if not 1 <= len(words) <= max_words:
        return False
    if _ends_with_connector(line):
        return False
    letters = sum(ch.isalpha() for ch in line)
    return letters >= 0.6 * len(line.replace(" ", ""))


# ---------------------------------------------------------------------------------------------
# Running headers and footers

_ZONE = 4  # non-blank lines at the top and bottom of a page where headers/footers live


def _line_key(line: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def _zones(lines: list[str]) -> tuple[list[int], list[int]]:
    nonblank = [i for i, line in enumerate(lines) if line]
    return nonblank[:_ZONE], nonblank[-_ZONE:]


def _running_keys(pages: list[list[str]]) -> set[str]:
    counts: Counter[str] = Counter()
    used = 0
    for lines in pages:
        top, bottom = _zones(lines)
        if not top:
            continue
        used += 1
        # A numbered paragraph is content, however often its shape repeats.
        keys = {("t", _line_key(lines[i])) for i in top if not PARA_NUMBER.match(lines[i])}
        keys |= {("b", _line_key(lines[i])) for i in bottom if not PARA_NUMBER.match(lines[i])}
        counts.update(keys)
    if used < 2:
        return set()
    threshold = max(2, math.ceil(0.35 * used))
    return {
        key
        for (_zone, key), n in counts.items()
        if n >= threshold and any(ch.isalpha() for ch in key)
    }


def _strip_running(lines: list[str], keys: set[str]) -> list[str]:
    top, bottom = _zones(lines)
    drop = set()
    for i in top + bottom:
        line = lines[i]
        if _BARE_PAGE_NUMBER.match(line) or _line_key(line) in keys:
            drop.add(i)
    if not drop:
        return lines
    return [line for i, line in enumerate(lines) if i not in drop]


def _strip_footnotes(lines: list[str]) -> list[str]:
    """Drop a footnote block: a "1 Text..." line after a blank line, in the bottom part of a page."""
    nonblank = [i for i, line in enumerate(lines) if line]
    if len(nonblank) < 3:
        return lines
    lower_bound = nonblank[int(len(nonblank) * 0.6)]
    for i in range(max(1, lower_bound), len(lines)):
        if lines[i] and not lines[i - 1] and _FOOTNOTE_START.match(lines[i]):
            # A footnote is prose after its number; a date ("13 June to ...") or a table row is not.
            rest = lines[i].split(None, 1)[1]
            if rest.split()[0].lower() in _MONTHS:
                continue
            return lines[:i]
    return lines


_MONTHS = frozenset(MONTHS)


# ---------------------------------------------------------------------------------------------
# Hyphenation

# Word endings that cannot stand alone: "Manage-" + "ment" is a soft hyphen, not a compound.
_SUFFIX_FRAGMENTS = frozenset(
    "ment ments tion tions sion sions ing ings ness nesses ity ities ance ances ence ences ency ancy "
    "ly ally ful fully ed ised ized ises izes ive ives ively ure ures ism ists ably ible ibly ates "
    "ated ating ation ations ative atively ial ially ous ously ory ories aries ical ically ship ships "
    "hood ual ually ening ened".split()
)


_BROKEN_TAIL = re.compile(r"-[ \t]*\n[a-z]+")


class _Vocabulary:
    """Words and forms of one document, for hyphenation decisions (built lazily: few are asked)."""

    def __init__(self, pages: list[list[str]]):
        self._pages = pages
        self._text: str | None = None
        self._words: frozenset[str] | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = "\n".join(line for lines in self._pages for line in lines).lower()
        return self._text

    def is_word(self, word: str) -> bool:
        """Does `word` occur on its own, other than as the tail of a line-end hyphen?"""
        if self._words is None:
            self._words = frozenset(re.findall(r"[a-z]+", _BROKEN_TAIL.sub("-\n", self.text())))
        return word in self._words

    def count(self, form: str) -> int:
        return self.text().count(form)


def _join_hyphen(head: str, tail_line: str, vocab: _Vocabulary) -> bool:
    """True when "head-" at a line end + `tail_line` is one word broken by a soft hyphen.

    Measured on the 456 reports: of about 2,400 line-end hyphens, all but a handful are real
    compounds ("multi-agency", "well-being", "day-to-day"), because Ofsted does not hyphenate
    its text. So the hyphen stays unless the part after it cannot be a word of its own: a
    suffix fragment ("Manage-" + "ment"), or a piece found nowhere else in the document while
    the joined word is ("co-" + "ordinated" where the report writes "coordinated").
    """
    m = _FIRST_WORD.match(tail_line)
    if not m:
        return False  # digits, punctuation: "16-" + "18-year-olds" keeps its hyphen
    tail = m.group(1)
    if tail[0].isupper():
        return False  # "non-" + "English", "Barazetti-" + "Scott"
    tail_l = tail.lower()
    if tail_l in _SUFFIX_FRAGMENTS:
        return True
    if vocab.is_word(tail_l):
        return False  # the tail is a word in its own right: a compound
    head_last = head.rsplit("-", 1)[-1].lower()
    # The broken form itself is not counted: the text has a newline there.
    return bool(vocab.count(head_last + tail_l)) and not vocab.count(head_last + "-" + tail_l)


# ---------------------------------------------------------------------------------------------
# Re-flow


_RULE_LINE = re.compile(r"^[\s_\-–—.·=*]{3,}$")


def _normalise_line(line: str) -> str:
    if _RULE_LINE.match(line):
        return ""  # a drawn rule: "_______", "-----"
    line = _ZERO_WIDTH.sub("", line)
    line = line.replace("\u2011", "-")
    line = _SPACES.sub(" ", line).strip()
    m = _BULLET_AT_START.match(line)
    if m:
        rest = _PRIVATE_USE.sub("", m.group("rest")).strip()
        line = (BULLET if m.group("top") else SUB_BULLET) + rest if rest else ("•" if m.group("top") else "–")
    else:
        line = _PRIVATE_USE.sub("", line).strip()
    return line


def _line_width(pages: list[list[str]]) -> float:
    lengths = sorted(len(line) for lines in pages for line in lines if line.count(" ") >= 5)
    if len(lengths) < 10:
        return 80.0
    return float(lengths[int(len(lengths) * 0.75)])


def _heading_span(lines: list[str], i: int) -> int:
    """Number of lines (1-5) from `i` that form a known or judgement heading, else 0."""
    first = lines[i][:1]
    if not (first.isupper() or first in "‘'") or PARA_NUMBER.match(lines[i]):
        return 0
    text = ""
    found = 0
    for n in range(5):
        if i + n >= len(lines) or not lines[i + n]:
            break
        line = lines[i + n]
        if n and (PARA_NUMBER.match(line) or BULLET_START.match(line)):
            break
        text = f"{text} {line}" if text else line
        if len(text) > 220:
            break
        if known_heading(text) or judgement_heading(text):
            found = n + 1  # a longer match wins ("...achieving" + "permanence" + "Inadequate")
        elif found or n >= 3:
            break
    return found


def _starts_block(line: str) -> bool:
    return bool(PARA_NUMBER.match(line) or BULLET_START.match(line))


def _generic_heading_line(prev: str, line: str, nxt: str | None, width: float) -> bool:
    """A short title-like line between a finished paragraph and the start of a new one."""
    if not title_like(line, max_words=10) or len(line) > 0.75 * width:
        return False
    if prev and not _is_sentence_end(prev) and not GRADE_ONLY.match(prev):
        return False
    if nxt is None:
        return False
    return nxt[:1].isupper() or nxt[:1].isdigit() or _starts_block(nxt) or nxt[:1] in "‘'\""


def _reflow(lines: list[str], width: float, vocab: _Vocabulary) -> list[str]:
    blocks: list[str] = []
    current = ""
    heading_left = 0  # lines still to add to a heading block
    prev_raw = ""
    n = len(lines)
    for i, line in enumerate(lines):
        if not line:
            if current and not heading_left:
                blocks.append(current)
                current = ""
            prev_raw = ""
            continue
        nxt = next((lines[j] for j in range(i + 1, min(n, i + 3)) if lines[j]), None)
        if heading_left:
            current = f"{current} {line}"
            heading_left -= 1
            if not heading_left:
                blocks.append(current)
                current = ""
            prev_raw = line
            continue
        span = _heading_span(lines, i)
        if not span and _generic_heading_line(prev_raw, line, nxt, width):
            span = 1
        if span:
            if current:
                blocks.append(current)
            current = line
            heading_left = span - 1
            if not heading_left:
                blocks.append(current)
                current = ""
            prev_raw = line
            continue
        if current:
            if _starts_block(line) or line in ("•", "–") or _breaks_after(prev_raw, line, width):
                blocks.append(current)
                current = line
            else:
                current = _join(current, line, vocab)
        else:
            current = line
        prev_raw = line
    if current:
        blocks.append(current)
    return [b.replace("• •", "•").strip() for b in blocks if b.strip()]


def _breaks_after(prev: str, line: str, width: float) -> bool:
    """Did the author end the line `prev` (short of the margin) rather than the text wrapping?"""
    if prev in ("•", "–"):
        return False
    if _ends_with_connector(prev):
        return False
    first = line.split(None, 1)[0]
    short = len(prev) + 1 + len(first) <= 0.9 * width
    if not short:
        return False
    if _is_sentence_end(prev):
        return True
    # No end punctuation: a heading, table row or list line; but a lower-case continuation of a
    # short line is usually a font change inside a sentence.
    return not line[:1].islower()


def _join(current: str, line: str, vocab: _Vocabulary) -> str:
    if current in ("•", "–"):
        return f"{current} {line}"
    m = _ENDS_WITH_HYPHENATED.search(current, max(0, len(current) - 60)) if current.endswith("-") else None
    if m:
        if _join_hyphen(m.group(1), line, vocab):
            return current[:-1] + line
        return current + line
    return f"{current} {line}"


# ---------------------------------------------------------------------------------------------


def clean_pages(raw_pages: list[str]) -> list[str]:
    """Return the cleaned text of each page (same length and order as `raw_pages`)."""
    pages = [[_normalise_line(line) for line in (raw or "").split("\n")] for raw in raw_pages]
    keys = _running_keys(pages)
    pages = [_strip_footnotes(_strip_running(lines, keys)) for lines in pages]
    vocab = _Vocabulary(pages)
    width = _line_width(pages)
    return ["\n".join(_reflow(lines, width, vocab)) for lines in pages]
