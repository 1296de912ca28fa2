"""Highlighting: the sentence that answers the question, by rare query terms, acronyms counted once."""

from __future__ import annotations

from index.highlight import highlight_spans, sentence_spans, term_weights
from index.tokenize import query_terms


def _highlighted(text: str, question: str, freqs: dict[str, int], n: int = 1000) -> list[str]:
    terms = query_terms(question)
    return [text[a:b] for a, b in highlight_spans(text, term_weights(terms, freqs, n))]


def test_sentences_split_on_full_stops_and_bullets() -> None:
    text = "First point. Second point, e.g. this one.\n- A bullet"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == ["First point.", "Second point, e.g. this one.", "- A bullet"]


def test_acronym_and_its_expansion_count_as_one_concept() -> None:
    text = ("Training on child sexual exploitation (CSE) has reached schools. "
            "However, the CSE screening tool is not consistently used.")
    freqs = {"cse": 50, "child": 300, "sexual": 60, "exploitation": 60, "screening": 10, "tool": 40}
    assert _highlighted(text, "what did inspectors say about CSE screening?", freqs) == [
        "However, the CSE screening tool is not consistently used."
    ]


def test_no_query_word_no_highlight() -> None:
    assert _highlighted("Placements are stable.", "adoption timeliness", {"adoption": 5}) == []


SIF_PARAGRAPH = ("109. The supervision of workers and managers does not give clear guidance to workers. "
                 "Recording on case files is weak. (Recommendation)")


def test_a_label_such_as_recommendation_is_never_the_highlight() -> None:
    freqs = {"recommendation": 40, "supervision": 90}
    assert _highlighted(SIF_PARAGRAPH, "recommendations about supervision", freqs) == [
        "The supervision of workers and managers does not give clear guidance to workers."
    ]
    assert _highlighted(SIF_PARAGRAPH, "what were the recommendations?", freqs) == []  # only the label matches
