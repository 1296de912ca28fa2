"""Each passage's words by sentence (index/passage_words.py): written by the index when its passages
change, equal to splitting the passage at query time, never used stale or from another definition,
and the learned stage's features the same either way."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from index import lexical, passage_words
from index.embed import HashingEmbedder
from index.rank_features import CandidatePassage, QuestionFacts, features, passage_stems
from index.report_index import ReportIndex
from tests.index.helpers import make_report

PASSAGES = [
    "Managers' oversight is visible. Supervision is regular and reflective!\n1. Plans are SMART.",
    "Care leavers’ pathway plans (PPs) are up to date? Most are. Some are not — “too late”.",
    "— … —",  # no word at all
    "İstanbul-born Émile’s carers visit 12 times a year; e.g. the IRO visits too. Dr. Smith agrees.",
    "",
]


@pytest.fixture()
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Avonshire", PASSAGES, year=2019))
    idx.upsert(make_report("Borsetshire", PASSAGES[:2] + ["Return home interviews are offered."], year=2021))
    idx.save()
    yield idx
    idx.close()


def _texts(idx) -> dict[int, str]:
    return dict(idx.store.db.execute("SELECT id, text FROM chunks").fetchall())


def test_saved_words_equal_the_passages_split_now(index):
    words = passage_words.load(index.directory, lexical.store_signature(index.store.db))
    assert words is not None
    texts = _texts(index)
    assert list(words.rowids) == sorted(texts)
    for chunk_id, text in texts.items():
        assert words.of(chunk_id) == passage_words.sentence_words(text)
    assert words.of(max(texts) + 1) is None and words.of(-1) is None
    assert words.word_ids.dtype == np.uint16
    got = index.searcher.corpus.sentences_of([*texts, 10_000])
    assert set(got) == set(texts) and all(got[c] == passage_words.sentence_words(t) for c, t in texts.items())


def test_the_stems_are_shared_strings_of_the_vocabulary(index):
    words = passage_words.load(index.directory)
    first, second = (words.of(int(c)) for c in words.rowids[:2])
    shared = {id(w) for s in first for w in s} & {id(w) for s in second for w in s}
    assert shared  # "are", "plans"... the same objects in both passages


def test_a_changed_index_writes_them_again_and_never_reads_stale_ones(index):
    index.upsert(make_report("Loamshire", ["Foster carers are recruited. They stay."], year=2023))
    now = lexical.store_signature(index.store.db)
    assert passage_words.load(index.directory, now) is None
    assert index.searcher.corpus.sentences_of(list(_texts(index))) == {}  # split per candidate meanwhile
    index.save()
    words = passage_words.load(index.directory, now)
    assert words is not None and len(words.rowids) == len(_texts(index))


def test_another_definition_or_format_or_damage_is_not_used_and_a_writer_replaces_it(index):
    meta = index.directory / passage_words.FOLDER / "meta.json"
    original = meta.read_text()
    meta.write_text(original.replace('"definition": "', '"definition": "older '))
    assert passage_words.load(index.directory) is None
    assert passage_words.refresh(index.store.db, index.directory)
    assert passage_words.load(index.directory) is not None
    (index.directory / passage_words.FOLDER / "word_ids.npy").write_bytes(b"not an array")
    assert passage_words.load(index.directory) is None


def test_a_reader_without_them_splits_candidates_and_writes_nothing(tmp_path, index):
    index.close()
    shutil.rmtree(index.directory / passage_words.FOLDER)
    reader = ReportIndex.load(index.directory, embedder=HashingEmbedder(), read_only=True)
    try:
        assert reader.searcher.corpus.sentences_of([1, 2]) == {}
        assert reader.search("supervision of managers").results
        assert not (index.directory / passage_words.FOLDER).exists()
    finally:
        reader.close()


def test_features_are_the_same_from_saved_words_as_from_the_text(index):
    texts = _texts(index)
    words = passage_words.load(index.directory)
    question = QuestionFacts(topic="care leavers pathway plans visits", term_weights={
        "care": 1.0, "leavers": 2.0, "pathway": 3.0, "plans": 1.5, "visits": 2.5, "care leavers": 4.0})

    def candidates(with_words: bool) -> list[CandidatePassage]:
        return [CandidatePassage(chunk_id=c, text=t, fused_rank=i + 1, fused_score=1.0 / (i + 1), list_ranks={},
                                 list_scores={}, cosine=0.5, sentences=words.of(c) if with_words else None)
                for i, (c, t) in enumerate(sorted(texts.items()))]

    assert np.array_equal(features(question, candidates(True)), features(question, candidates(False)))
    blank = [CandidatePassage(**{**c.__dict__, "sentences": (("nothing",),)}) for c in candidates(False)]
    assert not np.array_equal(features(question, blank), features(question, candidates(False)))  # they are read
    for chunk_id, text in texts.items():
        assert passage_stems(text, words.of(chunk_id)) == passage_stems(text)
