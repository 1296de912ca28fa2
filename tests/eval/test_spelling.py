"""The spelling scorer (eval/spelling.py): its halves, and the dev half's floors over the small real index."""

from __future__ import annotations

import pytest

from eval.spelling import LINES, fixed_question, main, read_lines, score, vocabulary_sample
from index.spelling import SpellingCorrector

# The floors of the task (eval/spelling.py): typed words read as the word meant, and no correct word changed.
CORRECTED_FLOOR = 0.90


def test_the_halves_split_the_lines_by_id():
    dev, held, every = read_lines("dev"), read_lines("held"), read_lines("all")
    assert len(dev) + len(held) == len(every) == len(LINES.read_text().splitlines())
    assert all(int(line["id"][1:]) % 2 == 1 for line in dev)
    assert all(int(line["id"][1:]) % 2 == 0 for line in held)
    with pytest.raises(ValueError, match="valid: dev, held, all"):
        read_lines("test")


def test_errors_are_refused_for_the_held_half(capsys):
    with pytest.raises(SystemExit):
        main(["--index", "unused", "--half", "held", "--errors"])
    assert "only for --half dev" in capsys.readouterr().err


def test_the_fixed_question_has_the_intended_word():
    line = {"typed": "neglet", "intended": "neglect", "question": "neglet, not neglets"}
    assert fixed_question(line) == "neglect, not neglets"


def test_the_score_counts_right_wrong_and_false_corrections():
    corrector = SpellingCorrector({"neglect": 40, "supervision": 30})
    lines = [{"id": "s1", "typed": "neglet", "intended": "neglect", "question": "early neglet"},
             {"id": "s3", "typed": "supervison", "intended": "supervisor", "question": "a supervison"}]
    result = score(corrector, lines, ["neglect"], errors=True)
    assert (result["corrected_right"], result["rate"], result["false_corrections"]) == (1, 0.5, 0)
    assert result["errors"] == [{"id": "s3", "typed": "supervison", "intended": "supervisor", "got": "supervision"}]


@pytest.mark.corpus
def test_the_dev_half_meets_the_floors_over_the_small_real_index(real_index):
    corpus = real_index.searcher.corpus
    corrector = corpus.spelling()
    lines = read_lines("dev")
    # Only a word the index holds can be a correction: twelve reports lack some of the intended words.
    reachable = [line for line in lines if line["intended"] in corrector.vocabulary]
    assert len(reachable) >= 0.6 * len(lines)
    result = score(corrector, reachable, vocabulary_sample(corrector, corpus.indexed_passages))
    assert result["rate"] >= CORRECTED_FLOOR, result
    assert result["vocabulary_checked"] > 100 and result["vocabulary_changed"] == 0
    # No correctly spelt word of any dev question is changed, whether or not the index holds it.
    assert score(corrector, lines, [])["false_corrections"] == 0
