"""The learned ranking stage and the concepts' list, alone over a fake CorpusView."""

from __future__ import annotations

import csv
import logging

import numpy as np
import pytest

from index.concepts import ConceptVocabulary
from index.rank_features import FEATURE_NAMES, LIST_NAMES
from index.search.rank import ConceptRanker
from index.search.rerank import LearnedRanker
from index.search.types import CONCEPTS, DENSE, LEXICAL, RankedList, Ranking, Retrieved, Scope
from index.search.types import LIST_NAMES as STAGE_LISTS
from index.tree_model import TreeEnsemble
from tests.index.search.fakes import FakeCorpus, chunk, context, doc, question

TEXTS = {
    1: "The council's offices are in the town centre.",
    2: "Return home interviews are offered to every child who goes missing, and their quality is good.",
    3: "Leaders know the service well. Children are seen.",
}


@pytest.fixture()
def corpus() -> FakeCorpus:
    docs = [doc(10, "Leeds", 2019), doc(11, "Leeds", 2023)]
    chunks = [chunk(cid, 10 if cid < 3 else 11, text) for cid, text in TEXTS.items()]
    vectors = {1: [1.0, 0.0], 2: [0.6, 0.8], 3: [0.0, 1.0]}
    return FakeCorpus(docs, chunks, vectors)


def _ranking() -> Ranking:
    dense = RankedList(DENSE, 1.0, ((1, 0.9), (3, 0.5), (2, 0.4)))
    lexical = RankedList(LEXICAL, 1.0, ((2, 9.0), (1, 1.0)))
    return Ranking(items=((1, 0.3), (3, 0.2), (2, 0.1)), lists=(dense, lexical), fused=True)


def _retrieved(concepts: tuple = ()) -> Retrieved:
    return Retrieved(lists=_ranking().lists, match='"return"', vector=np.asarray([1.0, 0.0]), notes=(),
                     concepts=concepts)


def _coverage_model(tmp_path) -> str:
    """A one-split ensemble that ranks by the share of the question's weight a passage covers."""
    at = FEATURE_NAMES.index("cover_idf")
    dump = {"feature_names": list(FEATURE_NAMES), "tree_info": [{"tree_structure": {
        "split_feature": at, "threshold": 0.5, "decision_type": "<=", "default_left": True, "missing_type": "None",
        "left_child": {"leaf_value": -1.0}, "right_child": {"leaf_value": 1.0}}}]}
    path = tmp_path / "model.json"
    TreeEnsemble.from_lightgbm_dump(dump).save(path)
    return str(path)


def _rank(corpus, tmp_path=None, stage=None, retriever="hybrid", **settings) -> Ranking:
    stage = stage or LearnedRanker()
    q = question("return home interviews for missing children", corpus, retriever=retriever)
    if tmp_path is not None:
        settings.setdefault("rerank_model", _coverage_model(tmp_path))
    settings.setdefault("rerank_min_passages", 0)
    return stage.rank(context(corpus, **settings), q, Scope(None, None, None, ()), _retrieved(), _ranking())


def test_the_lists_it_reads_are_the_stages_lists() -> None:
    assert LIST_NAMES == STAGE_LISTS


def test_the_model_moves_the_answering_passage_first(corpus, tmp_path) -> None:
    assert _rank(corpus, tmp_path).ids == [2, 1, 3]  # ties keep fusion's order


def test_only_the_top_depth_is_reordered(corpus, tmp_path) -> None:
    assert _rank(corpus, tmp_path, rerank_depth=2).ids == [1, 3, 2]


def test_a_single_retriever_is_left_alone(corpus, tmp_path) -> None:
    assert _rank(corpus, tmp_path, retriever="lexical").ids == [1, 3, 2]


def test_a_small_index_keeps_fusions_order(corpus, tmp_path) -> None:
    assert _rank(corpus, tmp_path, rerank_min_passages=4).ids == [1, 3, 2]  # the fake holds 3 passages


def test_without_a_model_fusion_stands_and_it_is_logged_once(corpus, tmp_path, caplog) -> None:
    stage = LearnedRanker()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert _rank(corpus, stage=stage, rerank_model=str(tmp_path / "missing.json")).ids == [1, 3, 2]
    assert sum("learned ranking stage off" in r.message for r in caplog.records) == 1
    assert _rank(corpus, stage=stage, rerank_model=None).ids == [1, 3, 2]


def test_the_recorder_gets_every_candidate_with_its_features(corpus) -> None:
    stage = LearnedRanker()
    seen = []
    stage.recorder = seen.append
    assert _rank(corpus, stage=stage, rerank_model=None).ids == [1, 3, 2]
    candidates, rows = seen[0]
    assert [c.chunk_id for c in candidates] == [1, 3, 2]
    assert rows.shape == (3, len(FEATURE_NAMES))
    assert candidates[2].list_ranks == {"dense": 3, "lexical": 1}
    assert candidates[2].cosine == pytest.approx(0.6)
    assert [c.latest_of_authority for c in candidates] == [False, True, False]  # chunk 3 is of 2023's report
    column = {name: rows[:, i] for i, name in enumerate(FEATURE_NAMES)}
    assert column["cover_idf"][0] == 0.0 and column["cover_idf"][2] > 0.5
    assert column["pair_share"][2] > 0  # "return home", "home interviews" stand together
    assert column["fused_rank_inv"].tolist() == pytest.approx([1.0, 0.5, 1 / 3])
    assert column["rr_lexical"].tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert not np.isnan(rows).any()


def _vocabulary(tmp_path) -> ConceptVocabulary:
    path = tmp_path / "concepts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "concept", "sector_terms", "everyday_terms", "ambiguous_terms", "context_words",
                         "source"])
        writer.writerow(["missing", "Children missing from home", "return home interviews | missing episodes",
                         "kids running away", "", "", "guidance"])
    return ConceptVocabulary.load(path)


def test_the_concepts_list_is_fused_in_below_the_question(corpus, tmp_path) -> None:
    concept = _vocabulary(tmp_path).concepts[0]
    q = question("kids running away", corpus)
    retrieved = _retrieved((concept,))
    out = ConceptRanker().rank(context(corpus), q, Scope(None, None, None, ()), retrieved, _ranking())
    assert [ranked.name for ranked in out.lists] == [DENSE, LEXICAL, CONCEPTS]
    assert out.lists[-1].weight == pytest.approx(0.3) and out.lists[-1].ids == [2]
    assert 'return home interviews' in corpus.searched[-1]
    unchanged = ConceptRanker().rank(context(corpus, concept_weight=0.0), q, Scope(None, None, None, ()),
                                     retrieved, _ranking())
    assert unchanged == _ranking()
