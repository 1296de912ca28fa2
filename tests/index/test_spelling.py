"""Misspelt question words read as corpus words: what is corrected, what never is, and what search does with it."""

from __future__ import annotations

import pytest

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search.filters import SearchFilters
from index.search.types import Reading
from index.settings import SearchSettings
from index.spelling import Correction, SpellingCorrector, apply_corrections, correctable_words, english_words
from tests.index.helpers import make_report

VOCABULARY = {"safeguarding": 500, "supervision": 300, "adolescents": 40, "training": 900, "trafficking": 30,
              "neglect": 200, "persistent": 25, "persist": 5, "hackled": 3, "chronology": 60}


def corrector(vocabulary: dict[str, int] = VOCABULARY, indexed: dict[str, int] | None = None) -> SpellingCorrector:
    """A corrector over a fake vocabulary; `indexed` is what the lexical index finds (default: the vocabulary)."""
    found = dict(vocabulary) | (indexed or {})
    return SpellingCorrector(vocabulary, indexed=lambda word: found.get(word, 0))


def test_a_misspelt_word_is_read_as_the_vocabulary_word_meant():
    spell = corrector()
    assert spell.correct_word("safegaurding") == "safeguarding"  # two letters swapped: one edit
    assert spell.correct_word("adolesents") == "adolescents"
    assert spell.correct_word("supervison") == "supervision"
    assert spell.correct_word("chronolgy") == "chronology"
    assert spell.correct_word("neglet") == "neglect"


def test_of_equally_close_words_the_one_reached_by_adding_letters_wins_over_a_more_common_one():
    # "training" (900 passages) and "trafficking" (30) are both two edits away; "trafficking" only adds letters.
    assert corrector().correct_word("trafiking") == "trafficking"


def test_correctly_spelt_words_are_never_changed():
    spell = corrector()
    assert spell.correct_word("safeguarding") is None  # a vocabulary word
    # English words the reports need not use: "kids" is a word, not a slip for a vocabulary word.
    assert "kids" in english_words() and corrector({"kinds": 40}).correct_word("kids") is None
    assert spell.correct_word("supervisor") is None
    assert spell.correct_word("xqzvbnmlk") is None  # nothing close: left as typed


def test_short_words_are_left_alone_or_allowed_one_edit_only():
    spell = corrector({"care": 900, "neglect": 200, "carers": 400})
    assert spell.correct_word("cre") is None  # three letters: too short to tell
    assert spell.correct_word("neglt") is None  # five letters, two edits from "neglect"
    assert spell.correct_word("carerss") == "carers"


def test_names_acronyms_and_numbers_are_not_candidates():
    text = "Safegaurding in Hackny and the MASH SAFEGAURDING or SGOs since 2019? Supervison in s47 Neglet"
    # The first word of a sentence is any word; a capitalised word inside one is a name.
    assert correctable_words(text) == ["safegaurding", "since", "supervison"]
    assert correctable_words("is it poor? In Supervison again") == ["poor", "again"]
    corrections = corrector().corrections(text)
    assert corrections == [Correction("safegaurding", "safeguarding"), Correction("supervison", "supervision")]
    assert corrections[0].label == "safegaurding read as safeguarding"


def test_a_name_the_reports_print_capitalised_is_not_corrected_when_typed_in_lower_case():
    # "kirkwell" (no English word) is found by the lexical index, but no vocabulary word shares its stem.
    vocabulary = {"kirtle": 4, "irkwell": 3}
    assert corrector(vocabulary, indexed={"kirkwell": 40}).correct_word("kirkwell") is None
    assert corrector(vocabulary).correct_word("kirkwell") == "irkwell"  # were it not found, it would be read so


def test_a_misspelling_found_only_through_a_words_stem_is_still_corrected():
    # The lexical index finds "persistant" as "persist"; its correction shares that stem.
    assert corrector(indexed={"persistant": 30}).correct_word("persistant") == "persistent"


