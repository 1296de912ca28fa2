"""How well the metadata reader does, measured against corpus/manifest.csv, as retrieval is measured.

    python -m eval.metadata_accuracy --reports ../shared/corpus/reports [--held-out-only] [--cache DIR]

The authorities are split as for development: sorted by the manifest's `local_authority`, every
fifth one (indices 4, 9, 14, ...) is held out; the reader was developed on the others' reports only.
Figures are given for each part separately.

Two readings of every report:
- text only (the primary figure): the report's own text, as for a PDF a user brings with any file
  name; a publication date not printed is estimated from the end of the inspection.
- with file name: the pipeline's fallbacks for the authority and the publication date, from the
  corpus's file names (`<authority>_<publication date>.pdf`), which make both nearly trivial here.
`--blank-first-page` reads every report as if page 1 carried no text, to measure the fallbacks
(running headers, "<Name> Council" lines, the authority the text names most).
The manifest is never consulted for a reading (it is what the readings are compared with).

Fields: authority (the registry's key, and whether the display name is the registry's own), report
type (ILACS standard / short / 2026 framework, where the manifest gives a framework), inspection
dates (first and last day), publication date (printed dates: share exactly right; estimated ones:
median absolute error in days, share within 14 days, share in the right year), grades (the five
ILACS judgements the manifest records). The manifest is a third-party scrape: a disagreement is
sometimes the manifest's error (tests/ingest/test_metadata.py lists those checked).
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import statistics
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ingest.authorities import default_registry
from ingest.metadata import authority_key, extract_metadata
from ingest.models import GRADES, ReportMetadata
from ingest.pdf import read_pages
from ingest.pipeline import fill_authority_from_file_name, fill_publication_date

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "corpus" / "manifest.csv"
HOLD_OUT_EVERY = 5  # every fifth authority, from the fifth: indices 4, 9, 14, ...
GRADE_FIELDS = ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "in_care", "care_leavers")
NOT_GRADES = {"", "data_unreadable", "not_reported_post_reform", "inspection_pre_dates_judgement"}
CLOSE_DAYS = 14


def held_out_authorities(rows: list[dict[str, str]]) -> set[str]:
    """The manifest authorities held out while developing: every fifth, alphabetically, from the fifth."""
    names = sorted({row["local_authority"] for row in rows})
    return {name for i, name in enumerate(names) if i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1}


# ---------------------------------------------------------------------------
# Reading (in worker processes)
# ---------------------------------------------------------------------------

def _pages(path: Path, sha256: str, cache: Path | None) -> list[str]:
    cached = cache / f"{sha256}.json" if cache else None
    if cached and cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    pages = read_pages(path)
    if cached:
        cached.write_text(json.dumps(pages), encoding="utf-8")
    return pages


Reading = tuple[ReportMetadata | None, str | None]  # the metadata and where its publication date came from


def read_report(item: tuple[str, str, str | None, bool]) -> tuple[str, Reading, Reading]:
    """(file, text-only reading, reading with the file name) for one report; (None, error) if unreadable."""
    path, sha256, cache, blank_first_page = item
    try:
        pages = _pages(Path(path), sha256, Path(cache) if cache else None)
        if blank_first_page:
            pages = ["", *pages[1:]]  # as if page 1 were an image: the fallbacks must find the rest
        text_only = extract_metadata(pages)
    except Exception as exc:  # noqa: BLE001 - count an unreadable file as wrong, keep going
        error = f"{type(exc).__name__}: {exc}"
        return Path(path).name, (None, error), (None, error)
    with_name = copy.deepcopy(text_only)
    text_source = fill_publication_date(text_only)  # no manifest, no file name: printed, else estimated
    fill_authority_from_file_name(with_name, path)
    name_source = fill_publication_date(with_name, path=path)
    return Path(path).name, (text_only, text_source), (with_name, name_source)


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------

def _manifest_grade(value: str) -> str | None:
    value = value.strip().lower()
    if value == "to requires improvement":  # the scraper cut "Requires improvement\nto be good"
        return "requires improvement"
    return value if value in GRADES and value not in NOT_GRADES else None


def _expected_type(row: dict[str, str]) -> str | None:
    if row["framework"] not in ("standard", "short"):
        return None  # blank for SIF and 2013 reports; one row says "longer than standard"
    if row["overall_effectiveness"] == "not_reported_post_reform":
        return "ilacs_2026"
    return f"ilacs_{row['framework']}"


def _manifest_dates(row: dict[str, str]) -> tuple[date, date] | None:
    if not (row["inspection_start"] and row["inspection_end"]):
        return None
    start, end = (datetime.strptime(row[k], "%d/%m/%Y").date() for k in ("inspection_start", "inspection_end"))
    return start, end


@dataclass
class Tally:
    """Agreement with the manifest over one part of the corpus, for one reading."""

    reports: int = 0
    right: Counter = field(default_factory=Counter)
    compared: Counter = field(default_factory=Counter)
    printed_dates: int = 0
    printed_right: int = 0
    from_file_name: int = 0
    file_name_right: int = 0
    estimate_errors: list[int] = field(default_factory=list)  # days, signed (estimate - manifest)
    estimate_same_year: int = 0
    no_date: int = 0
    errors: list[tuple[str, str, object, object]] = field(default_factory=list)

    def check(self, name: str, field_name: str, expected: object, got: object) -> None:
        self.compared[field_name] += 1
        if expected == got:
            self.right[field_name] += 1
        else:
            self.errors.append((name, field_name, expected, got))

    def add(self, row: dict[str, str], meta: ReportMetadata | None, source: str | None) -> None:
        name = row["file"]
        self.reports += 1
        if meta is None:
            self.check(name, "authority", row["local_authority"], None)
            return
        registry = default_registry()
        truth = registry.by_urn(row["urn"]) or registry.resolve(row["local_authority"])
        self.check(name, "authority", authority_key(row["local_authority"]), authority_key(meta.local_authority or ""))
        if truth is not None:
            self.check(name, "authority_canonical_name", truth.name, meta.local_authority)
        if _expected_type(row):
            self.check(name, "report_type", _expected_type(row), meta.report_type)
        dates = _manifest_dates(row)
        if dates:
            self.check(name, "inspection_dates", dates, (meta.inspection_start, meta.inspection_end))
        for grade_field in GRADE_FIELDS:
            grade = _manifest_grade(row[grade_field])
            if grade:
                self.check(name, grade_field, grade, meta.judgements.get(grade_field))
        self._add_published(name, date.fromisoformat(row["published"]), meta.published, source)

    def _add_published(self, name: str, expected: date, got: date | None, source: str | None) -> None:
        if got is None:
            self.no_date += 1
            self.errors.append((name, "published", expected, None))
        elif source == "report":
            self.printed_dates += 1
            self.printed_right += got == expected
        elif source == "file name":
            self.from_file_name += 1
            self.file_name_right += got == expected
        else:
            self.estimate_errors.append((got - expected).days)
            self.estimate_same_year += got.year == expected.year
        if got is not None and got != expected and source != "estimated":
            self.errors.append((name, "published", expected, got))

    def rate(self, *fields: str) -> str:
        right = sum(self.right[f] for f in fields)
        compared = sum(self.compared[f] for f in fields)
        return f"{right}/{compared} = {right / compared:.1%}" if compared else "-"

    def figures(self) -> dict[str, object]:
        errors = [abs(e) for e in self.estimate_errors]
        n = len(errors)
        return {
            "reports": self.reports,
            "authority": self.rate("authority"),
            "authority_canonical_name": self.rate("authority_canonical_name"),
            "report_type": self.rate("report_type"),
            "inspection_dates": self.rate("inspection_dates"),
            "published_printed_exact": f"{self.printed_right}/{self.printed_dates}" if self.printed_dates else "-",
            "published_file_name_exact": f"{self.file_name_right}/{self.from_file_name}" if self.from_file_name
            else "-",
            "published_estimated": n,
            "estimate_median_abs_error_days": statistics.median(errors) if errors else None,
            f"estimate_within_{CLOSE_DAYS}_days": f"{sum(e <= CLOSE_DAYS for e in errors) / n:.1%}" if n else "-",
            "estimate_same_year": f"{self.estimate_same_year / n:.1%}" if n else "-",
            "published_none": self.no_date,
            "grades_all": self.rate(*GRADE_FIELDS),
            **{f"grade_{f}": self.rate(f) for f in GRADE_FIELDS},
        }


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def _parts(rows: list[dict[str, str]], held_out_only: bool, dev_only: bool) -> dict[str, list[dict[str, str]]]:
    held = held_out_authorities(rows)
    parts = {"development": [r for r in rows if r["local_authority"] not in held],
             "held-out": [r for r in rows if r["local_authority"] in held]}
    if held_out_only:
        del parts["development"]
    if dev_only:
        del parts["held-out"]
    return parts


def _print_table(results: dict[str, dict[str, dict[str, object]]]) -> None:
    columns = [(part, reading) for part in results for reading in results[part]]
    keys = list(next(iter(next(iter(results.values())).values())))
    print(f"{'':34}" + "".join(f"{part + ' / ' + reading:>30}" for part, reading in columns))
    for key in keys:
        print(f"{key:34}" + "".join(f"{str(results[part][reading][key]):>30}" for part, reading in columns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.metadata_accuracy", description=__doc__.split("\n")[0])
    parser.add_argument("--reports", required=True, metavar="DIR", help="folder of the corpus PDFs")
    parser.add_argument("--manifest", default=str(DEFAULT_MANIFEST), help="manifest.csv to compare with")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--held-out-only", action="store_true", help="only the held-out authorities' reports")
    group.add_argument("--dev-only", action="store_true", help="only the development part (while developing)")
    parser.add_argument("--cache", metavar="DIR", help="keep the PDFs' page text here between runs")
    parser.add_argument("--workers", type=int, default=2, help="parsing processes (default 2)")
    parser.add_argument("--blank-first-page", action="store_true",
                        help="read every report as if its first page had no text (an image cover)")
    parser.add_argument("--errors", action="store_true",
                        help="list the development part's disagreements (never the held-out part's)")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    with open(args.manifest, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if (Path(args.reports) / r["file"]).is_file()]
    if not rows:
        print(f"no report of {args.manifest} is in {args.reports}", file=sys.stderr)
        return 2
    if args.cache:
        Path(args.cache).mkdir(parents=True, exist_ok=True)
    parts = _parts(rows, args.held_out_only, args.dev_only)
    items = [(str(Path(args.reports) / r["file"]), r["sha256"], args.cache, args.blank_first_page)
             for part in parts.values() for r in part]
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        readings = {name: (text, named) for name, text, named in pool.map(read_report, items, chunksize=4)}

    results: dict[str, dict[str, dict[str, object]]] = {}
    tallies: dict[str, Tally] = {}
    for part, part_rows in parts.items():
        text_tally, name_tally = Tally(), Tally()
        for row in part_rows:
            text_only, with_name = readings[row["file"]]
            text_tally.add(row, *text_only)
            name_tally.add(row, *with_name)
        results[part] = {"text only": text_tally.figures(), "with file name": name_tally.figures()}
        tallies[part] = text_tally
        print(f"{part}: {len(part_rows)} reports of {len({r['local_authority'] for r in part_rows})} authorities")
    _print_table(results)
    if args.errors and "development" in tallies:
        print("\ndevelopment part, text only: disagreements (file, field, manifest, read)")
        for name, field_name, expected, got in tallies["development"].errors:
            print(f"  {name:45} {field_name:26} {expected!s:40} {got!s}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
