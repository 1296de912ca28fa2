"""How well misspelt topic words are read as the words meant, and that no correctly spelt word is changed.

Each line of eval/spelling.jsonl is a question with one misspelt word ({"id": "s001", "typed":
"safegaurding", "intended": "safeguarding", "question": "how good is safegaurding in schools"}).
Odd-numbered ids are the dev half, even ones the held half (develop on dev only; `--errors` is
refused for the held half, so its lines are never shown). Reported:

- corrected right: the share of typed words read as the intended word (index/spelling.py, over
  the index's vocabulary, as the search reads a question);
- false corrections: for every line, the question with its typo fixed must come through with no
  word changed (the intended word and every other word); so must a sample of the vocabulary's
  words (every VOCABULARY_STEP-th whole word).

    python -m eval.spelling --index data/full-index [--half dev|held|all] [--errors]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from index.spelling import SpellingCorrector

LINES = Path(__file__).with_name("spelling.jsonl")
HALVES = ("dev", "held", "all")
VOCABULARY_STEP = 10  # every tenth whole word of the vocabulary is checked unchanged


def read_lines(half: str, path: Path = LINES) -> list[dict]:
    """The lines of one half: "dev" (odd ids), "held" (even ids) or "all".

    Raises:
        ValueError: for another half.
    """
    if half not in HALVES:
        raise ValueError(f"unknown half {half!r}; valid: {', '.join(HALVES)}")
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if half == "all":
        return lines
    parity = 1 if half == "dev" else 0
    return [line for line in lines if int(line["id"].lstrip("s")) % 2 == parity]


def fixed_question(line: dict) -> str:
    """The line's question with its typo replaced by the intended word."""
    return re.sub(rf"(?<![A-Za-z]){re.escape(line['typed'])}(?![A-Za-z])", line["intended"], line["question"])


def score(corrector: SpellingCorrector, lines: list[dict], vocabulary_sample: list[str], errors: bool = False) -> dict:
    """Corrections right, and words wrongly changed, over these lines and vocabulary words.

    Args:
        corrector: the corrector under test (over an index's vocabulary, or a test's).
        lines: lines of eval/spelling.jsonl.
        vocabulary_sample: correctly spelt corpus words, each of which must come through unchanged.
        errors: list each wrong or missing correction and each false one (never for the held half).

    Returns:
        {"lines", "corrected_right", "rate", "false_corrections", "questions_changed",
        "vocabulary_checked", "vocabulary_changed", "microseconds_per_question"}, with "errors"
        and "changed" lists when asked.
    """
    corrector.symspell()  # built before the clock starts: the per-question cost is what is timed
    right, wrong, changed = 0, [], []
    questions_changed = 0
    started = time.perf_counter()
    for line in lines:
        got = {c.typed: c.corrected for c in corrector.corrections(line["question"])}.get(line["typed"])
        if got == line["intended"]:
            right += 1
        else:
            wrong.append({"id": line["id"], "typed": line["typed"], "intended": line["intended"], "got": got})
        false = corrector.corrections(fixed_question(line))
        if false:
            questions_changed += 1
            changed += [{"id": line["id"], "word": c.typed, "read_as": c.corrected} for c in false]
    elapsed = time.perf_counter() - started
    vocabulary_changed = [(w, c) for w in vocabulary_sample if (c := corrector.correct_word(w)) is not None]
    out: dict = {
        "lines": len(lines),
        "corrected_right": right,
        "rate": round(right / len(lines), 3) if lines else None,
        "false_corrections": len(changed) + len(vocabulary_changed),
        "questions_changed": questions_changed,
        "vocabulary_checked": len(vocabulary_sample),
        "vocabulary_changed": len(vocabulary_changed),
        "microseconds_per_question": round(1e6 * elapsed / max(1, 2 * len(lines)), 1),
    }
    if errors:
        out["errors"] = wrong
        out["changed"] = changed + [{"word": w, "read_as": c} for w, c in vocabulary_changed]
    return out


def vocabulary_sample(corrector: SpellingCorrector, indexed, step: int = VOCABULARY_STEP) -> list[str]:
    """Every step-th whole word of the corrector's vocabulary (fragments of capitalised words, which
    no one types, left out: see index/spelling.py)."""
    return [w for w in sorted(corrector.vocabulary)[::step] if indexed(w) > 0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.spelling", description=__doc__.split("\n")[0])
    parser.add_argument("--index", required=True, help="an index directory (opened read-only)")
    parser.add_argument("--half", default="dev", choices=HALVES)
    parser.add_argument("--errors", action="store_true", help="list the misses and false corrections (not held)")
    args = parser.parse_args(argv)
    if args.errors and args.half != "dev":
        parser.error("--errors shows the lines themselves: only for --half dev")
    from index.report_index import ReportIndex

    index = ReportIndex.load(args.index, read_only=True)
    try:
        corpus = index.searcher.corpus
        started = time.perf_counter()
        corrector = corpus.spelling()
        corrector.symspell()
        corrector.english  # noqa: B018 - read now, so its cost is counted with the build
        build = time.perf_counter() - started
        result = {"half": args.half, "vocabulary": len(corrector.vocabulary), "build_seconds": round(build, 2)}
        result |= score(corrector, read_lines(args.half), vocabulary_sample(corrector, corpus.indexed_passages),
                        errors=args.errors)
    finally:
        index.close()
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
