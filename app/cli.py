"""The `ofsted-qa` command line. Heavy imports (torch, gradio) happen inside the commands that need them."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shutil
import sqlite3
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from app.links import page_link

log = logging.getLogger("ofsted_qa")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _index_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", default=None, metavar="DIR",
        help="index folder (default: $OFSTED_QA_INDEX, else ./data/index, else make demo's ./data/demo-index)",
    )


FILTER_MODES = ("both", "on", "off")


class _LazySubcommands(argparse._SubParsersAction):
    """Subcommands whose arguments are added only when that subcommand is chosen.

    Some commands define their arguments beside their code (`bench` in eval/bench.py, `fetch-corpus`
    in app/fetch.py), and importing that code is slow; `ofsted-qa ask` should not pay for it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._arguments: dict[str, Callable[[argparse.ArgumentParser], None]] = {}

    def add_command(self, name: str, what: str, arguments: Callable[[argparse.ArgumentParser], None]) -> None:
        self.add_parser(name, help=what, description=what)
        self._arguments[name] = arguments

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        arguments = self._arguments.pop(values[0], None)
        if arguments is not None:
            arguments(self.choices[values[0]])
        super().__call__(parser, namespace, values, option_string)


def _report_filter_args(parser: argparse.ArgumentParser) -> None:
    """--authority, --year / --years and --type, as `ask` and `pack add` take them."""
    parser.add_argument("--authority", action="append", metavar="NAME",
                        help="only this local authority (repeatable)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--year", metavar="Y", help="reports published or inspected in year Y")
    group.add_argument("--years", metavar="A-B", help="reports published or inspected in years A to B")
    parser.add_argument("--type", dest="report_type", action="append", metavar="T",
                        help="report type (repeatable): sif, sif_reinspection, ilacs_standard, ilacs_short, "
                             "ilacs_2026, lac_2013, lscb_review, other_ofsted (monitoring, focused visit and "
                             "JTAI letters)")


def _ingest_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--workers", type=int, default=1, help="PDF parsing processes (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")
    _index_arg(p)


def _ask_arguments(p: argparse.ArgumentParser) -> None:
    from index.search.filters import READING_KINDS
    from index.settings import DEFAULT_K

    p.add_argument("question")
    _report_filter_args(p)
    p.add_argument("--grade", action="append", metavar="G", help="overall grade, e.g. inadequate (repeatable)")
    p.add_argument("--judgement", action="append", metavar="J=G",
                   help="grade on one judgement (repeatable), e.g. care_leavers=good; judgements: "
                        "overall_effectiveness, impact_of_leaders, help_and_protection, in_care, care_leavers")
    p.add_argument("--latest", action="store_true", help="each authority's latest report only")
    p.add_argument("--region", metavar="NAME", help="authorities of one region, e.g. 'North West'")
    p.add_argument("--neighbours-of", metavar="NAME",
                   help="this authority and its ten statistical neighbours (la_lookup.csv)")
    p.add_argument("--contrast", action="store_true",
                   help="what good looks like: passages from reports graded good or outstanding on the judgement "
                        "the question is about, beside passages from reports graded requires improvement or "
                        "inadequate")
    p.add_argument("--recommendations", action="store_true",
                   help="recommendations only: passages of the reports' lists of what must improve")
    undo = p.add_mutually_exclusive_group()
    undo.add_argument("--literal", action="store_true",
                      help="search the question's words alone: no council, region, year, grade or section it "
                           "names narrows or favours anything, and no spelling is corrected")
    undo.add_argument("--ignore-reading", action="append", choices=READING_KINDS, metavar="KIND",
                      help="do not apply this kind of the question's reading (repeatable); the answer's first "
                           f"lines say what each did. Kinds: {', '.join(READING_KINDS)}")
    p.add_argument("-k", type=int, default=DEFAULT_K, help=f"number of passages (default {DEFAULT_K})")
    p.add_argument("--retriever", default="hybrid", help="hybrid (default), dense or lexical")
    p.add_argument("--json", action="store_true", help="print JSON")
    _index_arg(p)


def _stats_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")
    _index_arg(p)


def _remove_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="+", metavar="FILE")
    _index_arg(p)


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    from ingest.environment import AUTH, PUBLIC_URL

    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    login = p.add_mutually_exclusive_group()
    login.add_argument("--auth", metavar="USER:PASSWORD",
                       help=f"require this login (or put it in ${AUTH}, or in a file: --auth-file, so that it is "
                            "not in the process list)")
    login.add_argument("--auth-file", metavar="FILE", help="require the login USER:PASSWORD on this file's one line")
    login.add_argument("--no-auth", action="store_true",
                       help=f"allow a public host without a login (and ignore ${AUTH})")
    p.add_argument("--public-url", metavar="URL",
                   help=f"the address colleagues reach the app at (e.g. https://ofsted-qa.council.gov.uk), for "
                        f"the page links of exports and packs (default ${PUBLIC_URL}; without one, exports lead "
                        "with Ofsted's published copy)")
    _index_arg(p)


