"""Judged evaluation: pooling blind to the system, the grade cache, success@5 and nDCG@5."""

from __future__ import annotations

import json

import pytest

from eval.judged import add_grades, load_grades, passage_id, pool, score
from eval.run import Passage

QUESTIONS = [
    {"id": "q1", "question": "return home interviews", "kind": "topic", "intent": "says how RHIs are done",
     "gold": [{"file": "a.pdf", "page": 1, "quote": "return home interviews are timely and thorough"}]},
    {"id": "q2", "question": "Leeds caseloads", "kind": "authority", "gold": [{"file": "b.pdf", "page": 2,
                                                                              "quote": "x"}]},
]


def _passage(text: str, file: str = "a.pdf") -> Passage:
    return Passage(file, text, 1, 1, f"{file} p. 1")


def test_pool_shuffles_hides_systems_and_grades_gold_itself() -> None:
    gold = _passage("Here return home interviews are timely and thorough for every child.")
    other = _passage("Caseloads are manageable.", "b.pdf")
    systems = {"sys_alpha": lambda q, f, k: [gold, other], "sys_beta": lambda q, f, k: [other]}
    tasks, runs, gold_grades = pool(QUESTIONS[:1], systems, {}, lambda p: p.file)
    assert gold_grades == [{"qid": "q1", "pid": passage_id(gold.text), "grade": 2}]
    assert len(tasks) == 1 and [p["pid"] for p in tasks[0]["passages"]] == [passage_id(other.text)]
    assert "sys_alpha" not in json.dumps(tasks) and "sys_beta" not in json.dumps(tasks)
    assert tasks[0]["intent"] == "says how RHIs are done"
    assert runs["sys_alpha"]["with filters"]["q1"] == [passage_id(gold.text), passage_id(other.text)]


def test_pool_skips_what_was_graded_before() -> None:
    other = _passage("Caseloads are manageable.")
    tasks, _, _ = pool(QUESTIONS[1:], {"s": lambda q, f, k: [other]}, {("q2", passage_id(other.text)): 1},
                       lambda p: p.file)
    assert tasks == []


def test_the_cache_keeps_the_first_grade_and_refuses_bad_lines(tmp_path) -> None:
    cache = tmp_path / "judgements.jsonl"
    assert add_grades([{"qid": "q1", "pid": "p", "grade": 2}], "blind", cache) == 1
    assert add_grades([{"qid": "q1", "pid": "p", "grade": 0}, {"qid": "q1", "pid": "r", "grade": 1}],
                      "blind", cache) == 1
    assert load_grades("blind", cache) == {("q1", "p"): 2, ("q1", "r"): 1}
    assert load_grades("dev", cache) == {}
    with pytest.raises(ValueError, match="grade of 0, 1 or 2"):
        add_grades([{"qid": "q1", "pid": "z", "grade": 3}], "blind", cache)


def test_success_and_ndcg() -> None:
    runs = {"s": {"with filters": {"q1": ["a", "b"], "q2": ["c", "d"]}}}
    grades = {("q1", "a"): 0, ("q1", "b"): 2, ("q2", "c"): 1, ("q2", "e"): 2}
    out = score(QUESTIONS, runs, grades)["s"]["with filters"]
    assert out["all"]["success@5"] == 0.5
    assert out["all"]["ungraded"] == 1  # q2's "d"
    # q1: (3 / log2(3)) / (3 / log2(2)); q2: (1 / 1) / (3 / 1)
    assert out["by_kind"]["topic"]["ndcg@5"] == pytest.approx(1 / 1.5849625, rel=1e-5)
    assert out["by_kind"]["authority"]["ndcg@5"] == pytest.approx((1 + 0) / (3 + 1 / 1.5849625), rel=1e-5)


def test_the_grade_cache_names_dev_and_blind_by_their_files():
    from eval.judged import set_name_of

    assert set_name_of("eval/questions.jsonl") == "dev"
    assert set_name_of("/x/eval/blind.jsonl") == "blind"
    assert set_name_of("eval/other.jsonl") == "other"
