"""The corpus thesaurus: its vocabulary, its neighbours, how the index keeps it, and its use in search."""

from __future__ import annotations

import numpy as np
import pytest

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.settings import SearchSettings
from index.thesaurus import Thesaurus, opposite, proposes, vocabulary
from tests.index.helpers import make_report


def test_vocabulary_counts_passages_and_leaves_out_names_and_rare_words():
    texts = [
        "Bereavement support is offered. Mr Smith visits.",
        "bereavement counselling helps; Smith agrees.",
        "Children receive bereavement help in Roughton.",
        "children's views count",
    ]
    counts = vocabulary(texts, min_passages=2)
    assert counts["bereavement"] == 2  # the capitalised one at a sentence start is not counted
    assert "smith" not in counts and "Smith" not in counts  # a name is printed capitalised
    assert "roughton" not in counts
    assert "children" not in counts  # in one passage only ("children's"; "Children" is capitalised)
    assert all(w.isalpha() and w.islower() for w in counts)
    # A capitalised word is skipped whole, not read from its second letter ("mith", "oughton").
    assert not {"mith", "oughton", "ereavement", "hildren"} & set(counts)


def test_a_neighbour_is_never_the_words_opposite_nor_a_word_the_caller_refuses():
    words = ["legal", "lawful", "lements"]
    vectors = np.stack([_unit(1, 0, 0), _unit(1, 0.2, 0), _unit(1, 0.1, 0)])
    found = Thesaurus(words, np.array([30, 10, 5]), vectors, n_passages=1000)
    related = found.related(["illegal"], _unit(1, 0, 0)[None, :], min_similarity=0.6, per_word=3,
                            keep=lambda word: word != "lements")
    assert related[0].neighbours == ("lawful",)  # "legal" is "illegal"'s opposite; "lements" is refused
    assert opposite("illegal", "legal") and opposite("safe", "unsafe") and not opposite("lawful", "legal")
    assert not proposes("illegal", "legal", 0.9, 0.82) and proposes("abroad", "overseas", 0.9, 0.82)
    assert not proposes("abroad", "overseas", 0.8, 0.82)


def _unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _thesaurus() -> Thesaurus:
    words = ["bereavement", "bereaved", "grieve", "overseas", "children"]
    vectors = np.stack([
        _unit(1, 0.1, 0), _unit(1, 0.12, 0), _unit(1, 0.0, 0.05), _unit(0, 1, 0), _unit(0.7, 0.7, 0)
    ])
    return Thesaurus(words, np.array([8, 4, 3, 40, 950]), vectors, n_passages=1000)


def test_neighbours_are_close_not_own_inflections_not_common_and_one_per_stem():
    related = _thesaurus().related(["grieving"], _unit(1, 0.1, 0)[None, :], min_similarity=0.6, per_word=3)
    assert len(related) == 1 and related[0].word == "grieving"
    # "grieve" is the word's own stem (the lexical index matches it already); "bereaved" shares
    # "bereavement"'s stem; "children" is in 95% of passages.
    assert related[0].neighbours == ("bereavement",)


def test_nothing_below_the_similarity_floor():
    found = _thesaurus().related(["abroad"], _unit(0.3, -1, 1)[None, :], min_similarity=0.6)
    assert found == []
    assert _thesaurus().related(["abroad"], _unit(0.05, 1, 0)[None, :], min_similarity=0.6)[0].neighbours == (
        "overseas",
    )


def test_an_empty_thesaurus_finds_nothing():
    empty = Thesaurus([], np.zeros(0), np.zeros((0, 4), dtype=np.float32), n_passages=0)
    assert len(empty) == 0 and empty.related(["grieving"], _unit(1, 0, 0, 0)[None, :], min_similarity=0.6) == []


