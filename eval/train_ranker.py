"""Train the learned ranking stage (index/search/rerank.py) on the development questions.

    python -m eval.train_ranker --index data/full-index [--questions eval/questions.jsonl] [--folds 5] \
        [--also eval/everyday.jsonl=data/everyday-index]

`--also` adds another development set searched over its own index (the everyday set's gold comes
from its 50 reports alone, so it is asked over an index of those reports, as it was written).

For every dev question, with its filters and as text only, the search runs with the stage recording
instead of reordering: the fused candidates' features (index/rank_features.py) and labels. A label is
2 for a passage holding a gold quote, else 0; with `--labels gold+judged`, else the judged grade
(eval/judgements.jsonl, cached as set "dev") when a reader graded that passage for that question.
LightGBM's LambdaRank learns to order them.

Settings are chosen by cross-validation grouped by question (both modes of a question in one fold),
on the candidates alone; then the chosen settings' fold models run the whole search on their held-out
questions, which gives the cross-validated figures of RESULTS.md. The model trained on every question
is written as a numpy-readable tree ensemble (index/tree_model.py) with what it was trained on.
Only dev questions are read: the blind set never trains or tunes anything.

LightGBM is needed here only (`pip install -e '.[train]'`); the search reads the model without it.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import statistics
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from eval.judged import load_grades, passage_id, set_name_of
from eval.matching import is_hit, load_questions
from eval.run import METRIC_KEYS, evaluate, index_retriever
from index.rank_features import FEATURE_NAMES

HERE = Path(__file__).resolve().parent
MODES = (("with filters", True), ("text only", False))
GRID = {"num_leaves": (7, 15), "n_estimators": (150, 400), "learning_rate": (0.03,), "min_child_samples": (20,)}
CONCEPT_FEATURES = ("concept_terms", "q_concepts")
SEED = 7


@dataclass
class Group:
    """One search's candidates: their features and labels."""

    qid: str
    mode: str
    rows: np.ndarray
    labels: np.ndarray


@dataclass
class Source:
    """One development set and the index its questions are asked over."""

    path: Path
    questions: list[dict]
    index: object  # index.report_index.ReportIndex
    grades: dict[tuple[str, str], int]


def collect(index, questions: list[dict], grades: dict[tuple[str, str], int], concepts: bool = True) -> list[Group]:
    """Run every question both ways with the stage recording; label the candidates.

    Args:
        concepts: whether the concept vocabulary is on (its lexical list and features), as it will
            be when the model serves.
    """
    from index.search.rerank import LearnedRanker

    stage = next(r for r in index.searcher.rankers if isinstance(r, LearnedRanker))
    docs = index.searcher.documents()
    groups: list[Group] = []
    recorded: list = []
    stage.recorder = recorded.append
    saved = index.searcher.settings
    index.searcher.settings = replace(saved, rerank_model=None, concepts=concepts)
    retrieve, _ = index_retriever(index, "hybrid")
    try:
        for q in questions:
            for mode, use_filters in MODES:
                recorded.clear()
                retrieve(q["question"], q.get("filters", {}) if use_filters else {}, 10)
                if not recorded:
                    continue
                candidates, rows = recorded[-1]
                labels = []
                for c in candidates:
                    files = [Path(p).name for p in docs[c.doc_id].paths] if c.doc_id in docs else []
                    hit = any(is_hit(f, c.text, g) for f in files for g in q["gold"])
                    labels.append(2 if hit else grades.get((q["id"], passage_id(c.text)), 0))
                groups.append(Group(q["id"], mode, rows, np.asarray(labels)))
    finally:
        stage.recorder = None
        index.searcher.settings = saved
    return groups


def _folds(groups: list[Group], k: int) -> list[set[str]]:
    qids = sorted({g.qid for g in groups})
    rng = np.random.default_rng(SEED)
    rng.shuffle(qids)
    return [set(qids[i::k]) for i in range(k)]


