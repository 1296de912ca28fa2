"""The systems an evaluation compares, by name, each as a `Retrieve` over one index.

- lexical, dense: one retriever alone;
- fusion: the hybrid search with every mechanism but the learned ranking stage and the concepts;
- ranker: fusion, then the learned ranking stage without the concept vocabulary's features;
- concepts: fusion, then the learned ranking stage with them (the product's search);
- baseline: the newcomer's recipe (eval/baseline.py), from `<index>-baseline`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from eval.run import Passage, Retrieve, baseline_retriever, index_retriever

SYSTEMS = ("lexical", "dense", "fusion", "ranker", "concepts", "baseline")
# The learned stage trained without the concept features, kept for this comparison only.
RANKER_WITHOUT_CONCEPTS = Path(__file__).resolve().parent / "models" / "ranker-without-concepts.json"


def settings_for(system: str, settings):
    """The hybrid searcher's settings for one of the hybrid systems (fusion, ranker, concepts).

    Raises:
        ValueError: another system name.
    """
    if system == "fusion":
        return replace(settings, rerank_model=None, concepts=False)
    if system == "ranker":
        return replace(settings, rerank_model=str(RANKER_WITHOUT_CONCEPTS), concepts=False)
    if system == "concepts":
        return settings
    raise ValueError(f"{system!r} is not a hybrid system; valid: fusion, ranker, concepts")


def load_systems(index_dir: str | Path, names: list[str]) -> dict[str, Retrieve]:
    """Each named system as a Retrieve (question, filters, k -> passages) over the index.

    Raises:
        ValueError: an unknown system name (the message lists the valid ones).
        IndexMismatchError / OSError: the index (or the baseline's) cannot be opened.
    """
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system {unknown[0]!r}; valid: {', '.join(SYSTEMS)}")
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    embedder = load_embedder()
    out: dict[str, Retrieve] = {}
    for name in names:
        if name == "baseline":
            from eval.baseline import BaselineIndex

            index_dir = Path(index_dir)
            baseline = BaselineIndex.load(index_dir.parent / (index_dir.name + "-baseline"), embedder)
            out[name] = baseline_retriever(baseline)[0]
            continue
        index = ReportIndex.load(index_dir, embedder=embedder, read_only=True)
        if name in ("lexical", "dense"):
            out[name] = index_retriever(index, name)[0]
        else:
            index.searcher.settings = settings_for(name, index.searcher.settings)
            out[name] = index_retriever(index, "hybrid")[0]
    return out


def describe_passage(passage: Passage) -> str:
    """Where a passage comes from, for a judge: the report (authority and date) and its pages."""
    stem = Path(passage.file).stem
    authority, _, published = stem.rpartition("_")
    pages = f"p. {passage.page_start}" if passage.page_start == passage.page_end else \
        f"pp. {passage.page_start}-{passage.page_end}"
    return f"{authority.replace('-', ' ')} report published {published}, {pages}"
