"""Judged evaluation beside the gold quotes: pooled top 5s graded 0/1/2 by a reader blind to the system.

Gold quotes are not exhaustive: a passage of another report may answer a topic question as well as
the gold one. So, for each question, the top 5 of each compared system are pooled, shuffled and
handed to a judge who sees the question, its one-line intent and each passage with its report (never
which system found it), and grades it 2 (answers), 1 (partly) or 0 (no). Grades are cached by
(set, question id, passage text hash) in eval/judgements.jsonl, so a later run judges only passages
no one has graded yet. The cache holds no report text.

    python -m eval.judged pool --index DIR --questions eval/blind.jsonl --systems fusion,ranker,baseline \
        --out /tmp/pool          # writes tasks.jsonl (for the judge) and runs.json (never shown to the judge)
    python -m eval.judged add GRADES.jsonl --set blind       # {"qid", "pid", "grade"} lines into the cache
    python -m eval.judged score --runs /tmp/pool/runs.json --set blind [--totals-only]

Scores per system, overall and per kind: success@5 (a passage graded 2 in the top 5), nDCG@5 (gains
2^grade - 1, ideal from every graded passage of the question), and how many top-5 passages were
ungraded (they count as 0; a full pool leaves none).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
from collections.abc import Callable
from pathlib import Path

from eval.matching import is_hit, load_questions, normalise
from eval.run import Passage

HERE = Path(__file__).resolve().parent
CACHE = HERE / "judgements.jsonl"
GRADES = (0, 1, 2)
TOP = 5


def passage_id(text: str) -> str:
    """The passage's identity in the grade cache: a hash of its normalised text."""
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()[:16]


# The grade cache's names of the question files (dev's file is questions.jsonl).
SET_NAMES = {"questions.jsonl": "dev", "blind.jsonl": "blind"}


def set_name_of(questions: str | Path) -> str:
    """The grade cache's name for a question file: "dev" for eval/questions.jsonl, "blind" for
    eval/blind.jsonl, else the file's stem."""
    path = Path(questions)
    return SET_NAMES.get(path.name, path.stem)


def load_grades(set_name: str, path: Path = CACHE) -> dict[tuple[str, str], int]:
    """(question id, passage id) -> grade, for one question set."""
    grades: dict[tuple[str, str], int] = {}
    if not path.is_file():
        return grades
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            if item["set"] == set_name:
                grades[(item["qid"], item["pid"])] = int(item["grade"])
    return grades


def add_grades(lines: list[dict], set_name: str, path: Path = CACHE) -> int:
    """Append new grades to the cache (a passage already graded for a question keeps its grade).

    Returns:
        How many grades were new.

    Raises:
        ValueError: a line without qid, pid or a grade of 0, 1 or 2.
    """
    known = load_grades(set_name, path)
    new = []
    for item in lines:
        if not {"qid", "pid", "grade"} <= item.keys() or item["grade"] not in GRADES:
            raise ValueError(f"a grade line needs qid, pid and a grade of 0, 1 or 2; got {item!r}")
        key = (item["qid"], item["pid"])
        if key not in known:
            known[key] = item["grade"]
            new.append({"set": set_name, "qid": item["qid"], "pid": item["pid"], "grade": item["grade"]})
    with path.open("a", encoding="utf-8") as out:
        for item in new:
            out.write(json.dumps(item) + "\n")
    return len(new)


def pool(questions: list[dict], systems: dict[str, Callable[[str, dict, int], list[Passage]]],
         known: dict[tuple[str, str], int], describe: Callable[[Passage], str], seed: int = 0,
         modes: tuple[bool, ...] = (True, False)) -> tuple[list[dict], dict, list[dict]]:
    """Each system's top 5 per question (with its filters and as text only), and the judge's tasks:
    the pooled passages not yet graded, shuffled, with no word of which system found them.

    Returns:
        (tasks, runs, gold_grades): tasks for the judge; runs[system][mode][qid] = the top-5 passage
        ids; grade 2 for each pooled passage that holds a gold quote (no judge needed).
    """
    rng = random.Random(seed)
    known = dict(known)
    gold_grades: list[dict] = []
    runs: dict = {name: {"with filters": {}, "text only": {}} for name in systems}
    tasks = []
    for q in questions:
        pooled: dict[str, Passage] = {}
        for name, retrieve in systems.items():
            for use_filters in modes:
                found = retrieve(q["question"], q.get("filters", {}) if use_filters else {}, 10)[:TOP]
                ids = []
                for p in found:
                    pid = passage_id(p.text)
                    ids.append(pid)
                    pooled.setdefault(pid, p)
                runs[name]["with filters" if use_filters else "text only"][q["id"]] = ids
        # A passage holding a gold quote answers by construction: graded 2 without a judge.
        for pid, p in pooled.items():
            if (q["id"], pid) not in known and any(is_hit(p.file, p.text, g) for g in q["gold"]):
                known[(q["id"], pid)] = 2
                gold_grades.append({"qid": q["id"], "pid": pid, "grade": 2})
        todo = [(pid, p) for pid, p in pooled.items() if (q["id"], pid) not in known]
        rng.shuffle(todo)
        if todo:
            tasks.append({"qid": q["id"], "question": q["question"], "intent": q.get("intent") or q["question"],
                          "passages": [{"pid": pid, "from": describe(p), "text": p.text} for pid, p in todo]})
    return tasks, runs, gold_grades


