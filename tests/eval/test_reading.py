"""The question-reading scorer, and dev's floors (no index: the registry only)."""

from __future__ import annotations

import json

import pytest

from eval.reading import SETS, load, main, score, set_file

# Floors on the dev set (issue 19): precision of each kind; recall per kind.
PRECISION = 0.98
RECALL = {"authorities": 0.95, "area": 0.95, "neighbours": 0.95, "years": 0.90, "grades": 0.90, "latest": 0.90}


def test_the_sets_are_named_files():
    assert set_file("dev") == SETS["dev"] and set_file("held").name == "reading_held.jsonl"
    with pytest.raises(ValueError, match="valid: dev, held"):
        set_file("both")


def test_dev_reads_above_its_floors():
    result = score(load())
    assert result.items > 250
    for kind, tally in result.tallies.items():
        assert tally.precision >= PRECISION, (kind, tally)
        assert tally.recall >= RECALL[kind], (kind, tally)
    assert result.strict_precision() >= PRECISION


def test_errors_are_refused_for_the_held_set(capsys):
    assert main(["--set", "held", "--errors"]) == 2
    assert "dev only" in capsys.readouterr().err


def test_a_missing_file_is_said(tmp_path, capsys):
    assert main(["--file", str(tmp_path / "nothing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


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
    result = score(load(path))
    authorities = result.tallies["authorities"]
    assert (authorities.precision, authorities.recall) == (0.0, 0.0)
    assert result.tallies["years"].precision == 1.0 and result.tallies["grades"].recall == 1.0
    assert [e[0] for e in result.errors] == ["r001"]
