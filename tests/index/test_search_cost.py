"""The bounds on query cost: lexical work capped by posting-list size, and a named year's lists read
off deeper first lists instead of a second search, with the same results."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.settings import SearchSettings
from tests.index.helpers import make_report

TOPICS = ["placement stability", "care leavers housing", "missing children return interviews",
          "child protection conferences", "private fostering arrangements", "supervision of social workers"]
FILLER = ["inspectors", "found", "that", "plans", "are", "reviewed", "regularly", "and", "managers", "track",
          "progress", "well", "although", "some", "records", "lack", "detail"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    rng = random.Random(7)
    idx = ReportIndex.load(tmp_path_factory.mktemp("cost") / "ix", embedder=HashingEmbedder(), create=True)
    for n, authority in enumerate(["Avonshire", "Borsetshire", "Loamshire", "Wessex", "Barsetshire", "Midsomer"]):
        for year in (2014, 2017, 2021):
            passages = []
            for _ in range(15):
                topics = rng.sample(TOPICS, rng.choice([1, 1, 2]))
                words = rng.sample(FILLER, 8) + " ".join(topics).split() + rng.sample(FILLER, 4)
                passages.append(" ".join(words).capitalize() + ".")
            idx.upsert(make_report(authority, passages, year=year, salt=str(n)))
    yield idx
    idx.close()


def _ranked(response):
    return [(r.chunk_id, r.score) for r in response.results]


def test_a_named_years_lists_match_a_second_restricted_search(index, monkeypatch):
    calls = []
    lexical_search = index.store.lexical_search
    monkeypatch.setattr(index.store, "lexical_search", lambda *a: calls.append(a[2]) or lexical_search(*a))
    # First lists shorter than the corpus's matches.
    # The year lists alone: the concepts' list would be one more lexical search.
    monkeypatch.setattr(index.searcher, "settings", SearchSettings(candidates=12, concepts=False))

    read_off = index.search("placement stability in 2017", k=3)
    assert len(calls) == 1 and calls[0] is None  # one lexical scan served both lists
    assert read_off.interpretation and "2017" in read_off.interpretation

    calls.clear()
    # No deeper lists: a second search must run.
    monkeypatch.setattr(index.searcher, "settings", SearchSettings(candidates=12, subset_depth=0, concepts=False))
    searched = index.search("placement stability in 2017", k=3)
    assert len(calls) == 2 and calls[1] is not None
    assert _ranked(searched) == _ranked(read_off)
    assert any(r.citation.inspection_start.startswith("2017") for r in read_off.results)


def test_lexical_work_is_bounded_by_posting_list_size(index, monkeypatch):
    counts = index.store.document_frequencies(["placement", "supervision"])
    both = index.store.count_matches('"placement" AND "supervision"')
    assert 0 < both < min(counts.values())

    # A budget below the rarest term: passages holding all the words are ranked, if few enough.
    monkeypatch.setattr(index.searcher, "settings", SearchSettings(postings_budget=both))
    response = index.search("placement supervision", k=5, retriever="lexical")
    assert "all of" in (response.interpretation or "")
    assert response.results and all(
        "placement" in r.text.lower() and "supervision" in r.text.lower() for r in response.results
    )

    # Below that too: keywords are left out, the question is ranked by meaning, and the user is told.
    monkeypatch.setattr(index.searcher, "settings", replace(index.searcher.settings, postings_budget=both - 1))
    response = index.search("placement supervision", k=5)
    assert response.results
    assert "ranked by meaning" in (response.interpretation or "")
    assert all(r.lexical_rank is None for r in response.results)
