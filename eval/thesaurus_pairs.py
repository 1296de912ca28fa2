"""The corpus thesaurus's proposals, sampled for labelling and scored against the labels.

`sample` runs the thesaurus (index/thesaurus.py) over the dev questions' words with a wider net
than the product uses (a lower similarity and a higher rarity share), so the labels can choose
where the product draws the line: each (question word, proposed corpus word) pair once, with its
cosine. A helper who has read no code labels each pair: would a reader searching for the word be
glad to find passages using the proposed word (1) or not (0). `score` reports the precision of
the pairs the product's rule would propose, and of each similarity cut alone.

    python -m eval.thesaurus_pairs sample --index data/full-index > eval/thesaurus_pairs.jsonl
    python -m eval.thesaurus_pairs score [eval/thesaurus_labels.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

QUESTIONS = Path(__file__).with_name("questions.jsonl")
LABELS = Path(__file__).with_name("thesaurus_labels.jsonl")
SAMPLE_SIMILARITY = 0.45
SAMPLE_RARE = 0.002
CUTS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def sample(index_dir: str, questions: Path = QUESTIONS, per_word: int = 3) -> list[dict]:
    """Every (word, neighbour) pair the thesaurus proposes for the questions' words, widened."""
    from index.report_index import ReportIndex
    from index.search.retrieve import related_words
    from index.search.types import Context

    index = ReportIndex.load(index_dir, read_only=True)
    searcher = index.searcher
    settings = replace(searcher.settings, thesaurus_similarity=SAMPLE_SIMILARITY, thesaurus_rare=SAMPLE_RARE)
    context = Context(settings=settings, corpus=searcher.corpus)
    thesaurus = searcher.corpus.thesaurus()
    seen: dict[tuple[str, str], dict] = {}
    for line in questions.read_text().splitlines():
        if not line.strip():
            continue
        question = json.loads(line)["question"]
        plan = searcher.plan(question)
        for related in related_words(context, plan.topic):
            vector = thesaurus.vector_of(related.word)
            if vector is None:
                vector = searcher.corpus.word_vectors([related.word])[0]
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
            for neighbour in related.neighbours[:per_word]:
                key = (related.word, neighbour)
                if key in seen:
                    continue
                similarity = float(vector @ thesaurus.vector_of(neighbour))
                seen[key] = {"word": related.word, "neighbour": neighbour, "similarity": round(similarity, 4),
                             "question": question}
    pairs = sorted(seen.values(), key=lambda p: (p["word"], -p["similarity"]))
    for i, pair in enumerate(pairs, 1):
        pair["id"] = f"p{i:03d}"
    return pairs


def score(labels: list[dict], product_similarity: float) -> dict:
    """Precision of the labelled pairs at each similarity cut alone, and of those the product's rule
    proposes (thesaurus.proposes at the product's similarity: close enough, and not the word's
    opposite). The rule's other checks need an index (a fragment of a capitalised word is never
    proposed) or were applied when sampling (not the word's own stem, not in too many passages)."""
    from index.thesaurus import proposes

    def precision(kept: list[dict]) -> dict:
        good = sum(1 for p in kept if int(p["label"]) == 1)
        return {"proposed": len(kept), "good": good, "precision": round(good / len(kept), 3) if kept else None}

    out: dict = {"pairs": len(labels), "cuts": {}}
    for cut in sorted({*CUTS, product_similarity}):
        out["cuts"][cut] = precision([p for p in labels if p["similarity"] >= cut])
    rule = [p for p in labels if proposes(p["word"], p["neighbour"], p["similarity"], product_similarity)]
    out["product"] = {"similarity": product_similarity, **precision(rule)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.thesaurus_pairs", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="the thesaurus's widened proposals for the dev questions, as JSONL")
    s.add_argument("--index", required=True)
    c = sub.add_parser("score", help="precision of labelled pairs")
    c.add_argument("labels", type=Path, nargs="?", default=LABELS)
    args = parser.parse_args(argv)
    if args.command == "sample":
        for pair in sample(args.index):
            print(json.dumps(pair))
        return 0
    from index.settings import SearchSettings

    labels = [json.loads(x) for x in args.labels.read_text().splitlines() if x.strip()]
    result = score(labels, SearchSettings().thesaurus_similarity or 1.0)
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
