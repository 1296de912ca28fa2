"""Compare every retriever on one question set in one run and write eval/RESULTS.md.

    python -m eval.results --index data/full-index [--questions eval/questions.jsonl] [--out eval/RESULTS.md]

The baseline index lives beside the main one, in `<index>-baseline` (build it with
`python -m eval.baseline build PDF_DIR --index <index>-baseline`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import date
from pathlib import Path

from eval.bench import machine as bench_machine
from eval.matching import load_questions
from eval.run import METRIC_KEYS, baseline_retriever, evaluate, format_table, index_retriever

HERE = Path(__file__).resolve().parent


def machine() -> str:
    m = bench_machine()
    return f"{m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB, Python {m['python']}, {platform.system()}"


def markdown(reports: dict[str, dict], questions: str, index: str, command: str) -> str:
    lines = [
        "# Retrieval results",
        "",
        f"Questions: `{questions}` ({next(iter(reports.values()))['n']} scored). Index: `{index}`.",
        f"Machine: {machine()}. Date: {date.today().isoformat()}.",
        "",
        f"Regenerate: `{command}`",
        "",
        "| retriever | n | " + " | ".join(METRIC_KEYS) + " | p50 ms | p95 ms |",
        "|---" * (len(METRIC_KEYS) + 4) + "|",
    ]
    for name, r in reports.items():
        lines.append(f"| {name} | {r['n']} | " + " | ".join(f"{r[k]:.3f}" for k in METRIC_KEYS)
                     + f" | {r['latency_ms_p50']:.1f} | {r['latency_ms_p95']:.1f} |")
    lines += ["", "## By kind of question (hit@5 / MRR@10)", ""]
    kinds = sorted({k for r in reports.values() for k in r["by_kind"]})
    lines.append("| retriever | " + " | ".join(f"{k} (n={reports['hybrid']['by_kind'].get(k, {}).get('n', 0)})"
                                                for k in kinds) + " |")
    lines.append("|---" * (len(kinds) + 1) + "|")
    for name, r in reports.items():
        cells = []
        for k in kinds:
            s = r["by_kind"].get(k)
            cells.append(f"{s['hit@5']:.2f} / {s['mrr@10']:.2f}" if s else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", default=str(HERE / "questions.jsonl"))
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="markdown table (the analysis is kept below)")
    parser.add_argument("--json", dest="json_out", help="write every report as JSON here")
    args = parser.parse_args(argv)

    from index.embed import load_embedder
    from index.report_index import ReportIndex

    questions = load_questions(args.questions)
    embedder = load_embedder()
    index = ReportIndex.load(args.index, embedder=embedder, read_only=True)
    reports: dict[str, dict] = {}
    for name in ("lexical", "dense", "hybrid"):
        retrieve, files = index_retriever(index, name)
        reports[name] = evaluate(questions, retrieve, files)
        print(format_table(reports[name], name))
    baseline_dir = Path(args.index).parent / (Path(args.index).name + "-baseline")
    if baseline_dir.exists():
        from eval.baseline import BaselineIndex

        baseline = BaselineIndex.load(baseline_dir, embedder)
        retrieve, files = baseline_retriever(baseline)
        reports["baseline"] = evaluate(questions, retrieve, files)
        print(format_table(reports["baseline"], "baseline"))
    command = f"python -m eval.results --index {args.index}"
    table = markdown(reports, os.path.relpath(args.questions), args.index, command)
    out = Path(args.out)
    marker = "<!-- analysis -->"
    analysis = ""
    if out.exists() and marker in out.read_text():
        analysis = out.read_text().split(marker, 1)[1]
    out.write_text(table + "\n" + marker + analysis)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
