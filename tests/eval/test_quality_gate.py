"""CI gate on retrieval quality: the dev questions whose gold lies in the end-to-end subset, with their
filters and as question text only. Only dev questions: a failing gate must never send anyone to read
the blind test set.

Floors sit just under what was measured (see eval/RESULTS.md), so a regression fails CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.matching import load_questions
from eval.run import evaluate, format_table, index_retriever
from tests.conftest import E2E_REPORTS

pytestmark = pytest.mark.corpus
QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"

FLOOR_HIT_AT_5 = 0.73  # measured 0.789 (15 of 19); one question fewer still passes
FLOOR_MRR_AT_10 = 0.52  # measured 0.528 (0.552 before names and years left the searched words)
# The same questions with their filters removed: the question text alone, as a user types it.
TEXT_ONLY_FLOOR_HIT_AT_5 = 0.73  # measured 0.789 (15 of 19; 0.737 before the thesaurus round)
TEXT_ONLY_FLOOR_MRR_AT_10 = 0.52  # measured 0.528 (0.509 before)


def test_hybrid_retrieval_stays_above_the_floor(real_index):
    questions = [q for q in load_questions(QUESTIONS) if any(g["file"] in E2E_REPORTS for g in q["gold"])]
    assert len(questions) >= 15
    retrieve, files = index_retriever(real_index, "hybrid")
    report = evaluate(questions, retrieve, files)
    print("\n" + format_table(report, "quality gate (hybrid, end-to-end subset)"))
    assert report["n"] == len(questions)
    assert report["hit@5"] >= FLOOR_HIT_AT_5
    assert report["mrr@10"] >= FLOOR_MRR_AT_10
    text_only = evaluate(questions, retrieve, files, use_filters=False)
    print(format_table(text_only, "quality gate (hybrid, end-to-end subset, question text only)"))
    assert text_only["hit@5"] >= TEXT_ONLY_FLOOR_HIT_AT_5
    assert text_only["mrr@10"] >= TEXT_ONLY_FLOOR_MRR_AT_10
