"""Run a question set through a retriever and measure how often the gold passage comes back.

Metrics per question set, and per question kind: hit@1/5/10 (any gold item in the top k), recall@10
(share of gold items in the top 10), MRR@10, page-hit@5 (a top-5 passage from the gold file whose
page span includes the gold page) and per-query latency percentiles.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eval.matching import is_hit, is_page_hit, load_questions

RETRIEVERS = ("hybrid", "dense", "lexical", "baseline")
METRIC_KEYS = ("hit@1", "hit@5", "hit@10", "recall@10", "mrr@10", "page_hit@5")


@dataclass
class Passage:
    """What the harness needs of a retrieved passage, whichever retriever produced it."""

    file: str
    text: str
    page_start: int
    page_end: int
    citation: str


Retrieve = Callable[[str, dict, int], list[Passage]]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def score_question(question: dict, passages: list[Passage], indexed_files: set[str]) -> dict:
    gold = [g for g in question["gold"] if g["file"] in indexed_files]
    ranks: list[int | None] = []
    for item in gold:
        rank = next((i for i, p in enumerate(passages[:10], start=1) if is_hit(p.file, p.text, item)), None)
        ranks.append(rank)
    found = [r for r in ranks if r is not None]
    first = min(found) if found else None
    page_hit = any(
        is_page_hit(p.file, p.page_start, p.page_end, item) for p in passages[:5] for item in gold
    )
    return {
        "id": question["id"],
        "kind": question.get("kind", "topic"),
        "question": question["question"],
        "gold_ranks": ranks,
        "hit@1": float(first is not None and first <= 1),
        "hit@5": float(first is not None and first <= 5),
        "hit@10": float(first is not None),
        "recall@10": len(found) / len(gold) if gold else 0.0,
        "mrr@10": 1.0 / first if first else 0.0,
        "page_hit@5": float(page_hit),
        "top3": [p.citation for p in passages[:3]],
    }


def summarise(scored: list[dict], latencies: list[float]) -> dict:
    out: dict = {"n": len(scored)}
    for key in METRIC_KEYS:
        out[key] = round(statistics.fmean(q[key] for q in scored), 4) if scored else 0.0
    out["latency_ms_p50"] = round(percentile(latencies, 0.5), 1)
    out["latency_ms_p95"] = round(percentile(latencies, 0.95), 1)
    return out


def evaluate(
    questions: list[dict], retrieve: Retrieve, indexed_files: set[str], k: int = 10, use_filters: bool = True
) -> dict:
    """Score every question whose gold lies (at least partly) in the index; list the others.

    Args:
        questions: as read by `eval.matching.load_questions`.
        retrieve: (question, filters, k) -> passages, best first.
        indexed_files: file names the index holds (gold elsewhere is not scored).
        k: passages asked for (at least 10 are always scored).
        use_filters: False runs the question text alone, as a user who types and presses Enter.

    Returns:
        Totals, `by_kind`, `not_scored` and per-question `questions` (see `totals_only`).
    """
    scored: list[dict] = []
    latencies: list[float] = []
    by_kind_latency: dict[str, list[float]] = {}
    missing: list[dict] = []
    for question in questions:
        absent = sorted({g["file"] for g in question["gold"]} - indexed_files)
        if len(absent) == len({g["file"] for g in question["gold"]}):
            missing.append({"id": question["id"], "files": absent})
            continue
        started = time.perf_counter()
        filters = (question.get("filters") or {}) if use_filters else {}
        passages = retrieve(question["question"], filters, max(k, 10))
        elapsed = (time.perf_counter() - started) * 1000
        latencies.append(elapsed)
        result = score_question(question, passages, indexed_files)
        result["latency_ms"] = round(elapsed, 1)
        if absent:
            result["gold_files_not_indexed"] = absent
        scored.append(result)
        by_kind_latency.setdefault(result["kind"], []).append(elapsed)
    report = summarise(scored, latencies)
    report["by_kind"] = {
        kind: summarise([q for q in scored if q["kind"] == kind], by_kind_latency[kind])
        for kind in sorted(by_kind_latency)
    }
    report["not_scored"] = missing
    report["questions"] = [
        {"id": q["id"], "kind": q["kind"], "gold_ranks": q["gold_ranks"], "top3": q["top3"],
         **{key: q[key] for key in METRIC_KEYS}}
        for q in scored
    ]
    return report


def totals_only(report: dict) -> dict:
    """The report without anything question by question: what may be read of a blind test set."""
    out = {key: value for key, value in report.items() if key not in ("questions", "not_scored")}
    missing = report.get("not_scored", [])
    out["not_scored"] = missing if isinstance(missing, int) else len(missing)
    return out


def format_table(report: dict, title: str = "") -> str:
    header = f"{'':12} {'n':>4} " + " ".join(f"{k:>10}" for k in METRIC_KEYS) + f" {'p50 ms':>8} {'p95 ms':>8}"
    lines = [title, header] if title else [header]

    def row(name: str, r: dict) -> str:
        return (f"{name:12} {r['n']:>4} " + " ".join(f"{r[k]:>10.3f}" for k in METRIC_KEYS)
                + f" {r['latency_ms_p50']:>8.1f} {r['latency_ms_p95']:>8.1f}")

    lines.append(row("all", report))
    for kind, r in report["by_kind"].items():
        lines.append(row(kind, r))
    if isinstance(report["not_scored"], int):
        if report["not_scored"]:
            lines.append(f"not scored: {report['not_scored']} questions whose gold files are not indexed")
    elif report["not_scored"]:
        lines.append(f"not scored ({len(report['not_scored'])} questions whose gold files are not indexed): "
                     + ", ".join(q["id"] for q in report["not_scored"]))
    return "\n".join(lines)


# -- retrievers ----------------------------------------------------------------------------------
def _filters(filters: dict):
    from index.search import SearchFilters

    return SearchFilters.build(
        authority=filters.get("local_authority"), year=filters.get("year"),
        report_type=filters.get("report_type"),
    )


def index_retriever(index, retriever: str) -> tuple[Retrieve, set[str]]:
    """The app's own search over a ReportIndex."""
    docs = index.searcher.documents()
    files = {Path(p).name for d in docs.values() for p in d.paths}

    def retrieve(question: str, filters: dict, k: int) -> list[Passage]:
        response = index.search(question, _filters(filters), k=k, retriever=retriever)
        out = []
        for r in response.results:
            doc = docs.get(r.doc_id) or index.searcher.documents()[r.doc_id]
            # A report indexed under two names answers for both.
            for path in doc.paths or [r.citation.file]:
                out.append(Passage(Path(path).name, r.text, r.citation.page_start, r.citation.page_end,
                                   f"{r.citation.file} {r.citation.pages_label()} {r.citation.paragraphs_label()}"))
        return _dedupe_ranks(out, k)

    return retrieve, files


