"""searcher.py's loop with stub stages: the order, the rankers between fusion and arrangement, Stop."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.query import read_question
from index.search import QueryError, Searcher, SearchResponse, Stages
from index.search.rank import ConceptRanker, FeedbackRanker
from index.search.rerank import LearnedRanker
from index.search.types import (
    LEXICAL,
    Arranged,
    Context,
    Question,
    RankedList,
    Ranking,
    Retrieved,
    Scope,
    SearchRequest,
    Stop,
)


class Recorder:
    """Stub stages that record what they were given and hand on fixed outputs."""

    def __init__(self, stop_at: str | None = None) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.stop_at = stop_at
        self.scope = Scope(allowed=(1, 2), favoured=None, kind=None, notes=("reports of Leeds",))
        self.retrieved = Retrieved(lists=(RankedList(LEXICAL, 1.0, ((5, 2.0), (6, 1.0))),), match='"x"',
                                   vector=None, notes=())
        self.ranking = Ranking(items=((5, 0.1), (6, 0.05)), lists=self.retrieved.lists, fused=True)

    def stage(self, name: str, output):
        def run(*args):
            self.calls.append((name, args))
            if name == self.stop_at:
                raise Stop(f"stopped at {name}", interpretation="as read")
            return output(*args) if callable(output) else output
        return run

    def stages(self) -> Stages:
        def read(context: Context, request: SearchRequest) -> Question:
            if request.query == "bad":
                raise QueryError("type a question")
            plan = read_question(request.query)
            return Question(request.query, request.filters, request.k, request.retriever, plan, plan.topic, 100)

        return Stages(
            read=self.stage("read", read), scope=self.stage("scope", self.scope),
            retrieve=self.stage("retrieve", self.retrieved), fuse=self.stage("fuse", self.ranking),
            arrange=self.stage("arrange", Arranged(())),
            present=self.stage("present", lambda c, q, *_: SearchResponse(q.text, [], q.filters, "presented")),
        )


class Reverser:
    """A ranker that turns the ranking round (and records what it saw)."""

    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def rank(self, context, question, scope, retrieved, ranking):
        self.seen.append((context, question, scope, retrieved, ranking))
        return replace(ranking, items=ranking.items[::-1])


def searcher(recorder: Recorder, rankers=None) -> Searcher:
    return Searcher(None, None, None, rankers=rankers, stages=recorder.stages())  # type: ignore[arg-type]


def test_the_stages_run_in_order_with_the_rankers_between_fusion_and_arrangement():
    recorder, first, second = Recorder(), Reverser(), Reverser()
    response = searcher(recorder, [first, second]).search("caseloads", k=3)
    assert [name for name, _ in recorder.calls] == ["read", "scope", "retrieve", "fuse", "arrange", "present"]
    assert response.message == "presented"
    context, question, scope, retrieved, ranking = first.seen[0]
    assert (question.text, question.k, scope, retrieved, ranking) == ("caseloads", 3, recorder.scope,
                                                                       recorder.retrieved, recorder.ranking)
    assert second.seen[0][4].ids == [6, 5]  # the first ranker's output
    arranged_from = recorder.calls[4][1][3]
    assert arranged_from.ids == [5, 6]  # turned round twice


def test_a_stop_from_any_stage_ends_the_search_with_its_message():
    for stage in ("scope", "retrieve", "fuse", "arrange"):
        recorder = Recorder(stop_at=stage)
        response = searcher(recorder).search("caseloads in Leeds")
        assert (response.results, response.message, response.interpretation, response.topic) == (
            [], f"stopped at {stage}", "as read", None)
        assert recorder.calls[-1][0] == stage


def test_a_query_error_reaches_the_caller_and_the_next_search_runs():
    recorder = Recorder()
    s = searcher(recorder)
    with pytest.raises(QueryError):
        s.search("bad")
    assert s.search("caseloads").message == "presented"  # the lock was let go


def test_each_search_reads_the_settings_of_its_time():
    recorder = Recorder()
    s = searcher(recorder)
    s.search("caseloads")
    s.settings = replace(s.settings, rrf_k=99)
    s.search("caseloads")
    contexts = [args[0] for name, args in recorder.calls if name == "fuse"]
    assert [c.settings.rrf_k for c in contexts] == [10, 99] and contexts[0].corpus is s.corpus


def test_feedback_the_concepts_and_the_learned_stage_are_the_default_rankers_and_another_can_follow():
    s = searcher(Recorder())
    assert [type(r) for r in s.rankers] == [FeedbackRanker, ConceptRanker, LearnedRanker]
    s.rankers.append(Reverser())
    assert len(s.rankers) == 4
