"""Compare every retriever on the development and the blind test set in one run; write eval/RESULTS.md.

    python -m eval.results --index data/full-index [--dev eval/questions.jsonl] [--test eval/test.jsonl]

Each question runs twice: with its filters, and with the question text only (what a user who types
and presses Enter gets). The blind test set is reported as totals and per-kind figures only, never
question by question: it is not for tuning. `--mechanisms` also measures what each retrieval
mechanism adds, on both sets, by turning it off alone.

The baseline index lives beside the main one, in `<index>-baseline` (build it with
`python -m eval.baseline build PDF_DIR --index <index>-baseline`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from dataclasses import replace
from datetime import date
from pathlib import Path

from eval.matching import load_questions
from eval.measure import machine as bench_machine
from eval.run import METRIC_KEYS, baseline_retriever, evaluate, format_table, index_retriever, totals_only

HERE = Path(__file__).resolve().parent
MODES = (("with filters", True), ("text only", False))
MARKER = "<!-- analysis -->"

# Each mechanism, turned off alone on the hybrid searcher: (what it is, the settings without it).
MECHANISMS: dict[str, tuple[str, dict]] = {
    "names_out_of_topic": ("names, years and grade words read from the question leave the searched text",
                           {"strip_question_words": False}),
    "summaries_for_one_authority": ("a search within one authority's reports also ranks their summaries",
                                    {"summary_for_few": 0}),
    "judgement_area": ("a question on one judgement area also ranks that area's sections", {"area_weight": 0.0}),
    "feedback": ("pseudo-relevance feedback: terms of the first ranking's top passages, searched again",
                 {"feedback_weight": 0.0}),
    "thesaurus": ("corpus thesaurus: the reports' own words for a question word few passages hold",
                  {"thesaurus_similarity": None}),
    "reverse_glossary": ("expansions and partial forms of acronyms map back to the acronym",
                         {"reverse_glossary": False}),
    "relevance_floor": ("passages below the relevance floor are not shown", {"relevance_floors": {}}),
}


def machine() -> str:
    m = bench_machine()
    return f"{m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB, Python {m['python']}, {platform.system()}"


def _row(name: str, r: dict) -> str:
    return (f"| {name} | {r['n']} | " + " | ".join(f"{r[k]:.3f}" for k in METRIC_KEYS)
            + f" | {r['latency_ms_p50']:.1f} | {r['latency_ms_p95']:.1f} |")


def _kind_table(reports: dict[str, dict]) -> list[str]:
    kinds = sorted({k for r in reports.values() for k in r["by_kind"]})
    first = next(iter(reports.values()))
    lines = ["| retriever | " + " | ".join(f"{k} (n={first['by_kind'].get(k, {}).get('n', 0)})" for k in kinds) + " |",
             "|---" * (len(kinds) + 1) + "|"]
    for name, r in reports.items():
        cells = []
        for k in kinds:
            s = r["by_kind"].get(k)
            cells.append(f"{s['hit@5']:.2f} / {s['mrr@10']:.2f}" if s else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def markdown(results: dict, sets: dict[str, str], index: str, command: str,
             mechanisms: dict | None = None) -> str:
    """results[set][mode][retriever] -> report."""
    lines = ["# Retrieval results", "",
             "Sets: " + "; ".join(f"{name} `{path}`" for name, path in sets.items()) + f". Index: `{index}`.",
             f"Machine: {machine()}. Date: {date.today().isoformat()}.", "",
             f"Regenerate: `{command}`", "",
             "The test set is blind: written once by someone who never saw the retrieval code or its results, "
             "and read here only as totals and per-kind figures. Settings are tuned on the dev set only.", ""]
    header = ["| retriever | n | " + " | ".join(METRIC_KEYS) + " | p50 ms | p95 ms |",
              "|---" * (len(METRIC_KEYS) + 4) + "|"]
    for set_name in results:
        for mode, _ in MODES:
            reports = results[set_name][mode]
            lines += [f"## {set_name}, {mode}", "", *header]
            lines += [_row(name, r) for name, r in reports.items()]
            lines += ["", "By kind (hit@5 / MRR@10):", "", *_kind_table(reports), ""]
    if "dev" in results and "test" in results:
        lines += ["## Dev minus test (hit@5 / MRR@10)", "", "| retriever | with filters | text only |", "|---|---|---|"]
        for name in results["dev"][MODES[0][0]]:
            cells = []
            for mode, _ in MODES:
                d, t = results["dev"][mode].get(name), results["test"][mode].get(name)
                cells.append(f"{d['hit@5'] - t['hit@5']:+.3f} / {d['mrr@10'] - t['mrr@10']:+.3f}" if d and t else "-")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    if mechanisms:
        lines += ["## What each mechanism adds (hybrid, hit@5 / MRR@10, change when it is turned off alone)", "",
                  "| mechanism | " + " | ".join(f"{s}, {m}" for s in mechanisms["full"] for m, _ in MODES) + " |",
                  "|---" * (1 + 2 * len(mechanisms["full"])) + "|"]
        for key, (what, _) in MECHANISMS.items():
            if key not in mechanisms:
                continue
            cells = []
            for set_name in mechanisms["full"]:
                for mode, _ in MODES:
                    full, off = mechanisms["full"][set_name][mode], mechanisms[key][set_name][mode]
                    cells.append(f"{full['hit@5'] - off['hit@5']:+.3f} / {full['mrr@10'] - off['mrr@10']:+.3f}")
            lines.append(f"| {what} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--dev", default=str(HERE / "questions.jsonl"))
    parser.add_argument("--test", default=str(HERE / "test.jsonl"))
    parser.add_argument("--only", choices=("dev", "test"), help="one set only (no RESULTS.md is written)")
    parser.add_argument("--retrievers", default="lexical,dense,hybrid,baseline")
    parser.add_argument("--mechanisms", action="store_true", help="also measure each mechanism turned off")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="markdown (the analysis below is kept)")
    parser.add_argument("--json", dest="json_out", help="write the dev set's per-question reports here")
    args = parser.parse_args(argv)

    from index.embed import load_embedder
    from index.report_index import ReportIndex

    sets = {name: path for name, path in (("dev", args.dev), ("test", args.test))
            if Path(path).is_file() and args.only in (None, name)}
    questions = {name: load_questions(path) for name, path in sets.items()}
    embedder = load_embedder()
    index = ReportIndex.load(args.index, embedder=embedder, read_only=True)
    wanted = args.retrievers.split(",")
    retrievers: dict[str, tuple] = {name: index_retriever(index, name) for name in ("lexical", "dense", "hybrid")
                                    if name in wanted}
    baseline_dir = Path(args.index).parent / (Path(args.index).name + "-baseline")
    if "baseline" in wanted and baseline_dir.exists():
        from eval.baseline import BaselineIndex

        retrievers["baseline"] = baseline_retriever(BaselineIndex.load(baseline_dir, embedder))

    def run(set_name: str, name: str, use_filters: bool) -> dict:
        retrieve, files = retrievers[name]
        report = evaluate(questions[set_name], retrieve, files, use_filters=use_filters)
        return report if set_name == "dev" else totals_only(report)

    results: dict = {}
    for set_name in sets:
        results[set_name] = {}
        for mode, use_filters in MODES:
            results[set_name][mode] = {}
            for name in retrievers:
                report = run(set_name, name, use_filters)
                results[set_name][mode][name] = report
                print(format_table(totals_only(report), f"{set_name}, {mode}: {name}"), flush=True)

    mechanisms = None
    if args.mechanisms and "hybrid" in retrievers:
        searcher = index.searcher
        mechanisms = {"full": {s: {m: results[s][m]["hybrid"] for m, _ in MODES} for s in sets}}
        full = searcher.settings
        for key, (_, without) in MECHANISMS.items():
            searcher.settings = replace(full, **without)
            try:
                mechanisms[key] = {s: {m: run(s, "hybrid", f) for m, f in MODES} for s in sets}
            finally:
                searcher.settings = full
            print(key, {s: {m: (round(r["hit@5"], 3), round(r["mrr@10"], 3)) for m, r in v.items()}
                        for s, v in mechanisms[key].items()}, flush=True)

    if args.json_out and "dev" in results:
        Path(args.json_out).write_text(json.dumps(results["dev"], indent=2))
    if args.only is None:
        command = f"python -m eval.results --index {args.index}" + (" --mechanisms" if args.mechanisms else "")
        table = markdown(results, {k: os.path.relpath(v) for k, v in sets.items()}, args.index, command, mechanisms)
        out = Path(args.out)
        analysis = out.read_text().split(MARKER, 1)[1] if out.exists() and MARKER in out.read_text() else "\n"
        out.write_text(table + "\n" + MARKER + analysis)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
