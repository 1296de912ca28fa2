"""The stage profile times each stage of real searches and leaves the searcher as it found it."""

from __future__ import annotations

from eval.stage_profile import StageClock, profiled
from index import lexical
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import rank
from tests.index.helpers import make_report


def test_profiled_times_the_stages_and_restores_everything(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Avonshire", [f"social workers visit children {i} and plan their care" for i in range(8)]))
    idx.save()
    searcher = idx.searcher
    stages, rankers = searcher.stages, list(searcher.rankers)
    feedback, method = rank.feedback_list, lexical.LexicalScorer.search
    clock = StageClock()
    with profiled(searcher, clock):
        idx.search("how often do social workers visit children")
        clock.next_query(5.0)
    assert searcher.stages is stages and searcher.rankers == rankers
    assert rank.feedback_list is feedback and lexical.LexicalScorer.search is method
    assert "embed" not in vars(searcher.corpus) and "lexical_search" not in vars(searcher.store)
    record = clock.queries[0]
    assert record["total"] == 5.0 and record["retrieving"] > 0 and record["lexical: in-memory BM25"] > 0
    summary = clock.summary()
    assert list(summary)[0] == "total" and summary["reading"]["share_run"] == 1.0
    idx.close()