def _fetch_arguments(p: argparse.ArgumentParser) -> None:
    from app.fetch import add_fetch_arguments

    add_fetch_arguments(p)


def _update_arguments(p: argparse.ArgumentParser) -> None:
    from app.update import add_update_arguments

    add_update_arguments(p)
    _index_arg(p)


def _readiness_arguments(command: str) -> Callable[[argparse.ArgumentParser], None]:
    """The arguments of `authority`, `themes` or `followup` (app/readiness_cli.py), and --index."""

    def add(p: argparse.ArgumentParser) -> None:
        from app.readiness_cli import ARGUMENTS

        ARGUMENTS[command](p)
        _index_arg(p)

    return add


def _eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("questions", metavar="QUESTIONS.jsonl")
    p.add_argument("--retriever", default="hybrid")
    p.add_argument("-k", type=int, default=10, help="the depth measured: hit@k, MRR@k (default 10)")
    p.add_argument("--json", dest="json_out", metavar="OUT")
    p.add_argument("--filters", choices=FILTER_MODES, default="both",
                   help="run each question with its filters, with the question text only, or both (default)")
    p.add_argument("--totals-only", action="store_true",
                   help="print and write totals and per-kind figures only, never question by question "
                        "(for a blind test set)")
    _index_arg(p)


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    from eval.bench import add_bench_arguments

    add_bench_arguments(p)


def _pack_arguments(p: argparse.ArgumentParser) -> None:
    packs = p.add_subparsers(dest="pack_command", metavar="ACTION")
    packs.required = True
    # (action, help, positional arguments, --json)
    for action, what, positional, as_json in (
        ("list", "the packs and how many passages each holds", (), True),
        ("show", "a pack's passages in order, with notes and citations", ("name",), True),
        ("create", "start an empty pack", ("name",), False),
        ("rename", "rename a pack", ("old", "new"), False),
        ("delete", "delete a pack and its passages", ("name",), False),
    ):
        q = packs.add_parser(action, help=what)
        for name in positional:
            q.add_argument(name, metavar=name.upper())
        if as_json:
            q.add_argument("--json", action="store_true", help="print JSON")
        _index_arg(q)
    q = packs.add_parser("add", help="search, and pin the passage at --rank N (default 1) to a pack")
    q.add_argument("name", metavar="NAME")
    q.add_argument("question")
    q.add_argument("--rank", type=int, default=1, metavar="N", help="the result to pin, as `ask` numbers them")
    q.add_argument("--note", default="", metavar="TEXT", help="why this passage matters")
    _report_filter_args(q)
    _index_arg(q)
    q = packs.add_parser("export", help="write a pack as Markdown, CSV or Word")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--format", dest="fmt", choices=("md", "csv", "docx"), required=True)
    q.add_argument("--out", required=True, metavar="FILE")
    q.add_argument("--base-url", default=None, metavar="URL",
                   help="the web app's address colleagues reach it at (e.g. https://ofsted-qa.council.gov.uk; "
                        "default $OFSTED_QA_PUBLIC_URL): every passage links to its page there, whatever "
                        "pinned it; without one, Ofsted's published copy leads")
    _index_arg(q)


