"""Training the learned ranking stage: which sets it may read, and folds that keep a question whole."""

from __future__ import annotations

import numpy as np
import pytest

from eval.train_ranker import Group, _folds, main


def test_the_blind_set_never_trains_even_as_a_further_set(tmp_path, capsys) -> None:
    for argv in (["--index", str(tmp_path), "--questions", "eval/blind.jsonl"],
                 ["--index", str(tmp_path), "--also", f"eval/blind.jsonl={tmp_path}"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "the blind set never trains anything" in capsys.readouterr().err


def test_a_further_set_needs_its_index(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--index", str(tmp_path), "--also", "eval/everyday.jsonl"])
    assert "QUESTIONS=INDEX" in capsys.readouterr().err


def test_both_searches_of_a_question_fall_in_one_fold() -> None:
    groups = [Group(f"q{i}", mode, np.zeros((1, 1)), np.zeros(1)) for i in range(20)
              for mode in ("with filters", "text only")]
    folds = _folds(groups, 5)
    assert sorted(q for fold in folds for q in fold) == sorted({g.qid for g in groups})
    assert all(len(fold) == 4 for fold in folds)
