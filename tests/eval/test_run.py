"""The evaluation harness: metrics computed by hand on made-up passages."""

from __future__ import annotations

import json

import pytest

from eval.run import METRIC_KEYS, Passage, evaluate, format_table, percentile

QUESTIONS = [
    {"id": "q1", "question": "a", "kind": "topic",
     "gold": [{"file": "a.pdf", "page": 2, "quote": "one two three four five six"},
              {"file": "b.pdf", "page": 1, "quote": "seven eight nine ten eleven twelve"}]},
    {"id": "q2", "question": "b", "kind": "acronym",
     "gold": [{"file": "a.pdf", "page": 5, "quote": "alpha beta gamma delta epsilon zeta"}]},
    {"id": "q3", "question": "c", "kind": "topic",
     "gold": [{"file": "missing.pdf", "page": 1, "quote": "not indexed at all in this index here"}]},
]


def fake_retrieve(question: str, filters: dict, k: int) -> list[Passage]:
    filler = [Passage("z.pdf", f"filler {i}", 1, 1, f"z {i}") for i in range(10)]
    if question == "a":
        # gold 1 at rank 3 (curly quotes and a line-end hyphen still match), gold 2 at rank 7
        hits = filler[:2] + [Passage("a.pdf", "x One two thr-\nee four five six y", 2, 2, "a p2")] + filler[2:5] + [
            Passage("b.pdf", "Seven  eight nine ten eleven twelve.", 1, 1, "b p1")] + filler[5:]
        return hits[:k]
    return filler[:4] + [Passage("a.pdf", "other text", 5, 5, "a p5")] + filler[4:]


def test_metrics_by_hand():
    report = evaluate(QUESTIONS, fake_retrieve, {"a.pdf", "b.pdf", "z.pdf"})
    assert report["n"] == 2
    assert report["not_scored"] == [{"id": "q3", "files": ["missing.pdf"]}]
    q1, q2 = report["questions"]
    assert q1["gold_ranks"] == [3, 7] and q2["gold_ranks"] == [None]
    assert report["hit@1"] == 0.0
    assert report["hit@5"] == 0.5 and report["hit@10"] == 0.5
    assert report["recall@10"] == 0.5  # q1 found both of 2, q2 none of 1
    assert report["mrr@10"] == pytest.approx((1 / 3) / 2, abs=1e-3)
    assert report["page_hit@5"] == 1.0  # q2's rank-5 passage is on the gold page, though not the quote
    assert set(report["by_kind"]) == {"topic", "acronym"}
    for key in ("n", *METRIC_KEYS, "latency_ms_p50", "latency_ms_p95", "by_kind", "questions"):
        assert key in report
    json.dumps(report)
    table = format_table(report)
    assert "not scored" in table and "acronym" in table


def test_percentile():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([5], 0.95) == 5
    assert percentile([], 0.5) == 0.0
