"""Score question reading (index/query.py) on labelled questions: what a question's words were read as.

    python -m eval.reading [--set dev|held] [--errors] [--file PATH]

Each line: {"id", "question", "trap", "expect": {"authorities": [ONS names], "area", "neighbours_of",
"years": {"from", "to"} | null, "grades": [{"judgement", "grade"}], "latest"}}. For each kind
(authorities, area, neighbours, years, grades, latest) precision (nothing read that should not be)
and recall, counting a narrowed or a favoured reading as read; and a strict precision of what
narrowed alone. Authorities are compared only where no area is expected (an area's members are
its reading); a council's latest report favoured by default is not a "latest" reading.

Two sets. dev, `eval/reading.jsonl`: the rules are developed on it. held,
`eval/reading_held.jsonl`: written by a helper who read no code and no other question file,
scored in totals only and read once; `--errors` is refused for it. A held set that has been read
joins dev (its questions appended, ids kept), and a new one is written: the first 295 questions
(ids r...) were written together and their even half held back; the h... and k... questions were
each a held set of their own (read once on 2026-12-06, figures in eval/RESULTS.md) before they
joined dev. Reading needs the registry only, no index.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from index.query import QueryPlan, read_question
from ingest.authorities import AuthorityRegistry, default_registry

HERE = Path(__file__).resolve().parent
SETS = {"dev": HERE / "reading.jsonl", "held": HERE / "reading_held.jsonl"}
KINDS = ("authorities", "area", "neighbours", "years", "grades", "latest")


def set_file(name: str) -> Path:
    """The file of a named set.

    Raises:
        ValueError: an unknown set.
    """
    if name not in SETS:
        raise ValueError(f"unknown set {name!r}; valid: {', '.join(SETS)}")
    return SETS[name]


def load(path: str | Path | None = None) -> list[dict]:
    """The items of a file of labelled questions (default: the dev set)."""
    items = []
    with open(path or SETS["dev"], encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                items.append(json.loads(line))
    return items


def read_as(plan: QueryPlan) -> dict[str, tuple[set, set]]:
    """What a plan read, per kind: (everything read, narrowed or favoured; what narrowed alone)."""
    out: dict[str, tuple[set, set]] = {}
    named = set() if plan.region else {a.key for a in plan.authorities}
    out["authorities"] = (named | {a.key for a in plan.favoured_authorities}, named)
    area = {plan.region} if plan.region else set()
    out["area"] = (area, area)
    near = {plan.neighbours_of.key} if plan.neighbours_of else set()
    out["neighbours"] = (near, near)
    years: set = set()
    narrowed_years: set = set()
    if plan.year_from is not None or plan.year_to is not None:
        years = narrowed_years = {(plan.year_from, plan.year_to)}
    elif plan.years:
        years = {(min(plan.years), max(plan.years))}
    out["years"] = (years, narrowed_years)
    grades = {(judgement, g.replace(" ", "_"))
              for judgement, said in [(plan.grade_judgement, plan.grades), *plan.more_grades] for g in said}
    out["grades"] = (grades, set() if plan.grades_favoured else grades)
    latest = {True} if plan.latest else set()
    out["latest"] = (latest, latest)
    return out


def expected(item: dict, registry: AuthorityRegistry) -> dict[str, set]:
    """What the item's question should be read as, per kind, in read_as's terms."""
    expect = item["expect"]
    out: dict[str, set] = {}
    keys = set()
    for name in expect.get("authorities") or []:
        found = registry.resolve(name)
        if found is None:
            raise ValueError(f"{item['id']}: {name!r} is not an authority")
        keys.add(found.key)
    out["authorities"] = keys
    out["area"] = {expect["area"]} if expect.get("area") else set()
    near = registry.resolve(expect["neighbours_of"]) if expect.get("neighbours_of") else None
    out["neighbours"] = {near.key} if near else set()
    years = expect.get("years")
    out["years"] = {(years.get("from"), years.get("to"))} if years else set()
    out["grades"] = {(g["judgement"], g["grade"]) for g in expect.get("grades") or []}
    out["latest"] = {True} if expect.get("latest") else set()
    return out


@dataclass
class Tally:
    """Counts of one kind over the items scored."""

    read: int = 0  # things read (narrowed or favoured)
    right: int = 0  # of those, expected
    expected: int = 0
    found: int = 0  # expected things read
    narrowed: int = 0
    narrowed_right: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.read if self.read else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def narrowed_precision(self) -> float:
        return self.narrowed_right / self.narrowed if self.narrowed else 1.0


@dataclass
class Score:
    """Tallies per kind, and the items misread (id, question, kind, read, expected)."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    errors: list[tuple[str, str, str, list, list]] = field(default_factory=list)
    items: int = 0

    def strict_precision(self) -> float:
        """Precision of what narrowed, over every kind."""
        narrowed = sum(t.narrowed for t in self.tallies.values())
        return sum(t.narrowed_right for t in self.tallies.values()) / narrowed if narrowed else 1.0


def score(items: list[dict], registry: AuthorityRegistry | None = None) -> Score:
    """Read each item's question and compare with what it expects.

    Args:
        items: lines of eval/reading.jsonl.
        registry: the authorities (default: corpus/la_lookup.csv with its abbreviations and areas).

    Returns:
        The Score: per-kind tallies and the misread items.
    """
    registry = registry or default_registry()
    result = Score()
    for item in items:
        result.items += 1
        plan = read_question(item["question"], registry=registry)
        got, want = read_as(plan), expected(item, registry)
        for kind in KINDS:
            if kind == "authorities" and want["area"]:
                continue  # an area's members are its reading
            read, narrowed = got[kind]
            tally = result.tallies[kind]
            tally.read += len(read)
            tally.right += len(read & want[kind])
            tally.expected += len(want[kind])
            tally.found += len(want[kind] & read)
            tally.narrowed += len(narrowed)
            tally.narrowed_right += len(narrowed & want[kind])
            if read != want[kind]:
                result.errors.append((item["id"], item["question"], kind, sorted(map(str, read)),
                                      sorted(map(str, want[kind]))))
    return result


def report(result: Score, errors: bool) -> str:
    """The table of precision and recall per kind (and the errors, when asked)."""
    lines = [f"{result.items} questions", f"{'kind':<12} {'precision':>9} {'recall':>7} {'narrowed':>9} "
             f"{'read':>5} {'expected':>8}"]
    for kind, t in result.tallies.items():
        lines.append(f"{kind:<12} {t.precision:>9.3f} {t.recall:>7.3f} {t.narrowed_precision:>9.3f} "
                     f"{t.read:>5} {t.expected:>8}")
    lines.append(f"strict narrowed precision (all kinds): {result.strict_precision():.3f}")
    if errors:
        lines.append("")
        for item_id, question, kind, read, want in result.errors:
            lines.append(f"{item_id} {kind}: read {read}, expected {want} | {question}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The command line: prints the table; exit status 2 for a refused request."""
    parser = argparse.ArgumentParser(prog="python -m eval.reading", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="set_name", choices=tuple(SETS), default="dev")
    parser.add_argument("--errors", action="store_true", help="list the misread questions (not for held)")
    parser.add_argument("--file", help="score this file instead (as dev)")
    args = parser.parse_args(argv)
    if args.errors and args.set_name == "held":
        print("--errors is for dev only: the held set is scored in totals, unseen", file=sys.stderr)
        return 2
    path = args.file or set_file(args.set_name)
    if not Path(path).exists():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    print(report(score(load(path)), args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
