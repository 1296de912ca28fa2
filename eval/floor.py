"""Choose the relevance floor from the dev set's score distributions.

    python -m eval.floor --index data/full-index [--questions eval/questions.jsonl] [--hide 0.02]

For every dev question, the hybrid search's top 10 (with the floor off) is split into gold passages
(answers) and the rest. The floor hides a passage whose cosine similarity to the question is under
it and which holds none of the question's distinctive words (index/search/present.py, apply_floor).
This prints, for candidate floors, the share of gold passages that would be hidden and the share of
other top-10 passages that would be, and the highest floor that hides at most `--hide` of the
gold passages. Only the dev set is read: the blind test set never sets a threshold.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from eval.matching import is_hit, load_questions
from eval.run import _filters

HERE_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", default=str(HERE_QUESTIONS))
    parser.add_argument("--hide", type=float, default=0.02, help="largest share of gold passages to hide")
    args = parser.parse_args(argv)

    from index.report_index import ReportIndex

    index = ReportIndex.load(args.index, read_only=True)
    searcher = index.searcher
    # Every passage passes: measure, don't filter.
    searcher.settings = replace(searcher.settings, relevance_floors={index.embedder.name: -1.0})
    docs = searcher.documents()
    gold_rows: list[tuple[float, bool]] = []  # (cosine, holds a distinctive word)
    other_rows: list[tuple[float, bool]] = []
    for question in load_questions(args.questions):
        response = index.search(question["question"], _filters(question.get("filters") or {}), k=10)
        for result in response.results:
            names = {p.rsplit("/", 1)[-1] for p in docs[result.doc_id].paths}
            gold = any(is_hit(name, result.text, g) for name in names for g in question["gold"])
            keeps = searcher.floor_keeps(result, response.topic)
            (gold_rows if gold else other_rows).append((result.similarity or 0.0, keeps))
    gold = np.asarray([c for c, _ in gold_rows])
    gold_kept = np.asarray([k for _, k in gold_rows])
    other = np.asarray([c for c, _ in other_rows])
    other_kept = np.asarray([k for _, k in other_rows])
    print(f"gold passages in the top 10: {len(gold)}; other passages: {len(other)}")
    print("cosine percentiles (5, 10, 25, 50): gold", np.percentile(gold, [5, 10, 25, 50]).round(3),
          "other", np.percentile(other, [5, 10, 25, 50]).round(3))
    best = None
    for floor in np.arange(0.10, 0.61, 0.025):
        hidden_gold = float(np.mean((gold < floor) & ~gold_kept))
        hidden_other = float(np.mean((other < floor) & ~other_kept))
        print(f"floor {floor:.3f}: hides {hidden_gold:.3f} of gold, {hidden_other:.3f} of other passages")
        if hidden_gold <= args.hide:
            best = floor
    print(f"highest floor hiding at most {args.hide:.0%} of gold passages: {best:.3f}" if best else "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
