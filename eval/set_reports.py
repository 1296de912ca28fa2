"""The reports a question set was written over (its gold files), as paths to ingest.

The everyday and blind sets are asked over an index of their own 50 reports, as they were written:

    ofsted-qa ingest $(python -m eval.set_reports eval/everyday.jsonl) --index data/everyday-index

Prints one path per line, under `--reports` (default: the shared corpus beside the repository).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eval.matching import load_questions

DEFAULT_REPORTS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reports"


def set_reports(questions: list[dict]) -> list[str]:
    """The file names of every gold passage of the questions, sorted, each once."""
    return sorted({g["file"] for q in questions for g in q["gold"]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions")
    parser.add_argument("--reports", default=str(DEFAULT_REPORTS), help="the folder of the report PDFs")
    args = parser.parse_args(argv)
    folder = Path(args.reports)
    names = set_reports(load_questions(args.questions))
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        parser.error(f"{len(missing)} report(s) not in {folder}, e.g. {missing[0]}")
    for name in names:
        print(folder / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