def test_fragments_of_capitalised_words_are_never_a_correction():
    # An older index's vocabulary holds "afeguarding" (of "Safeguarding") and "ackney" (of "Hackney").
    spell = corrector({"afeguarding": 9, "ackney": 6})
    assert spell.is_fragment("afeguarding") and not spell.is_whole_word("afeguarding")
    assert spell.correct_word("safegaurding") is None
    # "shworthy" (of "Ashworthy", no English word) is told from a word only by the lexical index finding none.
    spell = SpellingCorrector({"shworthy": 6}, indexed=lambda word: 0)
    assert not spell.is_whole_word("shworthy") and spell.correct_word("ashworthy") is None
    assert corrector({"shworthy": 6}).correct_word("ashworthy") == "shworthy"  # were it a word, it would be


def test_corrections_replace_whole_words_in_any_case():
    fixes = [Correction("safegaurding", "safeguarding")]
    assert apply_corrections("Safegaurding: safegaurding-led, not safegaurdings", fixes) == (
        "safeguarding: safeguarding-led, not safegaurdings"
    )
    assert apply_corrections("unchanged", []) == "unchanged"


# -- in search ---------------------------------------------------------------------------------------

@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Leeds", [
        "Children who have suffered a bereavement are offered counselling, and a bereavement nurse visits.",
        "Personal advisers help care leavers find housing and keep in touch with them.",
        "Young people say that bereavement counselling came quickly.",
    ], year=2019))
    idx.upsert(make_report("Kent", [
        "Care leavers wait months for bereavement support and counselling.",
        "Managers oversee plans, and supervision is regular.",
        "Return home interviews are offered to children who go missing.",
        "Social workers visit children often and know them well.",
        "Caseloads are manageable for most social workers.",
    ], year=2021, salt="kent"))
    idx.update_thesaurus()
    # Every word is rare and every vocabulary word close: the thesaurus would bridge anything it is asked.
    idx.searcher.settings = SearchSettings(thesaurus_rare=1.0, thesaurus_similarity=-1.0)
    yield idx
    idx.close()


def test_search_reads_the_misspelt_word_searches_both_and_says_so(index):
    response = index.search("bereavment counselling", k=3)
    assert response.reading == (Reading("spelling", "corrected", "bereavment read as bereavement",
                                        ("bereavment", "bereavement")),)
    assert "bereavement" in response.results[0].text
    # The thesaurus is asked neither about the word as typed nor about its correction.
    interpretation = response.interpretation or ""
    assert "(for bereavment)" not in interpretation and "(for bereavement)" not in interpretation
    assert "(for counselling)" in interpretation  # the other word is still bridged


def test_the_lexical_query_holds_the_typed_and_the_corrected_word(index):
    from index.search.read import read
    from index.search.retrieve import retrieve
    from index.search.scope import scope
    from index.search.types import Context, SearchRequest

    searcher = index.searcher
    context = Context(searcher.settings, searcher.corpus)
    question = read(context, SearchRequest("bereavment counselling", SearchFilters(), 3, "hybrid"))
    retrieved = retrieve(context, question, scope(context, question))
    assert '"bereavment"' in retrieved.match and '"bereavement"' in retrieved.match


def test_a_spelling_reading_can_be_ignored(index):
    response = index.search("bereavment counselling", SearchFilters.build(ignore_reading="spelling"), k=3)
    assert [(r.kind, r.effect, r.values) for r in response.reading] == [
        ("spelling", "ignored", ("bereavment", "bereavement"))
    ]
    everything = index.search("bereavment counselling", SearchFilters.build(ignore_reading="all"), k=3)
    assert [r.effect for r in everything.reading] == ["ignored"]


def test_a_correctly_spelt_question_has_no_spelling_reading(index):
    assert index.search("bereavement counselling for care leavers", k=3).reading == ()
