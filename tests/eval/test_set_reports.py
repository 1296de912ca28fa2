"""The reports a question set was written over, as paths to ingest."""

from __future__ import annotations

import json

import pytest

from eval.set_reports import main, set_reports


def _question(qid: str, *files: str) -> dict:
    return {"id": qid, "question": "q", "kind": "topic",
            "gold": [{"file": f, "page": 1, "quote": "one two three four five six"} for f in files]}


def test_each_gold_report_is_named_once_in_order() -> None:
    assert set_reports([_question("a", "b.pdf", "a.pdf"), _question("b", "a.pdf")]) == ["a.pdf", "b.pdf"]


def test_the_paths_are_printed_under_the_reports_folder_and_a_missing_one_is_refused(tmp_path, capsys) -> None:
    questions = tmp_path / "set.jsonl"
    questions.write_text(json.dumps(_question("a", "x.pdf")) + "\n")
    (tmp_path / "reports").mkdir()
    with pytest.raises(SystemExit):
        main([str(questions), "--reports", str(tmp_path / "reports")])
    assert "not in" in capsys.readouterr().err
    (tmp_path / "reports" / "x.pdf").write_bytes(b"%PDF")
    assert main([str(questions), "--reports", str(tmp_path / "reports")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "reports" / "x.pdf")
