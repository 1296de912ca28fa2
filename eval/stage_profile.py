"""Where a hybrid query's time goes: each stage's p50/p95 over a workload (`ofsted-qa bench --only stages`).

The Searcher's stages are swappable (index/search/searcher.py `Stages`) and its rankers a list, so
each is wrapped in a timer; inside them, the calls that do the heavy work (the question's
embedding, the FAISS search, each FTS5 query, the thesaurus, highlighting, the learned stage's
features) are timed by wrapping them for the length of the profile only. A part called more than
once in a query (the lexical index: the first list, feedback, the concepts' list) counts its total.
The first lexical query runs on the corpus view's lexical thread while the question is embedded,
so the parts add up to more than the whole.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any

from eval.measure import percentile

# Parts timed inside the stages: (label, module, attribute or Class.method). Module functions are looked
# up by the stage modules at call time, so wrapping the attribute times every call.
INNER_PARTS = (
    ("reading: question plan", "index.search.read", "plan_question"),
    ("retrieve: spelling", "index.search.retrieve", "spelling_corrections"),
    ("retrieve: thesaurus", "index.search.retrieve", "related_words"),
    ("retrieve: lexical expression", "index.search.retrieve", "lexical_match"),
    ("retrieve: summaries", "index.search.retrieve", "summary_passages"),
    ("feedback: choosing words", "index.search.rank", "feedback_list"),
    ("learned: features", "index.search.rerank", "features"),
    ("present: floor", "index.search.present", "apply_floor"),
    ("present: highlights", "index.search.present", "highlight_spans"),
    ("present: citations", "index.search.present", "citation_of"),
    ("lexical: in-memory BM25", "index.lexical", "LexicalScorer.search"),
)
STAGE_LABELS = {"read": "reading", "scope": "scoping", "retrieve": "retrieving", "fuse": "fusion",
                "arrange": "arranging", "present": "presenting"}


class StageClock:
    """Per-query totals of named parts; safe to record from the lexical thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: dict[str, float] = defaultdict(float)
        self.queries: list[dict[str, float]] = []

    def timed(self, label: str, fn: Callable) -> Callable:
        """`fn`, recording its wall time under `label` on each call."""
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                with self._lock:
                    self.current[label] += elapsed
        return wrapper

    def next_query(self, total_ms: float) -> None:
        """Close the current query's record (with its whole time) and start the next."""
        with self._lock:
            self.current["total"] = total_ms
            self.queries.append(dict(self.current))
            self.current = defaultdict(float)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per part: p50 and p95 over all queries (0 where a query did not reach it), the mean, and
        the share of queries that reached it."""
        labels = sorted({label for q in self.queries for label in q}, key=_order)
        out = {}
        for label in labels:
            values = [q.get(label, 0.0) for q in self.queries]
            out[label] = {"p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
                          "mean_ms": round(sum(values) / len(values), 2),
                          "share_run": round(sum(1 for q in self.queries if label in q) / len(self.queries), 2)}
        return out


def _order(label: str) -> tuple[int, str]:
    stages = ["total", "reading", "scoping", "retrieving", "retrieve", "dense", "lexical", "fusion", "feedback",
              "concepts", "learned", "arranging", "presenting", "present"]
    head = label.split(":")[0].split(" ")[0]
    return (stages.index(head) if head in stages else len(stages), label)


@contextmanager
def profiled(searcher, clock: StageClock) -> Iterator[None]:
    """The searcher's stages, rankers and heavy calls timed into `clock` while inside."""
    import importlib

    saved_stages, saved_rankers = searcher.stages, searcher.rankers
    corpus = searcher.corpus
    searcher.stages = replace(saved_stages, **{
        name: clock.timed(label, getattr(saved_stages, name)) for name, label in STAGE_LABELS.items()})
    searcher.rankers = [_TimedRanker(r, clock) for r in saved_rankers]
    with ExitStack() as undo:
        for label, module_name, path in INNER_PARTS:
            owner = importlib.import_module(module_name)
            *outer, attribute = path.split(".")
            for name in outer:  # a class's method: wrapped on the class, for every instance
                owner = getattr(owner, name)
            original = getattr(owner, attribute)
            setattr(owner, attribute, clock.timed(label, original))
            undo.callback(setattr, owner, attribute, original)
        for label, owner, attribute in (("dense: question embedding", corpus, "embed"),
                                        ("dense: FAISS search", corpus.vectors, "search"),
                                        ("lexical: FTS5 queries", corpus.store, "lexical_search"),
                                        ("lexical: word counts", corpus.store, "document_frequencies"),
                                        ("lexical: stem counts", corpus.store, "stem_document_counts"),
                                        ("passages read", corpus.store, "chunks")):
            if hasattr(owner, attribute):
                setattr(owner, attribute, clock.timed(label, getattr(owner, attribute)))
                undo.callback(delattr, owner, attribute)  # the instance attribute hid the class's method
        try:
            yield
        finally:
            searcher.stages, searcher.rankers = saved_stages, saved_rankers


class _TimedRanker:
    LABELS = {"FeedbackRanker": "feedback", "ConceptRanker": "concepts", "LearnedRanker": "learned ranking"}

    def __init__(self, ranker, clock: StageClock) -> None:
        label = self.LABELS.get(type(ranker).__name__, type(ranker).__name__)
        self.rank = clock.timed(label, ranker.rank)


def stage_profile(index, workload: list[tuple[str, dict]], k: int = 10) -> dict:
    """Each stage's p50/p95 over the workload's hybrid queries on `index` (a ReportIndex), warm.

    Returns:
        {"queries": n, "stages": {label: {p50_ms, p95_ms, mean_ms, share_run}}}.
    """
    from index.search import QueryError, SearchFilters

    index.searcher.warm()
    for question, _ in workload[:5]:
        index.search(question, None, k=k)
    clock = StageClock()
    with profiled(index.searcher, clock):
        for question, kwargs in workload:
            started = time.perf_counter()
            try:
                index.search(question, SearchFilters.build(**kwargs), k=k)
            except QueryError:
                clock.current.clear()
                continue
            clock.next_query((time.perf_counter() - started) * 1000)
    return {"queries": len(clock.queries), "stages": clock.summary()}