def _dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def score(questions: list[dict], runs: dict, grades: dict[tuple[str, str], int]) -> dict:
    """success@5, nDCG@5 and ungraded counts per system and mode, overall and per kind."""
    kinds = {q["id"]: q["kind"] for q in questions}
    graded_of: dict[str, list[int]] = {}
    for (qid, _), grade in grades.items():
        graded_of.setdefault(qid, []).append(grade)
    out: dict = {}
    for name, modes in runs.items():
        out[name] = {}
        for mode, by_question in modes.items():
            rows = []
            for qid, ids in by_question.items():
                if qid not in kinds:
                    continue
                got = [grades.get((qid, pid)) for pid in ids]
                values = [g or 0 for g in got]
                ideal = _dcg(sorted(graded_of.get(qid, []), reverse=True)[:TOP])
                rows.append({"kind": kinds[qid], "success": float(2 in values),
                             "ndcg": _dcg(values) / ideal if ideal else 0.0,
                             "ungraded": sum(g is None for g in got)})
            out[name][mode] = {"all": _summary(rows),
                               "by_kind": {k: _summary([r for r in rows if r["kind"] == k])
                                           for k in sorted({r["kind"] for r in rows})}}
    return out


def _summary(rows: list[dict]) -> dict:
    n = len(rows)
    return {"n": n, "success@5": sum(r["success"] for r in rows) / n if n else 0.0,
            "ndcg@5": sum(r["ndcg"] for r in rows) / n if n else 0.0,
            "ungraded": sum(r["ungraded"] for r in rows)}


def format_scores(scores: dict, title: str = "") -> str:
    """A plain table: system, mode, success@5, nDCG@5, then per kind."""
    lines = [title] if title else []
    for name, modes in scores.items():
        for mode, s in modes.items():
            a = s["all"]
            kinds = "  ".join(f"{k} {v['success@5']:.2f}/{v['ndcg@5']:.2f} (n={v['n']})"
                              for k, v in s["by_kind"].items())
            lines.append(f"{name:<10} {mode:<12} n={a['n']:<4} success@5 {a['success@5']:.3f}  "
                         f"nDCG@5 {a['ndcg@5']:.3f}  ungraded {a['ungraded']}  |  {kinds}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pool", help="run the systems, write the judge's tasks and the runs")
    p.add_argument("--index", required=True)
    p.add_argument("--questions", required=True)
    p.add_argument("--set", dest="set_name", help="the grade cache's name for the set (default: dev for "
                   "questions.jsonl, blind for blind.jsonl, else the file's stem)")
    p.add_argument("--systems", default="fusion,ranker,baseline")
    p.add_argument("--out", required=True, help="a folder outside the repository (tasks hold report text)")
    a = sub.add_parser("add", help="add a judge's grades to the cache")
    a.add_argument("grades")
    a.add_argument("--set", dest="set_name", required=True)
    s = sub.add_parser("score", help="score the runs against the cached grades")
    s.add_argument("--runs", required=True)
    s.add_argument("--questions", required=True)
    s.add_argument("--set", dest="set_name")
    s.add_argument("--json", dest="json_out")
    args = parser.parse_args(argv)

    if args.command == "add":
        lines = [json.loads(x) for x in Path(args.grades).read_text(encoding="utf-8").splitlines() if x.strip()]
        print(f"{add_grades(lines, args.set_name)} new grades for {args.set_name}")
        return 0
    set_name = args.set_name or set_name_of(args.questions)
    questions = load_questions(args.questions)
    if args.command == "score":
        scores = score(questions, json.loads(Path(args.runs).read_text()), load_grades(set_name))
        print(format_scores(scores, f"judged, {set_name}"))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(scores, indent=2))
        return 0
    from eval.systems import describe_passage, load_systems

    systems = load_systems(args.index, args.systems.split(","))
    tasks, runs, gold_grades = pool(questions, systems, load_grades(set_name), describe_passage)
    add_grades(gold_grades, set_name)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    (out / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
    print(f"{len(tasks)} questions with {sum(len(t['passages']) for t in tasks)} passages to judge in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