def _fit(groups: list[Group], params: dict, drop: tuple[str, ...] = ()):
    import lightgbm

    rows = np.vstack([g.rows for g in groups]).astype(np.float64)
    for name in drop:  # a constant column: no tree can split on it
        rows[:, FEATURE_NAMES.index(name)] = 0.0
    labels = np.concatenate([g.labels for g in groups])
    model = lightgbm.LGBMRanker(objective="lambdarank", random_state=SEED, verbose=-1,
                                label_gain=[0, 1, 3], lambdarank_truncation_level=10, **params)
    model.fit(rows, labels, group=[len(g.labels) for g in groups])
    return model.booster_


def _offline(groups: list[Group], booster, drop: tuple[str, ...] = ()) -> tuple[float, float]:
    """hit@5 and MRR@10 of the candidates ordered by the model (before arranging): for choosing."""
    hits, rr = [], []
    for g in groups:
        rows = g.rows.astype(np.float64).copy()
        for name in drop:
            rows[:, FEATURE_NAMES.index(name)] = 0.0
        order = np.argsort(-booster.predict(rows), kind="stable")
        first = next((i for i, j in enumerate(order[:10], start=1) if g.labels[j] >= 2), None)
        hits.append(float(first is not None and first <= 5))
        rr.append(1.0 / first if first else 0.0)
    return statistics.fmean(hits), statistics.fmean(rr)


def choose(groups: list[Group], folds: list[set[str]], drop: tuple[str, ...] = ()) -> tuple[dict, list[dict]]:
    """The grid's settings with the best cross-validated (hit@5 + MRR@10) on the candidates."""
    tried = []
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values, strict=True))
        scores = []
        for fold in folds:
            booster = _fit([g for g in groups if g.qid not in fold], params, drop)
            scores.append(_offline([g for g in groups if g.qid in fold], booster, drop))
        hit5, mrr = (statistics.fmean(s[i] for s in scores) for i in (0, 1))
        tried.append({"params": params, "hit@5": round(hit5, 4), "mrr@10": round(mrr, 4)})
        print(f"  {params}: candidates hit@5 {hit5:.3f} MRR@10 {mrr:.3f}", flush=True)
    best = max(tried, key=lambda t: t["hit@5"] + t["mrr@10"])
    return best["params"], tried


def cross_validated_search(sources: list[Source], folds: list[set[str]], params: dict, groups: list[Group],
                           out_dir: Path, drop: tuple[str, ...] = ()) -> dict[str, dict]:
    """The whole search with each fold's model on its held-out questions: {set file: {mode: report}}."""
    from index.tree_model import TreeEnsemble

    models = []
    for number, fold in enumerate(folds):
        booster = _fit([g for g in groups if g.qid not in fold], params, drop)
        path = out_dir / f"fold-{number}.json"
        TreeEnsemble.from_lightgbm_dump(booster.dump_model()).save(path)
        models.append(path)
    reports: dict[str, dict] = {}
    for source in sources:
        index = source.index
        retrieve, files = index_retriever(index, "hybrid")
        saved = index.searcher.settings
        per_mode: dict[str, list[dict]] = {mode: [] for mode, _ in MODES}
        try:
            for fold, path in zip(folds, models, strict=True):
                index.searcher.settings = replace(saved, rerank_model=str(path), concepts=not drop)
                held_out = [q for q in source.questions if q["id"] in fold]
                for mode, use_filters in MODES:
                    per_mode[mode] += evaluate(held_out, retrieve, files, use_filters=use_filters)["questions"]
        finally:
            index.searcher.settings = saved
        reports[source.path.name] = {mode: _report(rows) for mode, rows in per_mode.items()}
    return reports


def _report(rows: list[dict]) -> dict:
    """eval.run's report shape (without latency: the folds' models ran one after another)."""

    def summary(part: list[dict]) -> dict:
        return {"n": len(part), **{k: round(statistics.fmean(r[k] for r in part), 4) for k in METRIC_KEYS},
                "latency_ms_p50": float("nan"), "latency_ms_p95": float("nan")}

    return {**summary(rows), "not_scored": 0,
            "by_kind": {k: summary([r for r in rows if r["kind"] == k]) for k in sorted({r["kind"] for r in rows})}}


