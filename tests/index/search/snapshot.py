"""What a search returns, reduced to hashes: the fixture that proves a refactor left results identical.

Every dev question (eval/questions.jsonl) is run with its filters and as text only, by each retriever,
under the product's settings and under each mechanism switched off (eval.results.MECHANISMS) and a
few settings that reach rarer branches. Each response keeps, per result, the file, first page, a
hash of the passage text, the score and the other numbers a result carries, and the response's
message, interpretation and topic: file names and hashes only, never a report's text.

Only the public search API is used, so the same file records an older checkout's results:
`PYTHONPATH=/that/checkout python tests/index/search/snapshot.py --index DIR --out FILE`.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parents[3] / "eval" / "questions.jsonl"
# name -> SearchSettings fields changed from the product's (eval.results.MECHANISMS, and branches
# the dev questions reach rarely on a small index: the thesaurus, the year lists' second search).
VARIANTS: dict[str, dict] = {
    "product": {},
    "names_out_of_topic": {"strip_question_words": False},
    "summaries_for_one_authority": {"summary_for_few": 0},
    "judgement_area": {"area_weight": 0.0},
    "feedback": {"feedback_weight": 0.0},
    "thesaurus": {"thesaurus_similarity": None},
    "reverse_glossary": {"reverse_glossary": False},
    "relevance_floor": {"relevance_floors": {}},
    "thesaurus_often": {"thesaurus_rare": 0.01},
    "no_spread_small_budget": {"per_report": 0, "postings_budget": 200, "subset_depth": 0, "candidates": 20},
}
RETRIEVERS = ("hybrid", "dense", "lexical")
QUESTIONS_KEY = "_questions"  # in a recorded file: {question id: hash of its text and filters}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def response_record(response) -> dict:
    """One response as file names, numbers and hashes (no report text)."""
    return {
        "results": [
            [r.citation.file, r.citation.page_start, _sha(r.text), round(r.score, 6), r.duplicates,
             r.dense_rank, r.lexical_rank, r.similarity, r.below_floor, r.rank, _sha(repr(r.highlights)),
             _sha(r.citation.line())]
            for r in response.results
        ],
        "message": response.message,
        "interpretation": response.interpretation,
        "topic": response.topic,
    }


def question_hashes(questions: list[dict]) -> dict[str, str]:
    """{question id: hash of its text and filters}: which questions a record was made of."""
    return {q["id"]: _sha(json.dumps([q["question"], q.get("filters") or {}], sort_keys=True)) for q in questions}


def snapshot(index, variants: dict[str, dict] | None = None, k: int = 10,
             questions: list[dict] | None = None) -> dict[str, dict]:
    """{"variant|retriever|mode|question id": record} for every question.

    Args:
        index: an open ReportIndex.
        variants: VARIANTS or some of them.
        k: results asked for.
        questions: as eval.matching.load_questions reads them (default: the dev questions).
    """
    from eval.matching import load_questions
    from eval.run import _filters
    from index.search import QueryError

    searcher = index.searcher
    product = searcher.settings
    questions = load_questions(QUESTIONS) if questions is None else questions
    out: dict[str, dict] = {}
    try:
        for name, changes in (variants or VARIANTS).items():
            searcher.settings = dataclasses.replace(product, **changes)
            retrievers = RETRIEVERS if name == "product" else ("hybrid",)
            for retriever in retrievers:
                for mode in ("filters", "text"):
                    for q in questions:
                        if mode == "filters" and not q.get("filters"):
                            continue  # the same search as text only
                        key = f"{name}|{retriever}|{mode}|{q['id']}"
                        try:
                            filters = _filters((q.get("filters") or {}) if mode == "filters" else {})
                            out[key] = response_record(index.search(q["question"], filters, k=k, retriever=retriever))
                        except QueryError as error:
                            out[key] = {"error": str(error)}
    finally:
        searcher.settings = product
    return out


def compact(records: dict[str, dict]) -> dict[str, dict]:
    """The records as stored: in full under the product's settings, as a digest under the variants
    (a difference there names the response; snapshot() again shows it in full)."""
    return {key: value if key.startswith("product|") or key == QUESTIONS_KEY
            else {"digest": _sha(json.dumps(value, sort_keys=True))} for key, value in records.items()}


def dumps(records: dict[str, dict]) -> str:
    """JSON with one response a line, so that a difference reads as a one-line diff."""
    lines = [json.dumps(key) + ": " + json.dumps(records[key], sort_keys=True, separators=(",", ":"))
             for key in sorted(records)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    parser.add_argument("--questions", default=str(QUESTIONS), help="a question set (default: the dev questions)")
    parser.add_argument("--compact", action="store_true", help="the variants' responses as digests (as recorded)")
    args = parser.parse_args(argv)
    from eval.matching import load_questions
    from index.report_index import ReportIndex

    questions = load_questions(args.questions)
    index = ReportIndex.load(args.index, read_only=True)
    try:
        records = snapshot(index, {n: VARIANTS[n] for n in args.variants.split(",")}, questions=questions)
    finally:
        index.close()
    records[QUESTIONS_KEY] = question_hashes(questions)
    Path(args.out).write_text(dumps(compact(records) if args.compact else records))
    import index.search

    # Which checkout answered: a script's folder, not the current one, leads sys.path (set PYTHONPATH).
    print(f"{len(records)} responses -> {args.out}; search code: {index.search.__file__}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
