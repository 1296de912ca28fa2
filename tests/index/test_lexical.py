"""The in-memory BM25 (index/lexical.py) ranks exactly as FTS5 does, is written by the index when its
passages change, is never used stale, and leaves what it cannot score to FTS5."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest

from index import lexical
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import SearchFilters
from index.tokenize import fts_all, fts_any
from tests.index.helpers import make_report

WORDS = ("child", "children's", "protection", "plan", "plans", "planning", "social", "worker", "workers", "visit",
         "visits", "neglect", "neglected", "strategy", "discussion", "care", "leaver", "leavers", "café", "cafe",
         "foster", "carer", "carers", "the", "and", "of", "management", "oversight", "supervision", "MASH",
         "2019", "12", "well-being", "wellbeing", "exploitation", "missing", "return", "home", "interviews")
SECTIONS = ("Help and protection", "Children in care", "Care leavers", "Leadership and management")


def _passage(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60))) + "."


def _build(directory) -> ReportIndex:
    rng = random.Random(7)
    idx = ReportIndex.load(directory, embedder=HashingEmbedder(), create=True)
    for i, name in enumerate(("Avonshire", "Borsetshire", "Ambridge", "Felpersham", "Barsetshire")):
        passages = [_passage(rng) for _ in range(29)] + ["— … —"]  # a passage without a token is a row too
        idx.upsert(make_report(name, passages, year=2015 + i, sections=[SECTIONS[j % 4] for j in range(30)]))
    idx.save()
    return idx


@pytest.fixture()
def index(tmp_path):
    idx = _build(tmp_path / "ix")
    yield idx
    idx.close()


def _scorer(idx) -> lexical.LexicalScorer:
    postings = lexical.load(idx.directory, lexical.store_signature(idx.store.db))
    assert postings is not None
    return lexical.LexicalScorer(postings)


EXPRESSIONS = [
    fts_any(["child"]), fts_any(["neglect", "strategy discussion"]), fts_any(["care leavers", "café", "2019"]),
    fts_any(["the", "and"]),  # in over half the passages: FTS5 floors their IDF
    fts_any(["social worker", "visits", "social worker"]),  # a phrase twice counts twice, as in FTS5
    fts_any(["children's", "well-being"]),  # FTS5 splits these into phrases of two tokens
    fts_any(["nowhere", "zzz"]), fts_any(["management oversight", "supervision", "MASH", "return home interviews"]),
    # All of them: bm25 sums over the phrases as for OR; a phrase twice, or without a token, as FTS5 has it.
    fts_all(["child", "plan"]), fts_all(["care leavers", "social worker", "the"]), fts_all(["visits", "visits"]),
    fts_all(["neglect", "nowhere"]), fts_all(["neglect", "— … —"]), fts_all(["children's", "protection plan"]),
    # Both (a feedback list adds words to a conjunction): AND binds first.
    fts_all(["child", "plan"]) + " OR " + fts_any(["neglect", "café"]),
    fts_any(["visits"]) + " OR " + fts_all(["social worker", "the"]) + " OR " + fts_all(["nowhere", "child"]),
]


@pytest.mark.parametrize("match", EXPRESSIONS)
def test_the_in_memory_ranking_equals_fts5s(index, match):
    scorer = _scorer(index)
    docs = sorted(index.searcher.documents())
    for allowed_docs, kind in ((None, None), (docs[:2], None), (docs[3:], None)):
        expected = index.store.lexical_search(match, 40, allowed_docs, kind)
        allowed = None if allowed_docs is None else index.store.chunk_ids_for_documents(allowed_docs)
        found = scorer.search(match, 40, allowed)
        assert [cid for cid, _ in found] == [cid for cid, _ in expected]
        assert np.allclose([s for _, s in found], [s for _, s in expected], rtol=1e-12, atol=0)


def test_a_disjunction_that_extends_a_remembered_one_sums_to_the_same_bits(index):
    first = ["neglect", "strategy discussion", "the"]
    more = ["visits", "management oversight"]
    fresh = _scorer(index).scores(first + more)  # nothing remembered
    scorer = _scorer(index)
    scorer.scores(first)
    scorer.scores(["neglect"])  # a shorter prefix: the longest one is used
    added, add = [], scorer._add
    scorer._add = lambda total, phrases: (added.append(tuple(phrases)), add(total, phrases))
    extended = scorer.scores(first + more)
    assert added == [tuple(more)]  # only the phrases beyond the remembered prefix were scored
    assert extended.tobytes() == fresh.tobytes()
    assert scorer.scores(first).tobytes() != extended.tobytes()  # what was remembered did not change
    assert scorer.scores(first + more) is extended and added == [tuple(more)]  # asked again: nothing scored
    with pytest.raises(ValueError):
        extended[0] = 1.0  # a remembered array is read-only
    for i in range(lexical.SUMS_KEPT + 3):
        scorer.scores([f"word{i}"])
    assert len(scorer._sums) == lexical.SUMS_KEPT


def test_the_postings_hold_fts5s_tokens_and_sizes(index):
    postings = lexical.load(index.directory)
    assert postings is not None and postings.n_rows == index.store.counts()["chunks"]
    assert "protect" in set(postings.terms.tolist())  # Porter stems, as FTS5 stores them
    assert "cafe" in set(postings.terms.tolist()) and "café" not in set(postings.terms.tolist())  # diacritics
    assert list(postings.terms) == sorted(postings.terms)


def test_only_quoted_phrases_joined_by_or_and_and_are_scored_in_memory(index):
    scorer = _scorer(index)
    assert scorer.handles(fts_any(["a", "b c"])) and scorer.handles(fts_all(["child", "plan"]))
    assert scorer.handles(fts_all(["child", "plan"]) + " OR " + fts_any(["care"]))
    for other in ('"child" NEAR "plan"', '("child" OR "plan") AND "care"', '"child" NOT "plan"', "child plan"):
        assert not scorer.handles(other)
        with pytest.raises(ValueError, match="not quoted phrases"):
            scorer.search(other, 10)


@pytest.mark.parametrize("match", EXPRESSIONS)
def test_counts_off_the_postings_equal_fts5s(index, match):
    assert _scorer(index).count(match) == index.store.count_matches(match)
    assert index.searcher.corpus.count_matches(match) == index.store.count_matches(match)


def test_searches_use_the_postings_and_give_fts5s_results(index, monkeypatch):
    searched_by_sqlite = []
    original = index.store.lexical_search

    def recorded(*args, **kwargs):
        searched_by_sqlite.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(index.store, "lexical_search", recorded)
    response = index.search("neglect strategy discussion", retriever="lexical")
    assert response.results and not [a for a in searched_by_sqlite if " " not in a[0].strip('"')]
    # Only multi-word phrases go to FTS5 (their own bm25, then remembered): "strategy discussion" here.
    assert all(a[0].count('"') == 2 for a in searched_by_sqlite)


def test_a_changed_index_writes_its_postings_again_and_never_reads_stale_ones(index):
    before = lexical.saved_signature(index.directory)
    index.upsert(make_report("Loamshire", ["foster carers quitting and recruitment of new carers"], year=2023))
    now = lexical.store_signature(index.store.db)
    assert before != now
    assert lexical.load(index.directory, now) is None  # stale: the searcher uses FTS5 meanwhile
    response = index.search("recruitment of carers", retriever="lexical")
    assert response.results and "recruitment" in response.results[0].text
    index.save()
    assert lexical.saved_signature(index.directory) == now
    assert lexical.load(index.directory, now) is not None
    response = index.search("recruitment of carers", retriever="lexical")
    assert response.results and "recruitment" in response.results[0].text


def test_a_read_only_index_without_postings_searches_by_fts5(tmp_path):
    index = _build(tmp_path / "own")
    index.close()
    shutil.rmtree(index.directory / lexical.FOLDER)
    reader = ReportIndex.load(index.directory, embedder=HashingEmbedder(), read_only=True)
    try:
        assert reader.searcher.corpus.lexical_scorer() is None
        assert reader.search("neglect", retriever="lexical").results
        assert not (index.directory / lexical.FOLDER).exists()  # a reader writes nothing
    finally:
        reader.close()
    writer = ReportIndex.load(index.directory, embedder=HashingEmbedder())
    writer.close()  # any writer brings them back
    assert lexical.load(index.directory) is not None


def test_the_postings_map_each_passage_to_its_report(index):
    postings = lexical.load(index.directory)
    ids, docs = index.store.chunk_documents()
    assert np.array_equal(postings.rowids, ids) and np.array_equal(postings.doc_ids, docs)
    assert np.array_equal(index.searcher.corpus.chunk_map()[1], docs)


def test_an_empty_index_has_empty_postings(tmp_path):
    idx = ReportIndex.load(tmp_path / "empty", embedder=HashingEmbedder(), create=True)
    idx.close()
    postings = lexical.load(tmp_path / "empty")
    assert postings is not None and postings.n_rows == 0
    scorer = lexical.LexicalScorer(postings, lambda p: [])
    assert scorer.search(fts_any(["child"]), 10) == []


def test_postings_of_another_format_are_written_again(index):
    meta = index.directory / lexical.FOLDER / "meta.json"
    meta.write_text(meta.read_text().replace(f'"format": {lexical.FORMAT_VERSION}', '"format": 0'))
    assert lexical.load(index.directory) is None and lexical.saved_signature(index.directory) is None
    assert lexical.refresh(index.store.db, index.directory)
    assert lexical.load(index.directory) is not None


def test_a_damaged_postings_folder_is_not_used(index):
    (index.directory / lexical.FOLDER / "rows.npy").write_bytes(b"not an array")
    assert lexical.load(index.directory) is None
    assert index.search("neglect", SearchFilters(), retriever="lexical").results


def test_word_and_stem_counts_off_the_postings_equal_fts5s(index):
    corpus = index.searcher.corpus
    assert corpus.lexical_scorer() is not None
    words = ["child", "children's", "planning", "café", "mash", "nowhere", "2019", "well-being", "the"]
    assert corpus.doc_freqs(words) == index.store.document_frequencies(words)
    stems = {"plan", "protect", "cafe", "zzz", "children"}
    assert corpus.stem_counts(stems) == index.store.stem_document_counts(stems)


@pytest.mark.parametrize("phrase", ["care leavers", "social worker", "children's", "the child",
                                    "return home interviews", "protection plan", "child child", "nowhere near"])
def test_a_phrase_is_found_in_memory_where_fts5_finds_it(index, phrase):
    """Side by side, in order, within one column (a section heading's words too), as FTS5 matches it."""
    scorer = _scorer(index)
    assert scorer.passages_with(phrase) == index.store.count_matches(f'"{phrase}"')
    expected = index.store.lexical_search(f'"{phrase}"', 1000)
    found = scorer.search(f'"{phrase}"', 1000)
    assert [cid for cid, _ in found] == [cid for cid, _ in expected]
    assert np.allclose([s for _, s in found], [s for _, s in expected], rtol=1e-12, atol=0)


def test_the_postings_are_compact_and_a_phrase_never_runs_across_passages_or_columns(tmp_path):
    """32-bit occurrence keys and one-byte counts (a key moved back or on by a phrase's length must not
    land on another passage's or column's occurrence): the phrases that would span two stay unmatched,
    as in FTS5."""
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    try:
        passages = ["alpha beta", "gamma delta epsilon", "zeta " * 40 + "eta", "theta"]
        idx.upsert(make_report("Avonshire", passages, sections=["Care leavers", "Care leavers", "Iota", "Kappa"]))
        idx.save()
        postings = lexical.load(idx.directory, lexical.store_signature(idx.store.db))
        assert postings is not None
        assert postings.inst_keys.dtype == np.uint32
        assert postings.text_tf.dtype == postings.section_tf.dtype == np.uint8
        assert postings.text_tf.max() == 40  # "zeta" 40 times in one passage
        scorer = lexical.LexicalScorer(postings)
        for phrase, found in (("beta gamma", 0), ("leavers alpha", 0), ("leavers gamma", 0), ("eta kappa", 0),
                              ("eta theta", 0), ("iota zeta", 0), ("alpha beta", 1), ("care leavers", 2),
                              ("zeta zeta zeta", 1), ("zeta eta", 1), ("delta epsilon", 1)):
            assert scorer.passages_with(phrase) == index_matches(idx, phrase) == found, phrase
    finally:
        idx.close()


def index_matches(idx: ReportIndex, phrase: str) -> int:
    return idx.store.count_matches(f'"{phrase}"')


def test_phrases_tokenised_together_get_the_tokens_each_gets_alone():
    phrases = ["care leavers", "children's well-being", "— … —", "café", "care leavers", "MASH 2019"]
    together = lexical.Tokenizer()
    together.learn(phrases)
    alone = lexical.Tokenizer()
    for phrase in phrases:
        assert together.tokens(phrase) == alone.tokens(phrase)
    assert together.tokens("children's well-being") == ("children", "s", "well", "be")
    assert together.tokens("— … —") == ()


def test_an_index_too_large_for_32_bit_keys_finds_the_same_phrases_with_64_bit_ones(index, monkeypatch):
    """Above about 250,000 passages the occurrence keys are 64-bit: phrases, searches and counts stay FTS5's."""
    monkeypatch.setattr(lexical, "UINT32_KEYS_UP_TO", 1 << 10)  # this small index's keys go past it
    postings = lexical.build(index.store.db)
    assert postings.inst_keys.dtype == np.int64
    scorer = lexical.LexicalScorer(postings)
    for phrase in ("care leavers", "social worker", "return home interviews", "the child", "nowhere near"):
        assert scorer.passages_with(phrase) == index.store.count_matches(f'"{phrase}"'), phrase
    for expression in EXPRESSIONS:
        expected = index.store.lexical_search(expression, 1000)
        found = scorer.search(expression, 1000)
        assert [cid for cid, _ in found] == [cid for cid, _ in expected], expression
        assert np.allclose([s for _, s in found], [s for _, s in expected], rtol=1e-12, atol=0)


def test_the_same_read_only_passages_are_looked_up_once_and_other_ones_afresh(index, monkeypatch):
    """A question's lists share its filter's passages (read-only, from the corpus view): their rows are
    found once; a writable array is never remembered (its owner may change it)."""
    scorer = _scorer(index)
    docs = sorted(index.searcher.documents())
    looked: list[int] = []
    original = lexical.Postings.positions_of

    def positions_of(self, ids):
        looked.append(len(ids))
        return original(self, ids)

    monkeypatch.setattr(lexical.Postings, "positions_of", positions_of)
    first, second = (np.array(index.store.chunk_ids_for_documents(d)) for d in (docs[:2], docs[2:4]))
    first.flags.writeable = second.flags.writeable = False
    for allowed in (first, second):
        for match in EXPRESSIONS[:4]:
            expected = index.store.lexical_search(match, 40, docs[:2] if allowed is first else docs[2:4], None)
            assert [cid for cid, _ in scorer.search(match, 40, allowed)] == [cid for cid, _ in expected]
    assert looked == [len(first), len(second)]
    writable = np.array(first)
    scorer.search(EXPRESSIONS[0], 40, writable)
    scorer.search(EXPRESSIONS[0], 40, writable)
    assert looked[2:] == [len(first), len(first)]


def test_a_warmed_searcher_reads_no_areas_and_scores_no_concept_phrase_at_query_time(index, monkeypatch):
    """Searcher.warm (a server's start): each judgement area's and section kind's passages and the
    concepts' phrases are ready before the first question, and the answers are the same."""
    question = "what support do care leavers and children in need get?"
    cold = index.search(question, SearchFilters(), k=10)
    index.searcher.refresh()
    index.searcher.warm()
    scorer = index.searcher.corpus.lexical_scorer()
    assert "children in need" in scorer._kept and "care leavers" in scorer._kept
    for name in ("chunk_ids_in_sections_like", "kind_chunk_ids"):
        monkeypatch.setattr(index.store, name, lambda *a, name=name: pytest.fail(f"{name} at query time"))
    scored, original = [], lexical.Postings.phrase_postings

    def phrase_postings(self, tokens):
        scored.append(tuple(tokens))
        return original(self, tokens)

    monkeypatch.setattr(lexical.Postings, "phrase_postings", phrase_postings)
    warm = index.search(question, SearchFilters(), k=10)
    assert [(r.chunk_id, r.score) for r in warm.results] == [(r.chunk_id, r.score) for r in cold.results]
    concept_phrases = {scorer.tokenizer.tokens(p) for p in scorer._kept}
    assert scored and not concept_phrases & set(scored)  # the question's own word pairs only
