"""The question-reading scorer, and the dev half's floors (no index: the registry only)."""

from __future__ import annotations

import json

import pytest

from eval.reading import in_half, load, main, score

# Floors on the dev half (issue 19): precision of each kind; recall per kind.
PRECISION = 0.98
RECALL = {"authorities": 0.95, "area": 0.95, "neighbours": 0.95, "years": 0.90, "grades": 0.90, "latest": 0.90}


def test_the_halves_are_fixed_by_id():
    assert in_half("r001", "dev") and not in_half("r001", "held")
    assert in_half("r002", "held") and not in_half("r002", "dev") and in_half("r002", "all")
    with pytest.raises(ValueError, match="valid: dev, held, all"):
        load(half="both")


def test_the_dev_half_reads_above_its_floors():
    result = score(load(half="dev"))
    assert result.items > 100
    for kind, tally in result.tallies.items():
        assert tally.precision >= PRECISION, (kind, tally)
        assert tally.recall >= RECALL[kind], (kind, tally)
    assert result.strict_precision() >= PRECISION


def test_errors_are_refused_for_the_held_half(capsys):
    assert main(["--half", "held", "--errors"]) == 2
    assert "dev half only" in capsys.readouterr().err


def test_a_misread_question_counts_against_precision_and_recall(tmp_path):
    path = tmp_path / "reading.jsonl"
    items = [
        {"id": "r001", "question": "care leavers in Leeds", "trap": "",
         "expect": {"authorities": ["Bradford"], "area": None, "neighbours_of": None, "years": None, "grades": [],
                    "latest": False}},
        {"id": "r003", "question": "inadequate councils since 2018", "trap": "",
         "expect": {"authorities": [], "area": None, "neighbours_of": None, "years": {"from": 2018, "to": None},
                    "grades": [{"judgement": "overall_effectiveness", "grade": "inadequate"}], "latest": False}},
    ]
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    result = score(load(path, "dev"))
    authorities = result.tallies["authorities"]
    assert (authorities.precision, authorities.recall) == (0.0, 0.0)
    assert result.tallies["years"].precision == 1.0 and result.tallies["grades"].recall == 1.0
    assert [e[0] for e in result.errors] == ["r001"]
