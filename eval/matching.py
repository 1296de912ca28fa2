"""Gold questions for retrieval evaluation, and the rules for matching a retrieved passage to gold.

A gold item names a report file, a 1-based page and a short verbatim quote (6-25 words from one
sentence). A retrieved passage hits it when it comes from the same file and contains the quote, after
normalising the text extraction artefacts that differ between pypdf output and hand-copied quotes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

KINDS = frozenset({"topic", "authority", "acronym", "compare", "news"})
REPORT_TYPES = frozenset({"sif", "sif_reinspection", "ilacs_standard", "ilacs_short", "ilacs_2026", "lac_2013"})
FILTER_KEYS = frozenset({"local_authority", "year", "report_type"})
MIN_QUOTE_WORDS, MAX_QUOTE_WORDS = 6, 25
MIN_GOLD, MAX_GOLD = 1, 6

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = str.maketrans({ch: "-" for ch in "‐‑‒–—―"})
_LINE_END_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])")
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase, unify quotes and dashes, join words hyphenated at a line end, collapse whitespace."""
    text = text.lower().translate(_QUOTES).translate(_DASHES)
    text = _LINE_END_HYPHEN.sub("", text)
    return _SPACE.sub(" ", text).strip()


def letters_digits(text: str) -> str:
    """Only the letters a-z and digits of the lowercased text (the lenient fallback)."""
    return _NOT_ALNUM.sub("", text.lower())


def quote_in_text(quote: str, text: str) -> bool:
    """True when the quote occurs in the text, normalised, or failing that as letters and digits only."""
    if normalise(quote) in normalise(text):
        return True
    needle = letters_digits(quote)
    return bool(needle) and needle in letters_digits(text)


def is_hit(passage_file: str, passage_text: str, gold: dict) -> bool:
    """A retrieved passage hits a gold item when it is from the same file and contains the quote."""
    return passage_file == gold["file"] and quote_in_text(gold["quote"], passage_text)


def is_page_hit(passage_file: str, page_start: int, page_end: int, gold: dict) -> bool:
    """A looser hit: same file, and the passage's page range (1-based, inclusive) covers the gold page."""
    return passage_file == gold["file"] and page_start <= gold["page"] <= page_end


def _problem(item: object) -> str | None:
    """What is wrong with one parsed question, or None."""
    if not isinstance(item, dict):
        return "not a JSON object"
    missing = {"id", "question", "kind", "gold"} - item.keys()
    if missing:
        return f"missing keys {sorted(missing)}"
    # Extra keys ("source", "notes") are ignored, as JSON Lines tools do; only missing ones are refused.
    if not isinstance(item["id"], str) or not item["id"]:
        return "id must be a non-empty string"
    if not isinstance(item["question"], str) or not item["question"].strip():
        return "question must be a non-empty string"
    # A kind outside KINDS (the shipped sets' kinds) is scored under its own name.
    if not isinstance(item["kind"], str) or not item["kind"].strip():
        return "kind must be a non-empty string (e.g. one of " + ", ".join(sorted(KINDS)) + ")"
    problem = _filters_problem(item.get("filters", {}))
    if problem:
        return problem
    gold = item["gold"]
    if not isinstance(gold, list) or not MIN_GOLD <= len(gold) <= MAX_GOLD:
        return f"gold must be a list of {MIN_GOLD}-{MAX_GOLD} items"
    for number, entry in enumerate(gold, 1):
        problem = _gold_problem(entry)
        if problem:
            return f"gold item {number}: {problem}"
    return None


def _filters_problem(filters: object) -> str | None:
    if not isinstance(filters, dict):
        return "filters must be an object"
    unknown = filters.keys() - FILTER_KEYS
    if unknown:
        return f"unknown filter keys {sorted(unknown)}"
    if "local_authority" in filters and not (
        isinstance(filters["local_authority"], str) and filters["local_authority"]
    ):
        return "filter local_authority must be a non-empty string"
    if "year" in filters and (type(filters["year"]) is not int or not 2000 <= filters["year"] <= 2100):
        return "filter year must be an integer year"
    if "report_type" in filters and filters["report_type"] not in REPORT_TYPES:
        return f"filter report_type must be one of {sorted(REPORT_TYPES)}"
    return None


def _gold_problem(entry: object) -> str | None:
    if not isinstance(entry, dict) or not {"file", "page", "quote"} <= entry.keys():
        return "must be an object with file, page and quote (other keys are ignored)"
    if not isinstance(entry["file"], str) or not entry["file"].endswith(".pdf"):
        return "file must be a .pdf file name"
    if type(entry["page"]) is not int or entry["page"] < 1:
        return "page must be an integer >= 1"
    if not isinstance(entry["quote"], str):
        return "quote must be a string"
    words = len(entry["quote"].split())
    if not MIN_QUOTE_WORDS <= words <= MAX_QUOTE_WORDS:
        return f"quote has {words} words (allowed {MIN_QUOTE_WORDS}-{MAX_QUOTE_WORDS})"
    return None


def load_questions(path: str | Path) -> list[dict]:
    """Read and validate a questions JSON Lines file; ValueError names the line and the problem."""
    questions: list[dict] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            problem = _problem(item)
            if problem is None and item["id"] in seen:
                problem = f"duplicate id {item['id']!r}"
            if problem:
                raise ValueError(f"{path}:{number}: {problem}")
            seen.add(item["id"])
            questions.append(item)
    return questions