class SynonymEmbedder(HashingEmbedder):
    """The fake embedder, except that a few single words share one vector, as near-synonyms do."""

    GROUPS = ({"grieving", "bereavement"},)

    def encode(self, texts, batch_size: int = 32):
        out = super().encode(texts, batch_size)
        for row, text in enumerate(texts):
            for number, group in enumerate(self.GROUPS):
                if text.strip().lower() in group:
                    out[row] = 0
                    out[row, number] = 1.0
        return out


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=SynonymEmbedder(), create=True)
    idx.upsert(make_report("Leeds", [
        "Children who have suffered a bereavement are offered counselling, and a bereavement nurse visits.",
        "Personal advisers help care leavers find housing and keep in touch with them.",
        "Caseloads are manageable and social workers know their children well.",
        "Young people say that bereavement counselling came quickly.",
    ], year=2019))
    idx.upsert(make_report("Kent", [
        "Return home interviews are offered to children who go missing, but many are late.",
        "Care leavers wait months for bereavement support and counselling.",
        "Managers oversee plans, and supervision is regular.",
    ], year=2021, salt="kent"))
    yield idx
    idx.close()


def test_the_index_keeps_its_vocabulary_and_embeds_each_word_once(index):
    assert index.update_thesaurus() > 0
    assert index.searcher.corpus_thesaurus().passages_with("bereavement") == 3
    assert index.update_thesaurus() == 0  # up to date: nothing is embedded again
    before = index.store.words_with_vectors()
    york = make_report("York", ["Placements overseas for children are checked and counselling is quick.",
                                "Overseas visits are made.", "Visits overseas are made.",
                                "Checks overseas are made."], year=2022)
    index.upsert(york)
    embedded = index.update_thesaurus()
    new = index.store.words_with_vectors() - before
    assert "overseas" in new and "counselling" not in new and embedded == len(new)
    assert index.searcher.corpus_thesaurus().passages_with("overseas") == 3  # not the capitalised one
    index.delete(max(index.store.documents()))
    index.update_thesaurus()
    assert index.searcher.corpus_thesaurus().passages_with("overseas") == 0  # it went with its report
    index.upsert(york)
    assert index.update_thesaurus() == 0  # its words kept their vectors: nothing is embedded again
    assert index.searcher.corpus_thesaurus().passages_with("overseas") == 3


def test_a_report_indexed_twice_counts_its_passages_once(index):
    index.update_thesaurus()
    counts = index.searcher.corpus_thesaurus().passages_with("bereavement")
    index.upsert(make_report("Leeds", [
        "Children who have suffered a bereavement are offered counselling, and a bereavement nurse visits.",
        "Young people say that bereavement counselling came quickly.",
    ], year=2020, salt="again"))
    assert index.update_thesaurus() == 0
    assert index.searcher.corpus_thesaurus().passages_with("bereavement") == counts


def test_a_question_in_everyday_words_finds_the_reports_word(index):
    index.update_thesaurus()
    response = index.search("support for grieving children", k=3)
    assert "bereavement" in response.results[0].text.lower()
    assert "also searched: bereavement (for grieving)" in response.interpretation


def test_the_thesaurus_can_be_turned_off(index):
    index.update_thesaurus()
    index.searcher.settings = SearchSettings(thesaurus_similarity=None)
    response = index.search("support for grieving children", k=3)
    assert "also searched" not in (response.interpretation or "")


def test_a_vocabulary_word_is_looked_up_not_embedded_again(index):
    index.update_thesaurus()
    # Every word counts as rare here, so both are looked up.
    index.searcher.settings = SearchSettings(thesaurus_rare=1.0)
    encoded: list[str] = []
    encode = index.embedder.encode
    index.embedder.encode = lambda texts, batch_size=32: (encoded.extend(texts), encode(texts, batch_size))[1]
    index.search("bereavement for grieving", k=3)
    assert "grieving" in encoded and "bereavement" not in encoded
    encoded.clear()
    index.search("support for grieving", k=3)  # a word embedded once is kept: only the question is embedded
    assert "grieving" not in encoded and len(encoded) >= 1