# (command, help, the function that adds its arguments: called only when the command is chosen)
COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("ingest", "add PDF reports (files or folders) to the index", _ingest_arguments),
    ("ask", "answer a question with cited passages", _ask_arguments),
    ("stats", "what the index holds", _stats_arguments),
    ("remove", "remove reports from the index (by path or file name)", _remove_arguments),
    ("serve", "start the web app", _serve_arguments),
    ("fetch-corpus", "download reports from Ofsted's site (needs internet)", _fetch_arguments),
    ("update", "download and index the reports Ofsted has published since the newest one in the index "
               "(needs internet)", _update_arguments),
    ("eval", "measure retrieval on a question set", _eval_arguments),
    ("bench", "measure ingest, re-ingest, query and cold-start speed (or --scale N)", _bench_arguments),
    ("pack", "evidence packs: pin passages with notes, export them (md, csv, docx)", _pack_arguments),
    ("authority", "one authority's reports with their five judgements, and its statistical neighbours' latest "
                  "grades", _readiness_arguments("authority")),
    ("themes", "themes of the recommendations (what must improve), counted and exemplified",
     _readiness_arguments("themes")),
    ("followup", "was it fixed? each recommendation of a report beside the closest passages of the authority's "
                 "next report", _readiness_arguments("followup")),
)