def baseline_retriever(baseline) -> tuple[Retrieve, set[str]]:
    files = set(baseline.files())

    def retrieve(question: str, filters: dict, k: int) -> list[Passage]:
        hits = baseline.search(question, _filters(filters), k=k)
        return [Passage(h.file, h.text, h.page_start, h.page_end, f"{h.file} p. {h.page_start}") for h in hits]

    return retrieve, files


def _dedupe_ranks(passages: list[Passage], k: int) -> list[Passage]:
    # Aliased files add entries at the same rank; keep the first k distinct passages by text.
    seen: set[tuple[str, str]] = set()
    out = []
    for p in passages:
        key = (p.file, p.text)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out[: max(k, 10) * 2]


def run_eval_command(args) -> int:
    """`ofsted-qa eval QUESTIONS.jsonl [--index DIR] [--retriever R] [-k 10] [--json OUT]`."""
    from index.location import locate_index

    if args.retriever not in RETRIEVERS:
        print(f"ofsted-qa: unknown retriever {args.retriever!r}; valid: {', '.join(RETRIEVERS)}")
        return 2
    questions = load_questions(args.questions)
    index_dir = locate_index(args.index).directory
    if args.retriever == "baseline":
        from eval.baseline import BaselineIndex
        from index.embed import load_embedder

        baseline_dir = index_dir.parent / (index_dir.name + "-baseline")
        baseline = BaselineIndex.load(baseline_dir, load_embedder())
        retrieve, files = baseline_retriever(baseline)
    else:
        from index.report_index import ReportIndex

        index = ReportIndex.load(index_dir, read_only=True)
        retrieve, files = index_retriever(index, args.retriever)
    mode = getattr(args, "filters", "both")
    totals = getattr(args, "totals_only", False)
    runs = {"on": [True], "off": [False], "both": [True, False]}[mode]
    out: dict = {}
    for use_filters in runs:
        report = evaluate(questions, retrieve, files, k=args.k, use_filters=use_filters)
        report["retriever"] = args.retriever
        report["index"] = str(index_dir)
        report["filters"] = "with filters" if use_filters else "question text only"
        if totals:
            report = totals_only(report)
        print(format_table(report, f"{args.retriever} on {args.questions} ({index_dir}), {report['filters']}"))
        if use_filters and mode == "both":
            out = report
        elif mode == "both":
            out["text_only"] = report
        else:
            out = report
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2))
    return 0