def data_version(sources: list[Source]) -> list[dict]:
    """What the model was trained on: each set's file, its hash and how many judged grades it used."""
    return [{"questions": s.path.name, "sha256": hashlib.sha256(s.path.read_bytes()).hexdigest()[:16],
             "judged_grades": len(s.grades)} for s in sources]


def _source(questions: str, index_dir: str, labels: str) -> Source:
    from index.report_index import ReportIndex

    path = Path(questions)
    # each set's judged grades are cached under its own name ("dev" for questions.jsonl)
    grades = load_grades(set_name_of(path)) if labels == "gold+judged" else {}
    return Source(path, load_questions(path), ReportIndex.load(index_dir, read_only=True), grades)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", default=str(HERE / "questions.jsonl"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "index" / "models" / "ranker.json"))
    parser.add_argument("--without-concepts-out", default=str(HERE / "models" / "ranker-without-concepts.json"))
    parser.add_argument("--work", default="/tmp/ofsted-qa-ranker", help="fold models and the CV report")
    parser.add_argument("--labels", choices=("gold", "gold+judged"), default="gold",
                        help="labels: gold quotes alone (the shipped model), or with dev's judged grades as well (on "
                             "dev's gold-quote CV, 2026-12-06: hit@5 0.879 / 0.857 against 0.890 / 0.868 with gold "
                             "alone, because judged-good passages that hold no gold quote count as misses there)")
    parser.add_argument("--variant", choices=("both", "with", "without"), default="both",
                        help="train the model with the concept features, without them (for eval only), or both")
    parser.add_argument("--also", action="append", default=[], metavar="QUESTIONS=INDEX",
                        help="another development set and the index it is asked over (repeatable)")
    args = parser.parse_args(argv)

    from index.tree_model import TreeEnsemble

    pairs = [(args.questions, args.index)]
    for pair in args.also:
        questions, sep, index_dir = pair.partition("=")
        if not sep or not questions or not index_dir:
            parser.error(f"--also takes QUESTIONS=INDEX, got {pair!r}")
        pairs.append((questions, index_dir))
    if any("blind" in Path(questions).name for questions, _ in pairs):
        parser.error("the blind set never trains anything")
    sources = [_source(questions, index_dir, args.labels) for questions, index_dir in pairs]
    ids = [q["id"] for s in sources for q in s.questions]
    if len(ids) != len(set(ids)):
        parser.error("question ids repeat across the sets; folds group by id")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"data": data_version(sources), "labels": args.labels, "trained": date.today().isoformat(),
                    "features": list(FEATURE_NAMES)}
    for name, drop, out in (("with concepts", (), Path(args.out)),
                            ("without concepts", CONCEPT_FEATURES, Path(args.without_concepts_out))):
        if args.variant != "both" and not name.startswith(args.variant + " "):
            continue
        groups: list[Group] = []
        for source in sources:
            print(f"{name}: collecting candidates of {len(source.questions)} questions of {source.path.name}, "
                  "both ways", flush=True)
            groups += collect(source.index, source.questions, source.grades, concepts=not drop)
        folds = _folds(groups, args.folds)
        print(f"{name}: choosing settings by {args.folds}-fold CV grouped by question", flush=True)
        params, tried = choose(groups, folds, drop)
        cv = cross_validated_search(sources, folds, params, groups, work, drop)
        for set_file, modes in cv.items():
            for mode, r in modes.items():
                print(f"  CV, whole search, {set_file}, {mode}: hit@5 {r['hit@5']:.3f} MRR@10 {r['mrr@10']:.3f}",
                      flush=True)
        booster = _fit(groups, params, drop)
        about = {**report, "variant": name, "params": params, "grid": tried, "cross_validated": cv,
                 "candidates": sources[0].index.searcher.settings.rerank_depth}
        out.parent.mkdir(parents=True, exist_ok=True)
        TreeEnsemble.from_lightgbm_dump(booster.dump_model(), about=about).save(out)
        print(f"  wrote {out}", flush=True)
        (work / f"cv-{name.replace(' ', '-')}.json").write_text(json.dumps(about, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
