"""The concept vocabulary: whole-phrase matching, ambiguous terms only in context, and the shipped file."""

from __future__ import annotations

import csv

import pytest

from index.concepts import DEFAULT_PATH, ConceptFileError, ConceptVocabulary
from index.tokenize import stem, words

COLUMNS = ["id", "concept", "sector_terms", "everyday_terms", "ambiguous_terms", "context_words", "source"]


def _vocabulary(tmp_path, rows: list[dict]) -> ConceptVocabulary:
    path = tmp_path / "concepts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return ConceptVocabulary.load(path)


@pytest.fixture()
def vocabulary(tmp_path) -> ConceptVocabulary:
    return _vocabulary(tmp_path, [
        {"id": "kinship_care", "concept": "Kinship care", "sector_terms": "kinship care | connected carers",
         "everyday_terms": "living with grandparents | raised by relatives", "source": "guidance"},
        {"id": "family_time", "concept": "Family time", "sector_terms": "family time | contact with parents",
         "everyday_terms": "see their mum and dad | contact", "ambiguous_terms": "contact",
         "context_words": "mum | dad | parents | siblings", "source": "guidance"},
    ])


def test_a_question_names_a_concept_by_an_everyday_phrase_in_any_form(vocabulary) -> None:
    assert [c.id for c in vocabulary.named_in("Kids LIVING with Grandparent?")] == ["kinship_care"]
    assert [c.id for c in vocabulary.named_in("are connected carers assessed")] == ["kinship_care"]


def test_words_apart_do_not_make_a_phrase(vocabulary) -> None:
    assert vocabulary.named_in("care for children living in kinship with grandparents") == []


def test_an_ambiguous_term_counts_only_beside_a_context_word(vocabulary) -> None:
    assert vocabulary.named_in("how quickly do police make contact with schools") == []
    assert [c.id for c in vocabulary.named_in("contact with mum after going into care")] == ["family_time"]


def test_sector_terms_found_in_a_passage(vocabulary) -> None:
    concepts = vocabulary.named_in("living with grandparents")
    tokens = [stem(w) for w in words("Assessments of connected carers are timely; kinship care is strong.")]
    assert vocabulary.sector_terms_in(concepts, tokens) == 2
    assert vocabulary.sector_terms_in(concepts, [stem(w) for w in words("care leavers")]) == 0


def test_a_file_without_a_column_or_sector_terms_is_refused(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,concept\nx,y\n")
    with pytest.raises(ConceptFileError, match="missing columns"):
        ConceptVocabulary.load(path)
    with pytest.raises(ConceptFileError, match="line 2"):
        _vocabulary(tmp_path, [{"id": "x", "concept": "no terms"}])


def test_the_shipped_vocabulary_has_300_concepts_each_with_a_source() -> None:
    vocabulary = ConceptVocabulary.load(DEFAULT_PATH)
    assert len(vocabulary.concepts) >= 300
    assert all(c.source for c in vocabulary.concepts)
    assert len({c.id for c in vocabulary.concepts}) == len(vocabulary.concepts)