def build_parser() -> argparse.ArgumentParser:
    """The `ofsted-qa` parser; each command's arguments are added when it is the one parsed."""
    parser = argparse.ArgumentParser(
        prog="ofsted-qa",
        description="Search Ofsted inspection reports of children's services; answers are cited passages.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_LazySubcommands)
    sub.required = True
    for name, what, arguments in COMMANDS:
        sub.add_command(name, what, arguments)
    return parser


# Commands that answer once and exit. They run without the cyclic garbage collector: its passes over
# the objects that imports and the index's first load create cost a cold `ask` about 40 ms (of ~0.5 s)
# and free next to nothing before the process ends. Long-lived commands (serve, ingest, eval, bench)
# keep it on.
ONE_SHOT_COMMANDS = frozenset({"ask", "stats", "themes", "followup", "authority", "pack"})
_last_command: str | None = None


def main(argv: list[str] | None = None) -> int:
    """Run one `ofsted-qa` command; returns its exit status (usage errors exit through argparse)."""
    collecting = gc.isenabled()
    gc.disable()  # until the command is known: parsing the arguments imports the search
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        global _last_command
        _last_command = args.command
        if collecting and args.command not in ONE_SHOT_COMMANDS:
            gc.enable()
        return _run(args)
    finally:
        if collecting:
            gc.enable()  # as the caller had it (tests call main in one long process)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler = {
        "ingest": cmd_ingest, "ask": cmd_ask, "stats": cmd_stats, "remove": cmd_remove,
        "serve": cmd_serve, "fetch-corpus": cmd_fetch, "update": cmd_update, "eval": cmd_eval, "bench": cmd_bench,
        "pack": cmd_pack, "themes": cmd_themes, "followup": cmd_followup, "authority": cmd_authority,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted; what was finished is kept (run the same command again to go on)", file=sys.stderr)
        return 130
    except _UserError as exc:
        print(f"ofsted-qa: {exc}", file=sys.stderr)
        return EXIT_USAGE


class _UserError(Exception):
    pass


def _location(args: argparse.Namespace):
    """The index this command reads (index/location.py), found once; says so when it is the demo index."""
    from index.location import locate_index

    if getattr(args, "_location", None) is None:
        args._location = locate_index(args.index)
        note = args._location.note()
        if note:
            print(f"ofsted-qa: {note}", file=sys.stderr)
    return args._location


def _index_dir(args: argparse.Namespace) -> Path:
    return _location(args).directory


def _open_index(args: argparse.Namespace, create: bool = False, read_only: bool = False,
                queries_only: bool = False):
    """Open the index with the configured embedder; `queries_only` picks its light query-time form.
    With `create`, the folder is --index, else $OFSTED_QA_INDEX, else ./data/index (never the demo index)."""
    from index.embed import load_embedder
    from index.location import IndexLocation, default_index_dir, is_index
    from index.report_index import IndexNotFoundError, ReportIndex
    from index.store import IndexMismatchError

    location = IndexLocation(Path(args.index) if args.index else default_index_dir(), "--index") if create \
        else _location(args)
    try:
        embedder = load_embedder(queries_only=queries_only)
        return ReportIndex.load(location.directory, embedder=embedder, create=create, read_only=read_only)
    except IndexNotFoundError as exc:
        raise _UserError(str(exc) if is_index(location.directory) else location.not_found()) from None
    except (IndexMismatchError, ValueError) as exc:
        raise _UserError(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:  # a folder we may not write to, a damaged database file
        raise _UserError(f"could not open the index at {location.directory}: {exc}") from None


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.progress import LineProgress

    # A bar on a terminal; elsewhere (make, a log file) a line now and then, so a long ingest is not silent.
    progress = False if args.no_progress else True if sys.stderr.isatty() else LineProgress(sys.stderr)
    if isinstance(progress, LineProgress):  # said first: the imports and the model take a while
        progress.note("loading the embedding model, then checking which files are new")

    from index.build import IndexLockedError, ingest_paths
    from index.location import DEFAULT_INDEX_DIR, DEMO_INDEX_DIR, is_index

    index = _open_index(args, create=True)
    if index.directory == DEFAULT_INDEX_DIR and is_index(DEMO_INDEX_DIR) and not index.store.counts()["documents"]:
        print(f"ofsted-qa: a new index at {DEFAULT_INDEX_DIR}, which commands read from now on, not the demo index "
              f"at {DEMO_INDEX_DIR} (to add to that one: --index {DEMO_INDEX_DIR})", file=sys.stderr)
    try:
        try:
            summary = ingest_paths(index, args.paths, workers=max(0, args.workers), progress=progress)
        finally:
            index.close()
    except IndexLockedError as exc:
        raise _UserError(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder: say so, keep what committed
        print(f"ofsted-qa: could not write to the index at {index.directory} ({exc}); the reports finished "
              "before this are kept: make room and run the same command again", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"added {len(summary.added)}, unchanged {len(summary.unchanged)}, updated {len(summary.updated)}, "
        f"replaced {len(summary.replaced)}, duplicates {len(summary.duplicates)}, failed {len(summary.failed)} "
        f"({summary.chunks_added} passages, {summary.seconds:.1f} s)"
    )
    if summary.updated:
        print(f"  updated: {len(summary.updated)} unchanged file(s) read again by a newer metadata reader "
              "(stored passages' embeddings reused)")
    for path, other in summary.duplicates:
        print(f"  same report as {other}: {path}")
    for path in summary.no_authority:
        print(f"  authority not recognised: {path}")
    for path, reason in summary.failed:
        print(f"  FAILED {path}: {reason}", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_FAILED


def cmd_ask(args: argparse.Namespace) -> int:
    from index.search import QueryError, SearchFilters

    try:
        filters = SearchFilters.build(authority=args.authority, year=args.year, years=args.years,
                                      report_type=args.report_type, grade=args.grade, judgement=args.judgement,
                                      latest_only=args.latest, region=args.region,
                                      neighbours_of=args.neighbours_of,
                                      section_kind="recommendations" if args.recommendations else None,
                                      ignore_reading=["all"] if args.literal else args.ignore_reading)
    except QueryError as exc:
        raise _UserError(str(exc)) from None
    # One question to embed: the numpy forward pass of the same model skips torch's ~8 s import.
    index = _open_index(args, read_only=True, queries_only=True)
    try:
        if args.contrast:
            from index.contrast import contrast_search

            contrast = contrast_search(index.searcher, args.question, filters, k=args.k)
        else:
            response = _closest_if_unanswered(index, index.search(args.question, filters, k=args.k,
                                                                  retriever=args.retriever))
    except QueryError as exc:
        raise _UserError(str(exc)) from None
    finally:
        index.close()
    if args.contrast:
        return _print_contrast(index, contrast, args.json)
    if args.json:
        print(json.dumps(_response_json(index, response), indent=2, default=str))
        return EXIT_OK
    _print_response(index, response)
    return EXIT_OK


def _closest_if_unanswered(index, response):
    """The response, or only its closest few when its best passage does not answer (index/closeness.py)."""
    from index.closeness import with_close_answer

    return with_close_answer(response, index.searcher.settings, index.embedder.name)


def _response_json(index, response) -> dict:
    return {
        "query": response.query, "message": response.message, "interpretation": response.interpretation,
        "reading": [{"kind": r.kind, "effect": r.effect, "label": r.label, "values": list(r.values)}
                    for r in response.reading],
        "ignore_reading": sorted(response.filters.ignore_reading),
        "results": [r.to_dict() | {"link": _pdf_link(index, r)} for r in response.results],
    }


# How to undo (or choose) each piece of the question's reading, by its effect; {kind} is the reading's kind.
_READING_UNDO = {"narrowed": "--ignore-reading {kind} to search without it",
                 "favoured": "--ignore-reading {kind} to rank without it",
                 "corrected": "--ignore-reading {kind} to search the words as typed"}
_ASKED_OPTION = {"authority": "--authority", "region": "--region", "neighbours": "--neighbours-of"}


def reading_lines(reading, ignored: frozenset[str] = frozenset()) -> list[str]:
    """What the question's words did to the search, one line per reading (types.Reading), each with how to
    undo it; a header line first. Empty when the words did nothing and nothing was ignored.

    Args:
        reading: the response's readings.
        ignored: the kinds the search was told not to apply (`SearchFilters.ignore_reading`).
    Returns:
        The lines, unindented header then indented readings.
    """
    lines = []
    for r in reading:
        if r.effect == "asked":
            option = _ASKED_OPTION.get(r.kind)
            how = f" ({option} NAME to choose)" if option else ""
        elif r.effect == "ignored":
            how = " (not applied, as asked)"
        else:
            how = f" ({_READING_UNDO[r.effect].format(kind=r.kind)})" if r.effect in _READING_UNDO else ""
        lines.append(f"  {'not applied' if r.effect == 'ignored' else r.effect}: {r.label}{how}")
    if "all" in ignored:
        lines.insert(0, "  the question's words alone (--literal): none of its reading applied")
    return ["what the question's words did:", *lines] if lines else []


def _print_contrast(index, contrast, as_json: bool) -> int:
    sides = (("good or outstanding", contrast.good), ("requires improvement or inadequate", contrast.poor))
    if as_json:
        print(json.dumps({"query": contrast.question, "judgement": contrast.judgement,
                          "good": _response_json(index, contrast.good),
                          "poor": _response_json(index, contrast.poor)}, indent=2, default=str))
        return EXIT_OK
    lines = reading_lines(contrast.good.reading, contrast.good.filters.ignore_reading)
    if lines:  # both sides read the question the same way: said once
        print("\n".join(lines) + "\n")
    for title, response in sides:
        print(f"== reports graded {title} for {contrast.judgement_label}\n")
        _print_response(index, response, show_reading=False)
        print()
    return EXIT_OK


def _print_response(index, response, show_reading: bool = True) -> None:
    # What the question's words did comes first, even before "no results": undoing one is the way on.
    lines = reading_lines(response.reading, response.filters.ignore_reading) if show_reading else []
    if lines:
        print("\n".join(lines) + "\n")
    if not response.results:
        print(response.message or "no results")
        return
    if response.interpretation:
        print(f"(question read as: {response.interpretation})\n")
    if response.message:  # e.g. nothing answers closely: the closest follow, said as such
        print(response.message + "\n")
    print(_format_results(index, response.results))


def _pdf_link(index, result) -> str | None:
    return page_link(index, result.doc_id, result.citation.page_start)


def _format_results(index, results) -> str:
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    start, end = ("\033[1;33m", "\033[0m") if color else ("»", "«")
    blocks = []
    for r in results:
        text = r.text
        for a, b in sorted(r.highlights, reverse=True):
            text = text[:a] + start + text[a:b] + end + text[b:]
        body = "\n".join(
            textwrap.fill(line, width=width, initial_indent="   ", subsequent_indent="   ")
            for line in text.splitlines() if line.strip()
        )
        extra = f" (and {r.duplicates} near-identical passage(s) elsewhere)" if r.duplicates else ""
        link = _pdf_link(index, r)
        blocks.append(
            f"{r.rank}. {r.citation.line()}  [score {r.score:.4f}]{extra}\n{body}"
            + (f"\n   open: {link}" if link else "")
        )
    return "\n\n".join(blocks)


def cmd_authority(args: argparse.Namespace) -> int:
    from app.readiness_cli import run_authority

    return _run_on_index(args, run_authority)


def cmd_themes(args: argparse.Namespace) -> int:
    from app.readiness_cli import run_themes

    return _run_on_index(args, run_themes)


def cmd_followup(args: argparse.Namespace) -> int:
    from app.readiness_cli import run_followup

    return _run_on_index(args, run_followup)


def _run_on_index(args: argparse.Namespace, run) -> int:
    """Run a read-only command over the index; bad input (QueryError, ValueError) is a usage error."""
    from index.search import QueryError

    index = _open_index(args, read_only=True, queries_only=True)
    try:
        return run(index, args)
    except (QueryError, ValueError) as exc:
        raise _UserError(str(exc)) from None
    finally:
        index.close()


def cmd_stats(args: argparse.Namespace) -> int:
    index = _open_index(args, read_only=True, queries_only=True)
    try:
        stats = index.stats()
    finally:
        index.close()
    if args.json:
        print(json.dumps(stats, indent=2))
        return EXIT_OK
    print(f"index: {stats['index']}  model: {stats['model']}")
    print(f"reports {stats['documents']}, pages {stats['pages']}, passages {stats['chunks']} "
          f"({stats['distinct_embeddings']} distinct embeddings, {stats['vectors']} vectors), "
          f"{stats['size_bytes'] / 1e6:.1f} MB on disk")
    for key in ("by_report_type", "by_year", "by_overall_grade"):
        print(f"{key[3:].replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    print("publication dates: " + ", ".join(f"{k} {v}" for k, v in stats["by_published_source"].items()))
    authorities = len([name for name in stats["by_authority"] if name != "unknown"])
    print(f"authorities: {authorities}; reports whose authority was not recognised: {stats['no_authority']}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from index.build import IndexLockedError, remove_documents

    index = _open_index(args, queries_only=True)
    try:
        removed, unknown = remove_documents(index, args.names)
    except IndexLockedError as exc:
        raise _UserError(str(exc)) from None
    finally:
        index.close()
    for name in removed:
        print(f"removed {name}")
    for name in unknown:
        print(f"not in the index: {name}", file=sys.stderr)
    return EXIT_OK if not unknown else EXIT_FAILED


def cmd_serve(args: argparse.Namespace) -> int:
    from app.credentials import read_credentials
    from app.ui import serve
    from ingest.environment import AUTH, environment

    try:
        login = None if args.no_auth else read_credentials(args.auth, args.auth_file, environment().auth)
    except ValueError as exc:
        raise _UserError(str(exc)) from None
    public = args.host not in ("127.0.0.1", "localhost", "::1")
    if public and login is None and not args.no_auth:
        raise _UserError(
            f"--host {args.host} makes the app reachable from other machines: add --auth USER:PASSWORD "
            f"(or --auth-file FILE, or set ${AUTH}; or --no-auth if you really mean it)"
        )
    if args.no_auth and public:
        print(f"WARNING: serving on {args.host} without a login; anyone who can reach it can use it",
              file=sys.stderr)
    auth = (login.user, login.password) if login else None
    return serve(_index_dir(args), host=args.host, port=args.port, auth=auth,
                 public_url=_public_url(args.public_url))


def _public_url(given: str | None) -> str | None:
    """The app's public address: the option, else $OFSTED_QA_PUBLIC_URL; a bad one is a usage error."""
    from app.links import public_url
    from ingest.environment import PUBLIC_URL, environment

    try:
        return public_url(given if given is not None else environment().public_url)
    except ValueError as exc:
        where = "" if given is not None else f" (from ${PUBLIC_URL})"
        raise _UserError(f"{exc}{where}") from None


def cmd_fetch(args: argparse.Namespace) -> int:
    from app.fetch import run_fetch

    return run_fetch(args)


def cmd_update(args: argparse.Namespace) -> int:
    from app.update import run_update_command

    return run_update_command(args)


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import run_eval_command

    args.index = str(_index_dir(args))
    try:
        return run_eval_command(args)
    except ValueError as exc:  # a question file that does not read (its line and problem named)
        raise _UserError(str(exc)) from None
    except OSError as exc:
        raise _UserError(f"could not read {args.questions}: {exc.strerror or exc}") from None


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench import run_bench_command

    return run_bench_command(args)


def cmd_pack(args: argparse.Namespace) -> int:
    """`ofsted-qa pack ACTION`: evidence packs, kept in packs.sqlite in the index folder (app/packs.py)."""
    from app.packs import PackStore, entry_dict, item_from_result, write_export

    def search_result() -> dict:
        """Run `pack add`'s search as `ask` does; the result at --rank as the app's result dict."""
        from index.search import QueryError, SearchFilters
        from index.settings import DEFAULT_K
        from ingest.pipeline import known_published_addresses

        if args.rank < 1:
            raise _UserError(f"--rank must be 1 or more (it was {args.rank})")
        try:
            filters = SearchFilters.build(authority=args.authority, year=args.year, years=args.years,
                                          report_type=args.report_type)
        except QueryError as exc:
            raise _UserError(str(exc)) from None
        index = _open_index(args, read_only=True, queries_only=True)
        try:
            response = _closest_if_unanswered(index, index.search(args.question, filters,
                                                                  k=max(args.rank, DEFAULT_K)))
            if len(response.results) < args.rank:
                found = len(response.results)
                why = f"; choose 1 to {found}" if found else f" ({response.message or 'nothing matched'})"
                raise _UserError(f"--rank {args.rank}: the search found {found} passage(s) for {args.question!r}{why}")
            result = response.results[args.rank - 1]
            doc = index.searcher.documents().get(result.doc_id)
            return result.to_dict() | {
                "citation_line": result.citation.line(), "pages_label": result.citation.pages_label(),
                "paragraphs_label": result.citation.paragraphs_label(), "pdf_link": _pdf_link(index, result),
                "ofsted_url": known_published_addresses().get(doc.sha256) if doc is not None else None,
            }
        except QueryError as exc:
            raise _UserError(str(exc)) from None
        finally:
            index.close()

    try:
        store = PackStore(_index_dir(args))
    except FileNotFoundError as exc:
        raise _UserError(_location(args).not_found() if _location(args).source == "default" else str(exc)) from None
    except (ValueError, OSError, sqlite3.Error) as exc:
        raise _UserError(f"could not open the packs of the index at {_index_dir(args)}: {exc}") from None
    try:
        action = args.pack_command
        if action == "list":
            packs = store.list()
            if args.json:
                print(json.dumps([{"name": p.name, "created": p.created, "items": p.item_count} for p in packs],
                                 indent=2))
                return EXIT_OK
            for p in packs:
                print(f"{p.name}  ({p.item_count} passage(s), created {p.created[:10]})")
            if not packs:
                print("no packs yet (ofsted-qa pack create NAME)")
        elif action == "show":
            info, entries = store.info(args.name), store.items(args.name)
            if args.json:
                print(json.dumps({"name": info.name, "created": info.created,
                                  "items": [entry_dict(e) for e in entries]}, indent=2))
                return EXIT_OK
            print(f"{info.name}: {info.item_count} passage(s), created {info.created[:10]}")
            width = min(100, shutil.get_terminal_size((100, 20)).columns)
            for e in entries:
                body = "\n".join(textwrap.fill(line, width=width, initial_indent="   ", subsequent_indent="   ")
                                 for line in e.item.text.splitlines() if line.strip())
                print(f"\n{e.position}. {e.item.citation_line}\n{body}"
                      + (f"\n   note: {e.note}" if e.note else "")
                      + (f"\n   open: {e.item.page_link}" if e.item.page_link else "")
                      + (f"\n   Ofsted: {e.item.ofsted_url}" if e.item.ofsted_url else ""))
        elif action == "create":
            print(f"created pack {store.create(args.name).name!r}")
        elif action == "rename":
            store.rename(args.old, args.new)
            print(f"renamed pack {args.old!r} to {args.new.strip()!r}")
        elif action == "delete":
            count = store.delete(args.name)
            print(f"deleted pack {args.name!r} ({count} passage(s))")
        elif action == "add":
            store.info(args.name)  # an unknown pack is said before the search, not after
            pinned = item_from_result(search_result())
            same = [e.position for e in store.items(args.name)
                    if (e.item.file, e.item.page_start, e.item.text) == (pinned.file, pinned.page_start, pinned.text)]
            position = store.add(args.name, pinned, note=args.note)
            print(f"pinned to {args.name!r} as passage {position}: {pinned.citation_line}")
            if same:
                print(f"  (the same passage is already in the pack at position {same[0]})", file=sys.stderr)
        elif action == "export":
            from app.links import LinkBase

            public = _public_url(args.base_url)
            path = write_export(args.name, store.items(args.name), args.fmt, args.out,
                                LinkBase(public, public=True) if public else None)
            print(f"wrote {path}")
    except (KeyError, ValueError, IndexError) as exc:
        raise _UserError(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise _UserError(f"could not {args.pack_command} the pack: {exc}") from None
    finally:
        store.close()
    return EXIT_OK


def console_main() -> int:
    """The `ofsted-qa` command: main(), then, after a one-shot command, gc.freeze(), so that the
    collection Python runs as it shuts down does not walk every object the command made (about 30 ms)."""
    status = main()
    if _last_command in ONE_SHOT_COMMANDS:
        gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(console_main())
