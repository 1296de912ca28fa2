"""The learned ranking stage alone: a fake index's passages, a tiny trained model, fusion kept without one."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from index.rank_features import FEATURE_NAMES, QuestionFacts, features
from index.rerank import LearnedRanker, PassageFacts, RerankInput
from index.tree_model import TreeEnsemble

TEXTS = {
    1: "The council's offices are in the town centre.",
    2: "Return home interviews are offered to every child who goes missing, and their quality is good.",
    3: "Leaders know the service well. Children are seen.",
}


def _read(ids: list[int]) -> list[PassageFacts]:
    return [PassageFacts(chunk_id=i, doc_id=10 + i, text=TEXTS[i], kind="findings", page=3, cosine=0.3,
                         is_summary=False, in_area=False, report_year=2019, latest_of_authority=False) for i in ids]


def _question() -> QuestionFacts:
    return QuestionFacts(topic="return home interviews missing children",
                         term_weights={"return": 2.0, "home": 1.0, "interviews": 2.5, "missing": 3.0, "children": 0.1})


def _given() -> RerankInput:
    ranked = [(1, 0.3), (3, 0.2), (2, 0.1)]
    return RerankInput(_question(), ranked, {"dense": ranked, "lexical": [(2, 9.0), (1, 1.0)]})


def _coverage_model(tmp_path) -> str:
    """A one-split ensemble that ranks by the share of the question's weight a passage covers."""
    at = FEATURE_NAMES.index("cover_idf")
    dump = {"feature_names": list(FEATURE_NAMES), "tree_info": [{"tree_structure": {
        "split_feature": at, "threshold": 0.5, "decision_type": "<=", "default_left": True, "missing_type": "None",
        "left_child": {"leaf_value": -1.0}, "right_child": {"leaf_value": 1.0}}}]}
    path = tmp_path / "model.json"
    TreeEnsemble.from_lightgbm_dump(dump).save(path)
    return str(path)


def test_the_model_moves_the_answering_passage_first(tmp_path) -> None:
    stage = LearnedRanker(_read)
    out = stage.rerank(_given(), _coverage_model(tmp_path), depth=50)
    assert [cid for cid, _ in out] == [2, 1, 3]  # ties keep fusion's order


def test_only_the_top_depth_is_reordered(tmp_path) -> None:
    stage = LearnedRanker(_read)
    out = stage.rerank(_given(), _coverage_model(tmp_path), depth=2)
    assert [cid for cid, _ in out] == [1, 3, 2]


def test_without_a_model_fusion_stands_and_it_is_logged_once(tmp_path, caplog) -> None:
    stage = LearnedRanker(_read)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert stage.rerank(_given(), str(tmp_path / "missing.json"), 50) == list(_given().ranked)
    assert sum("learned ranking stage off" in r.message for r in caplog.records) == 1
    assert stage.rerank(_given(), None, 50) == list(_given().ranked)


def test_the_recorder_gets_every_candidate_with_its_features() -> None:
    stage = LearnedRanker(_read)
    seen = []
    stage.recorder = seen.append
    assert stage.rerank(_given(), None, 50) == list(_given().ranked)
    candidates, rows = seen[0]
    assert [c.chunk_id for c in candidates] == [1, 3, 2]
    assert rows.shape == (3, len(FEATURE_NAMES))
    assert candidates[2].list_ranks == {"dense": 3, "lexical": 1}


def test_features_cover_the_question_and_keep_ranks() -> None:
    stage = LearnedRanker(_read)
    seen = []
    stage.recorder = seen.append
    stage.rerank(_given(), None, 50)
    candidates, rows = seen[0]
    column = {name: rows[:, i] for i, name in enumerate(FEATURE_NAMES)}
    assert column["cover_idf"][2] == pytest.approx((2.0 + 1.0 + 2.5 + 3.0) / 8.6, rel=1e-5)  # not "children"
    assert column["cover_idf"][0] == 0.0
    assert column["pair_share"][2] > 0  # "return home", "home interviews" stand together
    assert column["fused_rank_inv"].tolist() == pytest.approx([1.0, 0.5, 1 / 3])
    assert column["rr_lexical"].tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert not np.isnan(features(_question(), candidates)).any()
