"""Inspection readiness on the command line: `ofsted-qa authority` (one authority's reports and its
neighbours), `ofsted-qa themes` (the recommendations' themes) and `ofsted-qa followup` ("was it fixed?").

They read what `ofsted-qa ingest` stored (app/ui/authority_page.py, index/themes.py,
index/followup.py); every line printed under a theme or a recommendation is verbatim from a report,
with its citation.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import asdict

from app.links import page_link


def _authority_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="AUTHORITY")
    p.add_argument("--json", action="store_true", help="print JSON")


def _themes_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--authority", action="append", metavar="NAME", help="count these authorities only (repeatable)")
    p.add_argument("--neighbours-of", metavar="NAME", help="add this authority and its ten statistical neighbours")
    p.add_argument("--examples", type=int, default=3, metavar="N", help="verbatim examples per theme (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _followup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("authority", metavar="AUTHORITY")
    p.add_argument("--closest", type=int, default=2, metavar="N", help="passages of the next report (default 2)")
    p.add_argument("--json", action="store_true", help="print JSON")


# Each command's arguments (the CLI adds --index, and adds them only when the command is chosen).
ARGUMENTS = {"authority": _authority_arguments, "themes": _themes_arguments, "followup": _followup_arguments}


def run_authority(index, args: argparse.Namespace) -> int:
    """Print one authority's page; raises ValueError for a name that is no authority."""
    from app.ui.authority_page import authority_profile

    profile = authority_profile(index, args.name)
    if args.json:
        print(json.dumps(asdict(profile), indent=2, default=str))
        return 0
    print(f"{profile.name} ({profile.region})\n")
    if not profile.reports:
        print("no report of this authority is in the index")
    for report in profile.reports:
        grades = ", ".join(f"{key.replace('_', ' ')}: {grade}" for key, grade in report.judgements.items())
        date = report.date + (" (estimated)" if report.date_estimated else "")
        print(f"{date}  {report.report_type}  lead inspector: {report.lead_inspector or 'not named'}")
        print(f"   {grades or 'no judgements read'}")
        print(f"   {report.file}" + (f"  Ofsted: {report.ofsted_url}" if report.ofsted_url else ""))
    print("\nStatistical neighbours, closest first: latest report")
    for neighbour in profile.neighbours:
        latest = (f"{neighbour.latest_date} {neighbour.latest_overall or 'no overall grade'}"
                  if neighbour.latest_date else "not in this index")
        print(f"   {neighbour.name}: {latest}")
    return 0


def run_themes(index, args: argparse.Namespace) -> int:
    """Print the themes view; raises QueryError for unknown authorities."""
    from index.themes import share_label, theme_overview

    if not 1 <= args.examples <= 10:
        raise ValueError(f"--examples must be 1 to 10; got {args.examples}")
    view = theme_overview(index.searcher, args.authority, args.neighbours_of, args.examples)
    if args.json:
        data = asdict(view)
        for theme in data["themes"]:
            for example, point in zip(theme["examples"], next(t for t in view.themes
                                                              if t.theme == theme["theme"]).examples, strict=True):
                example["citation"] = point.citation_label()
                example["link"] = page_link(index, point.doc_id, point.page_start)
        print(json.dumps(data, indent=2, default=str))
        return 0
    if view.message:
        print(view.message)
    if not view.themes:
        return 0
    scope = "; ".join(view.scope) if view.scope else "every report"
    print(f"{view.n_points} recommendations from {view.n_reports} reports ({scope}); "
          f"{len(view.themes)} themes (k chosen by {view.about.get('criterion', 'a measured criterion')})\n")
    for theme in view.themes:
        if not theme.count:
            continue
        share = share_label(theme.count, view.n_points, theme.share_all, bool(view.scope))
        print(f"## {theme.label}: {theme.count} recommendation(s) in {theme.reports} report(s) ({share})")
        print("   by year: " + ", ".join(f"{k} {v}" for k, v in theme.by_year.items()))
        print("   by framework: " + ", ".join(f"{k} {v}" for k, v in theme.by_framework.items()))
        print("   by overall grade: " + ", ".join(f"{k} {v}" for k, v in theme.by_grade.items()))
        for point in theme.examples:
            print(textwrap.fill(f"“{point.text}”", width=100, initial_indent="   - ", subsequent_indent="     "))
            link = page_link(index, point.doc_id, point.page_start)
            print(f"     {point.citation_label()}" + (f"  open: {link}" if link else ""))
        print()
    return 0


def run_followup(index, args: argparse.Namespace) -> int:
    """Print "was it fixed?" for one authority; raises QueryError for an unknown one."""
    from index.followup import follow_up

    if not 1 <= args.closest <= 5:
        raise ValueError(f"--closest must be 1 to 5; got {args.closest}")
    result = follow_up(index.searcher, args.authority, args.closest)
    if args.json:
        data = asdict(result)
        for pair, pair_data in zip(result.pairs, data["pairs"], strict=True):
            for followed, point_data in zip(pair.points, pair_data["points"], strict=True):
                point_data["point"]["citation"] = followed.point.citation_label()
                for passage, passage_data in zip(followed.closest, point_data["closest"], strict=True):
                    passage_data["citation_line"] = passage.citation.line()
                    passage_data["link"] = page_link(index, passage.doc_id, passage.citation.page_start)
        print(json.dumps(data, indent=2, default=str))
        return 0
    if result.message:
        print(result.message)
    print(f"{result.authority}: each recommendation beside the closest passages of the next report "
          "(verbatim; the reader judges whether it was fixed)\n")
    for pair in result.pairs:
        print(f"== {pair.earlier}  ->  {pair.later}")
        if not pair.points:
            print("   (no recommendations indexed for the earlier report)\n")
        for followed in pair.points:
            print(textwrap.fill(f"“{followed.point.text}”", width=100, initial_indent="\n * ",
                                subsequent_indent="   "))
            print(f"   {followed.point.citation_label()}")
            for passage in followed.closest:
                text = " ".join(passage.highlighted_text()) or passage.text[:300]
                print(textwrap.fill(f"[similarity {passage.similarity:.2f}] {text}", width=100,
                                    initial_indent="     > ", subsequent_indent="       "))
                print(f"       {passage.citation.line()}")
        print()
    return 0
