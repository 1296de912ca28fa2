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

# Measured on the 27 dev questions whose gold lies in the end-to-end subset (19 before the former test
# set joined dev in issue 18; their figures were 0.789 / 0.528): hit@5 0.741 (20 of 27), MRR@10 0.514.
# One question fewer still passes.
FLOOR_HIT_AT_5 = 0.70
FLOOR_MRR_AT_10 = 0.50
# The same questions with their filters removed: the question text alone, as a user types it.
TEXT_ONLY_FLOOR_HIT_AT_5 = 0.70  # measured 0.741 (20 of 27)
TEXT_ONLY_FLOOR_MRR_AT_10 = 0.50  # measured 0.520


def test_hybrid_retrieval_stays_above_the_floor(real_index):
    questions = [q for q in load_questions(QUESTIONS) if any(g["file"] in E2E_REPORTS for g in q["gold"])]
    assert len(questions) >= 25
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
