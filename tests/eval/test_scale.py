"""The synthetic scale index (eval/scale.py) holds what search reads, as an ingest leaves an index (the
keyword postings and passages' words too): a hybrid search over it answers, with each result's
similarity from the stored embeddings."""

from __future__ import annotations

import numpy as np

from eval.scale import build
from index.embed import HashingEmbedder, NumpyMiniLMEmbedder
from index.report_index import ReportIndex
from index.search import SearchFilters
from tests.index.helpers import make_report


def test_a_small_synthetic_index_answers_hybrid_searches(tmp_path):
    source = ReportIndex.load(tmp_path / "source", embedder=HashingEmbedder(384), create=True)
    for i, name in enumerate(("Avonshire", "Borsetshire", "Ambridge")):
        source.upsert(make_report(name, [
            "Managers oversee social work practice closely. Supervision is regular.",
            "Care leavers have pathway plans and personal advisers who know them well.",
            "Return home interviews are offered to children who go missing from home.",
        ], year=2018 + i))
    source.close()
    figures = build(tmp_path / "source", tmp_path / "synthetic", n=240)
    assert figures["n"] == 240 and figures["build_s"]["sqlite_embeddings_s"] >= 0
    assert figures["lexical_postings"] and figures["passage_words"]  # as an ingest leaves an index

    index = ReportIndex.load(tmp_path / "synthetic", embedder=NumpyMiniLMEmbedder(), read_only=True)
    try:
        ids = index.store.chunk_ids()
        assert len(ids) == 240
        assert index.searcher.corpus.lexical_scorer() is not None  # keywords ranked in memory, not by FTS5
        assert index.searcher.corpus.sentences_of(ids[:3])
        stored = index.searcher.corpus.vectors_of(ids[:5])
        assert np.allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)  # every passage has its vector
        for question in ("how do managers oversee practice?", "children missing from home"):
            response = index.search(question, SearchFilters(), k=5)
            assert response.results and all(r.similarity is not None for r in response.results)
    finally:
        index.close()
