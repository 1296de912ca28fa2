"""Compare every retriever on the development set, and once per issue on the blind set; write eval/RESULTS.md.

    python -m eval.results --index data/full-index [--dev eval/questions.jsonl] \
        [--everyday eval/everyday.jsonl --everyday-index data/everyday-index] \
        [--blind eval/blind.jsonl --blind-index data/blind-index --read-blind]

Each question runs twice: with its filters, and with the question text only (what a user who types
and presses Enter gets). The blind set is read only when `--read-blind` is given (once per issue, at
its end: eval/RESULTS.md's protocol), and then as totals and per-kind figures only, never question by
question: it is not for tuning. `--mechanisms` also measures what each retrieval
mechanism adds, on both sets, by turning it off alone.

The everyday set (a development set since issue 18's second round: the first blind set) and the blind
set are asked over indexes of their own 50 reports, as they were written: their topic questions' gold
comes from those reports alone, while the whole corpus answers them too.

Each index's baseline lives beside it, in `<index>-baseline` (build it with
`python -m eval.baseline build PDF_DIR --index <index>-baseline`); an index without one leaves the
baseline out of its set.
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
from eval.run import METRIC_KEYS, evaluate, format_table, index_retriever, totals_only

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
    def ms(value: float) -> str:
        return "-" if value != value else f"{value:.1f}"  # NaN: cross-validated figures carry no latency

    return (f"| {name} | {r['n']} | " + " | ".join(f"{r[k]:.3f}" if k in r else "-" for k in METRIC_KEYS)
            + f" | {ms(r['latency_ms_p50'])} | {ms(r['latency_ms_p95'])} |")


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
             "The blind set was written once by a helper who never saw the retrieval code, another question file "
             "or any result, and is read once per issue, as totals and per-kind figures only. Settings are "
             "tuned on the dev set only.", ""]
    header = ["| retriever | n | " + " | ".join(METRIC_KEYS) + " | p50 ms | p95 ms |",
              "|---" * (len(METRIC_KEYS) + 4) + "|"]
    for set_name in results:
        for mode, _ in MODES:
            reports = results[set_name][mode]
            lines += [f"## {set_name}, {mode}", "", *header]
            lines += [_row(name, r) for name, r in reports.items()]
            lines += ["", "By kind (hit@5 / MRR@10):", "", *_kind_table(reports), ""]
    for dev_name in [name for name in results if name != "blind" and "blind" in results]:
        lines += [f"## {dev_name.capitalize()} minus blind (hit@5 / MRR@10)", "",
                  "| retriever | with filters | text only |", "|---|---|---|"]
        for name in results[dev_name][MODES[0][0]]:
            cells = []
            for mode, _ in MODES:
                d, t = results[dev_name][mode].get(name), results["blind"][mode].get(name.replace(" (CV)", ""))
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


def _cross_validated(system: str, set_file: str) -> dict | None:
    """A learned-stage system's cross-validated figures on one development set (its file name), as
    eval/train_ranker.py stored them with its model: the model has seen every dev question, so its own
    run would flatter it. None when the model did not train on that set."""
    from eval.systems import RANKER_WITHOUT_CONCEPTS
    from index.settings import DEFAULT_RERANK_MODEL
    from index.tree_model import ModelFileError, TreeEnsemble

    path = DEFAULT_RERANK_MODEL if system == "concepts" else str(RANKER_WITHOUT_CONCEPTS)
    try:
        return TreeEnsemble.load(path).about.get("cross_validated", {}).get(set_file)
    except (OSError, ModelFileError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--dev", default=str(HERE / "questions.jsonl"))
    parser.add_argument("--everyday", default=str(HERE / "everyday.jsonl"))
    parser.add_argument("--everyday-index", default="data/everyday-index",
                        help="the everyday set's own index (its 50 reports); the set is left out without it")
    parser.add_argument("--blind", default=str(HERE / "blind.jsonl"))
    parser.add_argument("--blind-index", help="the blind set's own index (its 50 reports); default --index")
    parser.add_argument("--read-blind", action="store_true",
                        help="also run the blind set (once per issue, totals and per kind only)")
    parser.add_argument("--systems", default="lexical,dense,fusion,ranker,concepts,baseline")
    parser.add_argument("--mechanisms", action="store_true", help="also measure each mechanism turned off (dev)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="markdown (the analysis below is kept)")
    parser.add_argument("--json", dest="json_out", help="write every report (blind: totals only) here")
    args = parser.parse_args(argv)

    from eval.systems import load_systems

    # name -> (questions file, the index it is asked over)
    wanted_sets = {"dev": (args.dev, args.index), "everyday": (args.everyday, args.everyday_index),
                   "blind": (args.blind, args.blind_index or args.index)}
    sets = {name: (path, index) for name, (path, index) in wanted_sets.items()
            if Path(path).is_file() and Path(index).is_dir() and (name != "blind" or args.read_blind)}
    questions = {name: load_questions(path) for name, (path, _) in sets.items()}
    systems_of: dict[str, dict] = {}
    for index_dir in dict.fromkeys(index for _, index in sets.values()):
        wanted = args.systems.split(",")
        base = Path(index_dir).parent / (Path(index_dir).name + "-baseline")
        if "baseline" in wanted and not base.exists():
            print(f"no baseline index at {base}: the baseline is left out for {index_dir}", flush=True)
            wanted.remove("baseline")
        systems_of[index_dir] = load_systems(index_dir, wanted)

    results: dict = {}
    for set_name, (path, index_dir) in sets.items():
        results[set_name] = {mode: {} for mode, _ in MODES}
        files = _indexed_files(index_dir)
        for name, retrieve in systems_of[index_dir].items():
            learned = name in ("ranker", "concepts")
            for mode, use_filters in MODES:
                if set_name != "blind" and learned:
                    cv = _cross_validated(name, Path(path).name)
                    if cv is None:
                        continue
                    report = {**cv[mode], "latency_ms_p50": float("nan"), "latency_ms_p95": float("nan")}
                    label = f"{name} (CV)"
                else:
                    report = evaluate(questions[set_name], retrieve, files, use_filters=use_filters)
                    report = report if set_name != "blind" else totals_only(report)
                    label = name
                results[set_name][mode][label] = report
                print(format_table(totals_only(report) if "questions" in report else report,
                                   f"{set_name}, {mode}: {label}"), flush=True)

    mechanisms = None
    if args.mechanisms and "concepts" in systems_of[args.index]:
        from index.report_index import ReportIndex

        files = _indexed_files(args.index)
        index = ReportIndex.load(args.index, read_only=True)
        retrieve, _ = index_retriever(index, "hybrid")
        full = index.searcher.settings
        mechanisms = {"full": {"dev": {m: evaluate(questions["dev"], retrieve, files, use_filters=f)
                                       for m, f in MODES}}}
        for key, (_, without) in MECHANISMS.items():
            index.searcher.settings = replace(full, **without)
            try:
                mechanisms[key] = {"dev": {m: evaluate(questions["dev"], retrieve, files, use_filters=f)
                                           for m, f in MODES}}
            finally:
                index.searcher.settings = full
            print(key, {m: (round(r["hit@5"], 3), round(r["mrr@10"], 3)) for m, r in mechanisms[key]["dev"].items()},
                  flush=True)

    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            {s: {m: {n: totals_only(r) if "questions" in r else r for n, r in v.items()} for m, v in modes.items()}
             for s, modes in results.items()}, indent=2, default=str))
    command = (f"python -m eval.results --index {args.index}" + (" --mechanisms" if args.mechanisms else "")
               + (" --read-blind" if args.read_blind else ""))
    command += "".join(f" --{name}-index {index}" for name, (_, index) in sets.items() if name != "dev")
    table = markdown(results, {k: f"{os.path.relpath(v)}` over `{i}" for k, (v, i) in sets.items()}, args.index,
                     command, mechanisms)
    out = Path(args.out)
    analysis = out.read_text().split(MARKER, 1)[1] if out.exists() and MARKER in out.read_text() else "\n"
    out.write_text(table + "\n" + MARKER + analysis)
    return 0


def _indexed_files(index_dir: str) -> set[str]:
    from index.store import ChunkStore

    store = ChunkStore(Path(index_dir) / "chunks.sqlite", read_only=True)
    try:
        return {Path(p).name for d in store.documents().values() for p in d.paths}
    finally:
        store.close()


if __name__ == "__main__":
    raise SystemExit(main())
