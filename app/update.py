"""`ofsted-qa update`: download and index the children's services reports Ofsted has published since
the newest one the index knows.

For each local authority (every one in corpus/la_lookup.csv, by URN, or those named with --authority)
it reads the provider page on Ofsted's reports site (app/ofsted_site.py) and keeps the publications of
the kinds asked for (--types; full inspections by default) published on or after the cut-off: --since,
else the newest publication date in the index (that day included: another authority's report of the
same day may be missing). A publication whose file the index already holds (known by its Ofsted
address in corpus/manifest.csv or the local manifest, with a sha256 the index has) is passed over.

The rest are downloaded into DEST (default: `reports-updates` in the data folder, the folder that
holds the index folder), recorded in the data folder's `manifest.csv` (the local manifest, which
ingest reads for publication dates; the shipped corpus/manifest.csv is never written) and ingested.
What arrived is printed with what the metadata reader found in each (authority, date, type, grades)
and kept in `last_update.json` in the data folder for the app's Corpus tab (`last_update_summary`).

Safe to stop and run again: a download goes to a hidden temporary file renamed into place only when
whole (temporary files a killed run left are removed at the next start); a file downloaded before and
recorded with its sha256 is not downloaded again; the local manifest is rewritten atomically after
each download; each report is committed to the index on its own. One update at a time runs on a data
folder (a lock file in it).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import signal
import sqlite3
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tqdm import tqdm

from app.fetch import DEFAULT_RETRIES, DEFAULT_TIMEOUT, DownloadFailed, _non_negative_int, _positive_float
from app.ofsted_site import (
    BASE_URL_ENV,
    DEFAULT_DELAY,
    PUBLICATION_KINDS,
    Publication,
    SiteClient,
    SiteLayoutError,
    provider_url,
    site_address,
)
from ingest.models import OTHER_PUBLICATION
from ingest.pdf import file_sha256

# The index and ingest modules are imported where they are used: building the command line's parser
# (every `ofsted-qa` command does) must stay cheap.
if TYPE_CHECKING:
    from index.build import IngestSummary
    from index.embed import Embedder
    from index.store import DocumentRow
    from ingest.authorities import Authority

DEST_NAME = "reports-updates"  # in the data folder
LOG_NAME = "last_update.json"  # in the data folder: what the last update did, for the Corpus tab
LOCK_NAME = "update.lock"  # in the data folder
SHIPPED_MANIFEST = Path(__file__).resolve().parent.parent / "corpus" / "manifest.csv"
# The shipped manifest's columns, then what an update adds: the site's name for the publication's type,
# the day it was found, and where the file was saved.
MANIFEST_COLUMNS = (
    "file", "local_authority", "urn", "published", "framework", "lead_inspector", "inspection_start",
    "inspection_end", "overall_effectiveness", "impact_of_leaders", "help_and_protection", "in_care",
    "care_leavers", "pages", "bytes", "sha256", "ofsted_url", "publication_type", "found", "path",
)
_FRAMEWORKS = {"ilacs_standard": "standard", "ilacs_short": "short"}  # the manifest's `framework` column
ADDED = "added"


class UpdateError(Exception):
    """The update cannot start or go on (no date to start from, another update running, an unreadable
    local manifest); the message says what to do."""


# --- options ---------------------------------------------------------------------------------------------


def parse_types(values: Iterable[str] | None) -> tuple[str, ...]:
    """The publication kinds an `--types` option names.

    Args:
        values: the option's values, each one kind or several comma-separated ("monitoring,focused"),
            or "all"; None or empty for the default (full inspections only).
    Returns:
        Keys of app.ofsted_site.PUBLICATION_KINDS, in its order.
    Raises:
        ValueError: a name that is no kind; the message lists the valid ones.
    """
    chosen: set[str] = set()
    for value in values or ():
        for part in str(value).split(","):
            name = part.strip().lower()
            if name == "all":
                chosen.update(PUBLICATION_KINDS)
            elif name in PUBLICATION_KINDS:
                chosen.add(name)
            elif name:
                raise ValueError(f"unknown publication type {part.strip()!r}; valid: "
                                 f"{', '.join(PUBLICATION_KINDS)} or all (comma-separated or repeated)")
    return tuple(kind for kind in PUBLICATION_KINDS if kind in chosen) or ("full",)


def parse_since(text: str) -> date:
    """A --since date: "2026-05-01" or "1 May 2026".

    Raises:
        ValueError: anything else.
    """
    from ingest.metadata import parse_date

    text = (text or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        found = parse_date(text)
        if found is None:
            raise ValueError(f"--since takes a date such as 2026-05-01 or '1 May 2026', not {text!r}") from None
        return found


def select_authorities(names: Iterable[str] | None) -> list[Authority]:
    """The authorities to check: those named (any name the registry knows), else all of them.

    Raises:
        ValueError: a name that is no local authority; the message suggests close names.
    """
    from ingest.authorities import default_registry

    registry = default_registry()
    if not names:
        return [a for a in sorted(registry.authorities, key=lambda a: a.name) if a.urn]
    chosen: list[Authority] = []
    for name in names:
        found = registry.resolve(name)
        if found is None:
            raise ValueError(f"unknown local authority {name!r}; {registry.suggestion(name)}")
        if not found.urn:
            raise ValueError(f"{found.name} has no URN in corpus/la_lookup.csv, so its Ofsted page is not known")
        if found not in chosen:
            chosen.append(found)
    return chosen


# --- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrivedReport:
    """One publication an update found: what the site said of it and what the index read in it."""

    authority: str  # the registry's name (the provider page's authority)
    published: str  # ISO date, as the site gives it
    publication_type: str  # the site's name for its type: "Children's services inspection"
    file: str  # the file name in DEST
    ofsted_url: str
    status: str  # "added", "already in the index ...", "would be downloaded", "failed: <reason>"
    report_type: str = ""  # the index's report type (ingest.models.REPORT_TYPES key); "" when not indexed
    report_type_label: str = ""
    judgements: dict[str, str] = field(default_factory=dict)  # as the metadata reader found them

    @property
    def added(self) -> bool:
        return self.status == ADDED

    def line(self) -> str:
        """One line: authority, date, type, grades, file and status."""
        kind = self.report_type_label or self.publication_type
        if self.report_type in (OTHER_PUBLICATION, "unknown") and self.publication_type:
            kind += f" ({self.publication_type})"  # which letter it is
        grades = ", ".join(f"{key.replace('_', ' ')} {grade}" for key, grade in self.judgements.items())
        status = "" if self.added else f"  [{self.status}]"
        return (f"{self.authority}, {self.published}, {kind}" + (f": {grades}" if grades else "")
                + f"  ({self.file}){status}")


@dataclass(frozen=True)
class Found:
    """A publication to fetch: whose it is, what the site says of it, and the file name it gets."""

    authority: Authority
    publication: Publication
    file: str

    def arrived(self, status: str, **read: object) -> ArrivedReport:
        """The record of what became of it (`read`: what the index read in it)."""
        return ArrivedReport(authority=self.authority.name, published=self.publication.published.isoformat(),
                             publication_type=self.publication.label, file=self.file,
                             ofsted_url=self.publication.url, status=status, **read)


@dataclass
class UpdateResult:
    """What `update` did."""

    since: date  # the cut-off: publications of this day or later were considered
    since_reason: str  # "--since" or "the newest report in the index"
    kinds: tuple[str, ...]
    checked: int = 0  # provider pages read and understood
    known: int = 0  # publications since the cut-off that the index already holds
    undated: int = 0  # publications of the kinds asked for whose date the page does not give
    arrived: list[ArrivedReport] = field(default_factory=list)  # new publications, each with its status
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    layout_not_understood: int = 0  # provider pages whose layout was not understood
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def site_not_understood(self) -> bool:
        """True when no provider page could be read because none was laid out as expected."""
        return self.layout_not_understood > 0 and self.checked == 0


# --- the local manifest ----------------------------------------------------------------------------------


def _url_key(url: str) -> str:
    # Ofsted's file addresses are unique by path (/v1/file/50066870), whichever host serves them.
    parts = urllib.parse.urlsplit((url or "").strip())
    return parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")


class LocalManifest:
    """The data folder's manifest.csv: rows and columns kept as read (a user's own too), rows for new
    publications added or updated by Ofsted address, written atomically."""

    def __init__(self, path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
        self.path = path
        self.columns = columns
        self.rows = rows

    @classmethod
    def read(cls, path: Path) -> LocalManifest:
        """Read `path`, or start an empty manifest when there is none.

        Raises:
            UpdateError: the file is there but cannot be read as CSV (it is never overwritten then).
        """
        columns = list(MANIFEST_COLUMNS)
        if not path.is_file():
            return cls(path, columns, [])
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                rows = [dict(row) for row in reader]
                columns += [c for c in reader.fieldnames or [] if c and c not in columns]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UpdateError(f"cannot read the local manifest {path} ({exc}); move it aside and run again") from None
        return cls(path, columns, rows)

    def row_for(self, url: str) -> dict[str, str] | None:
        key = _url_key(url)
        return next((row for row in self.rows if _url_key(row.get("ofsted_url") or "") == key), None)

    def upsert(self, values: dict[str, str]) -> dict[str, str]:
        """Add a row, or update the row with the same `ofsted_url`; returns the row."""
        row = self.row_for(values["ofsted_url"])
        if row is None:
            row = {column: "" for column in self.columns}
            self.rows.append(row)
        row.update(values)
        return row

    def write(self) -> None:
        """Write the manifest whole or not at all: a temporary file beside it, renamed over it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=self.columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(self.rows)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path)
        finally:
            Path(tmp_name).unlink(missing_ok=True)


def _dmy(iso: str | None) -> str:
    """The shipped manifest writes inspection dates as DD/MM/YYYY."""
    try:
        return date.fromisoformat(iso or "").strftime("%d/%m/%Y")
    except ValueError:
        return ""


def _describe(row: dict[str, str], doc: DocumentRow) -> None:
    """Fill a manifest row's columns from what the metadata reader found in the report."""
    from index.search import FILTER_JUDGEMENTS  # the five judgements, the shipped manifest's grade columns

    row.update({
        "framework": _FRAMEWORKS.get(doc.report_type, ""),
        "lead_inspector": doc.lead_inspector or "",
        "inspection_start": _dmy(doc.inspection_start),
        "inspection_end": _dmy(doc.inspection_end),
        "pages": str(doc.n_pages or ""),
        **{key: doc.judgements.get(key, "") for key in FILTER_JUDGEMENTS},
    })


# --- what the index holds --------------------------------------------------------------------------------


def _indexed_documents(index_dir: Path) -> dict[str, DocumentRow]:
    """sha256 -> document, read without writing; empty when there is no index yet."""
    from index.report_index import DB_NAME
    from index.store import ChunkStore

    db = Path(index_dir) / DB_NAME
    if not db.is_file():
        return {}
    try:
        store = ChunkStore(db, read_only=True)
        try:
            return {doc.sha256: doc for doc in store.documents().values()} if store.is_initialised() else {}
        finally:
            store.close()
    except sqlite3.Error as exc:
        raise UpdateError(f"could not read the index at {index_dir}: {exc}") from None


def newest_report_date(docs: Iterable[DocumentRow]) -> date | None:
    """The newest publication date among these documents; an estimated date only if none is known."""
    known, estimated = [], []
    for doc in docs:
        try:
            day = date.fromisoformat(doc.published or "")
        except ValueError:
            continue
        (estimated if doc.published_estimated else known).append(day)
    return max(known or estimated, default=None)


# --- the update ------------------------------------------------------------------------------------------


@contextmanager
def _update_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_NAME, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpdateError(f"another ofsted-qa update is running on {data_dir}; wait for it to finish") from None
        yield  # closing the file releases the lock


def _slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower().replace("&", " and ").replace("'", ""))
    return "-".join(words.split())


def _file_name(authority: Authority, publication: Publication, taken: set[str]) -> str:
    """`<authority>_<date>.pdf` for an inspection, as in the shipped manifest; `<authority>_<type>_<date>.pdf`
    for anything else; the file's id before the date when two would share a name. The date stays last:
    ingest reads it from there when nothing else gives one."""
    stem = _slug(authority.name)
    if publication.kind != "full":
        stem += "_" + (_slug(publication.label) or publication.kind)
    day = publication.published.isoformat() if publication.published else "undated"
    name = f"{stem}_{day}.pdf"
    if name in taken:
        name = f"{stem}-{_slug(publication.file_id) or 'file'}_{day}.pdf"
    return name


def _remove_stale_parts(dest: Path) -> None:
    """Temporary files of downloads a killed run never finished (download_file's hidden `.*.part`)."""
    for part in dest.glob(".*.pdf.*.part"):
        part.unlink(missing_ok=True)


def _forget_cached_manifests() -> None:
    from ingest import pipeline

    # Ingest reads publication dates and addresses through caches; the local manifest just changed.
    for cached in (pipeline.publication_dates, pipeline.published_addresses, pipeline.known_publication_dates,
                   pipeline.known_published_addresses):
        cached.cache_clear()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def update(
    index_dir: str | Path,
    dest: str | Path | None = None,
    *,
    authorities: Iterable[str] | None = None,
    since: date | None = None,
    kinds: Iterable[str] = ("full",),
    dry_run: bool = False,
    client: SiteClient | None = None,
    embedder: Embedder | None = None,
    workers: int = 1,
    progress: bool = False,
    say: Callable[[str], None] = _say,
) -> UpdateResult:
    """Find the publications Ofsted has published since the cut-off, download and ingest them.

    Args:
        index_dir: the index folder; the data folder is the folder holding it.
        dest: where to save the PDFs (default: `reports-updates` in the data folder).
        authorities: names of the authorities to check (default: every one with a URN).
        since: the cut-off date (default: the newest publication date in the index).
        kinds: keys of app.ofsted_site.PUBLICATION_KINDS (see `parse_types`).
        dry_run: only list what would be downloaded: nothing is downloaded, written or ingested.
        client: the site client (default: Ofsted's site, or $OFSTED_QA_REPORTS_URL).
        embedder: the index's embedding model (default: index.embed.load_embedder()).
        workers: PDF parsing processes for the ingest (0: in this process).
        progress: show progress bars.
        say: where notes go (retries, pages that failed), as they happen.
    Returns:
        What was found, downloaded and added, and what failed.
    Raises:
        ValueError: a bad option (an unknown authority or kind).
        UpdateError: no date to start from (an empty index and no `since`), another update running,
            an unreadable local manifest, or a local manifest that would be corpus/manifest.csv.
    """
    from index.build import LOCAL_MANIFEST
    from ingest.pipeline import known_published_addresses

    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in PUBLICATION_KINDS]
    if bad or not kinds:
        what = f"unknown publication type {bad[0]!r}" if bad else "no publication type"
        raise ValueError(f"{what}; valid: {', '.join(PUBLICATION_KINDS)}")
    chosen = select_authorities(authorities)
    index_dir = Path(index_dir)
    data_dir = index_dir.resolve().parent
    manifest_path = data_dir / LOCAL_MANIFEST
    if manifest_path.resolve() == SHIPPED_MANIFEST.resolve():
        raise UpdateError(f"the local manifest would be the shipped {SHIPPED_MANIFEST}: keep the index elsewhere "
                          "(--index data/index)")
    dest = Path(dest) if dest else data_dir / DEST_NAME
    client = client or SiteClient(site_address(None), say=say)

    indexed = _indexed_documents(index_dir)
    if since is None:
        since = newest_report_date(indexed.values())
        if since is None:
            raise UpdateError(f"the index at {index_dir} holds no dated report to start from: "
                              "give --since DATE (for example --since 2026-01-01)")
        reason = "the newest report in the index"
    else:
        reason = "--since"
    result = UpdateResult(since=since, since_reason=reason, kinds=kinds, dry_run=dry_run)

    with nullcontext() if dry_run else _update_lock(data_dir):
        local = LocalManifest.read(manifest_path)
        done = {_url_key(url) for sha, url in known_published_addresses().items() if sha in indexed}
        done |= {_url_key(row.get("ofsted_url") or "") for row in local.rows if row.get("sha256") in indexed}
        found = _find_new(client, chosen, result, done, local, progress, say)
        if dry_run:
            for item in found:
                row = local.row_for(item.publication.url)
                status = ("downloaded before; would be ingested" if row and _present(row, dest)
                          else "would be downloaded")
                result.arrived.append(item.arrived(status))
            return result
        if not result.site_not_understood:  # else nothing on the site can be trusted: fetch nothing
            paths = _download_all(client, found, dest, local, result, progress)
            _ingest(index_dir, paths, local, result, embedder, workers, progress)
        _write_log(data_dir / LOG_NAME, result, client.base_url, len(chosen))
    return result


def _find_new(client: SiteClient, chosen: list[Authority], result: UpdateResult, done: set[str],
              local: LocalManifest, progress: bool, say: Callable[[str], None],
              ) -> list[Found]:
    """Read each authority's provider page; the publications to fetch, each with its file name."""
    taken = {row.get("file") or "" for row in local.rows}
    seen: set[str] = set()
    found: list[Found] = []
    for authority in tqdm(chosen, desc="checking Ofsted's site", unit="authority", disable=not progress,
                          file=sys.stderr, dynamic_ncols=True):
        try:
            publications = client.provider_publications(authority.urn)
        except DownloadFailed as failure:
            result.failed.append((f"{authority.name}: {provider_url(client.base_url, authority.urn)}", failure.reason))
            say(f"{authority.name}: {failure.reason}; going on with the others")
            continue
        except SiteLayoutError as exc:
            result.layout_not_understood += 1
            result.failed.append((authority.name, str(exc)))
            say(f"{authority.name}: {exc}")
            continue
        result.checked += 1
        for publication in publications:
            if publication.kind not in result.kinds:
                continue
            if publication.published is None:
                result.undated += 1
                continue
            key = _url_key(publication.url)
            if publication.published < result.since or key in seen:
                continue
            seen.add(key)
            if key in done:
                result.known += 1
                continue
            row = local.row_for(publication.url)
            name = row["file"] if row and row.get("file") else _file_name(authority, publication, taken)
            taken.add(name)
            found.append(Found(authority, publication, name))
    return found


def _present(row: dict[str, str], dest: Path) -> Path | None:
    """The file an earlier run downloaded for this row, when it is still there with its recorded sha256."""
    sha = (row.get("sha256") or "").strip().lower()
    for candidate in (row.get("path") or "", str(dest / (row.get("file") or ""))):
        path = Path(candidate) if candidate else None
        if sha and path is not None and path.is_file() and file_sha256(path) == sha:
            return path
    return None


def _download_all(client: SiteClient, found: list[Found], dest: Path, local: LocalManifest, result: UpdateResult,
                  progress: bool) -> dict[str, Found]:
    """Download what is not here yet; record each file in the local manifest as soon as it is whole.
    Returns the files to ingest: resolved path -> what it is."""
    if not found:
        return {}
    dest.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    paths: dict[str, Found] = {}
    today = date.today().isoformat()
    with tqdm(unit="B", unit_scale=True, unit_divisor=1024, desc=f"downloading {len(found)}", file=sys.stderr,
              disable=not progress, dynamic_ncols=True) as bar:
        for item in found:
            publication = item.publication
            row = local.row_for(publication.url)
            earlier = _present(row, dest) if row else None
            if earlier is not None:  # downloaded by a run that stopped before ingesting it
                paths[str(earlier.resolve())] = item
                continue
            target = dest / item.file
            try:
                size, sha = client.download(publication, target, bar)
            except (DownloadFailed, OSError) as exc:
                reason = exc.reason if isinstance(exc, DownloadFailed) else f"could not write the file: {exc}"
                result.failed.append((f"{item.authority.name} {publication.label} {publication.published} "
                                      f"({publication.url})", reason))
                result.arrived.append(item.arrived(f"failed: {reason}"))
                continue
            local.upsert({
                "file": item.file, "local_authority": item.authority.name.lower(), "urn": item.authority.urn,
                "published": publication.published.isoformat(), "bytes": str(size), "sha256": sha,
                "ofsted_url": publication.url, "publication_type": publication.label, "found": today,
                "path": str(target.resolve()),
            })
            local.write()
            paths[str(target.resolve())] = item
    return paths


def _ingest(index_dir: Path, paths: dict[str, Found], local: LocalManifest, result: UpdateResult,
            embedder: Embedder | None, workers: int, progress: bool) -> None:
    """Ingest the downloaded files; note what the index made of each, in the result and the local manifest."""
    if not paths:
        return
    from index.build import IndexLockedError, ingest_paths
    from index.embed import load_embedder
    from index.report_index import ReportIndex
    from index.store import IndexMismatchError
    from ingest.models import JUDGEMENTS

    _forget_cached_manifests()
    try:
        index = ReportIndex.load(index_dir, embedder=embedder or load_embedder(), create=True)
    except (IndexMismatchError, OSError, ValueError, sqlite3.Error) as exc:
        result.arrived.extend(item.arrived("downloaded, not ingested") for item in paths.values())
        result.failed.append((f"the index at {index_dir}", f"could not be opened ({exc}); the downloads are kept: "
                                                            "run the same command again"))
        return
    statuses: dict[str, str] = {}
    try:
        summary = ingest_paths(index, list(paths), workers=workers, progress=progress)
        statuses = _statuses(summary)
    except IndexLockedError as exc:
        result.failed.append((f"the index at {index_dir}", f"{exc}; the downloads are kept: run the same command "
                                                            "again"))
    except (OSError, sqlite3.Error) as exc:  # a full disk, say: the reports finished before it are kept
        result.failed.append((f"the index at {index_dir}", f"could not be written ({exc}); the downloads are kept: "
                                                            "make room and run the same command again"))
    try:
        by_sha = {doc.sha256: doc for doc in index.store.documents().values()}
    finally:
        index.close()
    for path, item in paths.items():
        status = statuses.get(path, "downloaded, not ingested")
        row = local.row_for(item.publication.url)
        doc = by_sha.get((row or {}).get("sha256", ""))
        read = {}
        if doc is not None and row is not None:
            _describe(row, doc)
            read = {"report_type": doc.report_type, "report_type_label": doc.report_type_label,
                    "judgements": {k: doc.judgements[k] for k in JUDGEMENTS if k in doc.judgements}}
        result.arrived.append(item.arrived(status, **read))
        if status.startswith("failed"):
            result.failed.append((f"{item.authority.name} {item.publication.label} {item.publication.published} "
                                  f"({item.file})", status.removeprefix("failed: ")))
    local.write()


def _statuses(summary: IngestSummary) -> dict[str, str]:
    statuses = {path: ADDED for path in [*summary.added, *summary.replaced, *summary.updated]}
    statuses.update({path: "already in the index" for path in summary.unchanged})
    statuses.update({path: f"already in the index as {Path(other).name}" for path, other in summary.duplicates})
    statuses.update({path: f"failed: {reason}" for path, reason in summary.failed})
    return statuses


def _write_log(path: Path, result: UpdateResult, base_url: str, authorities: int) -> None:
    """Keep what this update did for `last_update_summary`, written whole or not at all."""
    record = {
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "since": result.since.isoformat(), "site": base_url, "authorities": authorities, "checked": result.checked,
        "types": list(result.kinds), "arrived": [asdict(a) for a in result.arrived],
        "failed": [f"{what}: {why}" for what, why in result.failed],
    }
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


# --- for the app's Corpus tab ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateSummary:
    """The newest report the index knows and what the last `ofsted-qa update` brought."""

    newest_report: date | None  # the newest publication date in the index (None: no dated report)
    last_update: datetime | None  # when the last update finished (None: never run on this data folder)
    since: date | None  # the cut-off that update used
    checked: int  # provider pages it read
    arrived: tuple[ArrivedReport, ...]  # what it added to the index
    failed: tuple[str, ...]  # what went wrong ("Camden: ...: HTTP 500 ...")

    def markdown(self) -> str:
        """A short Markdown paragraph (and a table of what arrived) for the Corpus tab."""
        newest = self.newest_report.strftime("%-d %B %Y") if self.newest_report else "none yet"
        lines = [f"**Newest report in the index:** {newest}."]
        if self.last_update is None:
            lines.append("**Last update:** never (`ofsted-qa update` downloads and indexes reports Ofsted has "
                         "published since).")
            return " ".join(lines)
        since = f" for reports published on or after {self.since:%-d %B %Y}" if self.since else ""
        lines.append(f"**Last update:** {self.last_update:%-d %B %Y %H:%M}{since}: "
                     f"{len(self.arrived) or 'no'} new report{'s' if len(self.arrived) != 1 else ''}"
                     + (f", {len(self.failed)} problem{'s' if len(self.failed) != 1 else ''}" if self.failed else "")
                     + ".")
        text = " ".join(lines)
        if self.arrived:
            text += "\n\n| Authority | Published | Type | Grades |\n| --- | --- | --- | --- |\n" + "\n".join(
                f"| {a.authority} | {a.published} | {a.report_type_label or a.publication_type} | "
                + ", ".join(f"{k.replace('_', ' ')}: {g}" for k, g in a.judgements.items()) + " |"
                for a in self.arrived)
        return text


def last_update_summary(index_dir: str | Path | None = None,
                        documents: Iterable[DocumentRow] | None = None) -> UpdateSummary:
    """The newest report date the index knows and what arrived at the last update, for the Corpus tab.

    Args:
        index_dir: the index folder (default: $OFSTED_QA_INDEX or ./data/index).
        documents: the index's documents when the caller holds them already (the app, on each page
            load), so the index is not opened again to read them.
    Returns:
        The summary; `last_update` is None when no update has run on this data folder (or its record
        cannot be read), and `newest_report` None when the index holds no dated report (or no index).
    Raises:
        Nothing for a missing or unreadable index or record: they read as "none".
    """
    from index.location import default_index_dir

    index_dir = Path(index_dir) if index_dir else default_index_dir()
    try:
        newest = newest_report_date(documents if documents is not None else _indexed_documents(index_dir).values())
    except UpdateError:
        newest = None
    try:
        record = json.loads((index_dir.resolve().parent / LOG_NAME).read_text(encoding="utf-8"))
        finished = datetime.fromisoformat(record["finished"])
        since = date.fromisoformat(record["since"]) if record.get("since") else None
        arrived = tuple(ArrivedReport(**entry) for entry in record.get("arrived", []))
        failed = tuple(str(f) for f in record.get("failed", []))
        checked = int(record.get("checked", 0))
    except (OSError, ValueError, KeyError, TypeError):
        return UpdateSummary(newest, None, None, 0, (), ())
    return UpdateSummary(newest, finished, since, checked, tuple(a for a in arrived if a.added), failed)


# --- command line ----------------------------------------------------------------------------------------


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `ofsted-qa update` (the caller adds --index)."""
    parser.add_argument("dest", metavar="DEST", nargs="?", default=None,
                        help=f"folder for the new PDFs (default: {DEST_NAME} in the data folder, beside the index "
                             "folder)")
    parser.add_argument("--authority", action="append", metavar="NAME",
                        help="only this local authority (repeatable; any name: 'stoke on trent', 'Herts')")
    parser.add_argument("--since", metavar="DATE",
                        help="publications of this day or later (default: the newest report date in the index)")
    parser.add_argument("--types", action="append", metavar="T[,T]",
                        help="what to fetch, comma-separated or repeated (default: full): full (inspection "
                             "reports: ILACS, SIF and earlier), monitoring (monitoring visit letters), focused "
                             "(focused visit letters), jtai (joint targeted area inspection letters), other "
                             "(anything else a provider page lists, such as assurance visits), or all")
    parser.add_argument("--dry-run", action="store_true", help="list what would be downloaded; change nothing")
    parser.add_argument("--reports-url", metavar="URL", default=None,
                        help=f"the reports site (default: ${BASE_URL_ENV}, else https://reports.ofsted.gov.uk)")
    parser.add_argument("--retries", type=_non_negative_int, metavar="N", default=DEFAULT_RETRIES,
                        help=f"retries per page or file on network errors, 429 and 5xx (default {DEFAULT_RETRIES})")
    parser.add_argument("--timeout", type=_positive_float, metavar="SECONDS", default=DEFAULT_TIMEOUT,
                        help=f"network timeout in seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--delay", type=float, metavar="SECONDS", default=DEFAULT_DELAY,
                        help=f"pause between two requests to the site (default {DEFAULT_DELAY:g})")
    parser.add_argument("--workers", type=int, default=1, help="PDF parsing processes for the ingest (default 1)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def print_result(result: UpdateResult, out: TextIO | None = None, err: TextIO | None = None) -> None:
    """What an update did, for people: what is new, and what failed (default streams: stdout, stderr)."""
    out, err = out or sys.stdout, err or sys.stderr
    names = [PUBLICATION_KINDS[k] for k in result.kinds]
    kinds = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    print(f"checked {result.checked} provider page(s) for {kinds} published on or after {result.since} "
          f"({result.since_reason})", file=out)
    if result.site_not_understood:
        print(f"Ofsted's site layout is not understood: none of the {result.layout_not_understood} provider page(s) "
              "read could be parsed, so nothing was downloaded or ingested (the reader is app/ofsted_site.py)",
              file=err)
        print(f"  {result.failed[0][1]}", file=err)
        return
    if result.dry_run:
        if result.arrived:
            print(f"would fetch {len(result.arrived)} publication(s):", file=out)
            for a in result.arrived:
                print(f"  {a.authority}, {a.published}, {a.publication_type}: {a.ofsted_url} -> {a.file}"
                      + ("" if a.status == "would be downloaded" else f"  [{a.status}]"), file=out)
        else:
            print("nothing new to fetch", file=out)
    else:
        added = [a for a in result.arrived if a.added]
        others = [a for a in result.arrived if not a.added]
        if added:
            print(f"added {len(added)} new publication(s) to the index:", file=out)
            for a in added:
                print(f"  {a.line()}", file=out)
        elif not any(a.status.startswith(("failed", "downloaded")) for a in others):
            held = result.known + len(others)  # a file fetched and found to be one the index holds is not new
            held_text = (f"{held} publication(s) since then, all in the index already" if held
                         else "Ofsted has published none since then")
            fetched = f"{len(others)} fetched to check" if others else "nothing was downloaded"
            print(f"nothing new: {held_text}; {fetched}", file=out)
        if others:
            print(f"fetched and not added ({len(others)}):", file=out)
            for a in others:
                print(f"  {a.line()}", file=out)
    if result.undated:
        print(f"({result.undated} publication(s) of these types had no date on their page and were passed over)",
              file=out)
    if result.failed:
        print(f"failed ({len(result.failed)}):", file=err)
        for what, why in result.failed:
            print(f"  {what}: {why}", file=err)
        if not result.dry_run:
            print("run the same command again to retry; what was finished is kept", file=err)


def run_update_command(args: argparse.Namespace) -> int:
    """CLI entry: 0 when everything went through (or there was nothing new), 1 when a page, a download or
    an ingest failed (or the site's layout was not understood), 2 for a bad option."""
    try:
        kinds = parse_types(args.types)
        since = parse_since(args.since) if args.since else None
        client = SiteClient(site_address(args.reports_url), retries=args.retries, timeout=args.timeout,
                            delay=max(0.0, args.delay))
        from index.location import default_index_dir

        index_dir = Path(args.index) if args.index else default_index_dir()  # as ingest: never the demo index
        progress = not args.no_progress and sys.stderr.isatty()
        # A kill (SIGTERM) unwinds like Ctrl-C, so a download in flight leaves no temporary file behind.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            result = update(index_dir, args.dest, authorities=args.authority, since=since, kinds=kinds,
                            dry_run=args.dry_run, client=client, workers=max(0, args.workers), progress=progress)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except (ValueError, UpdateError) as exc:
        print(f"ofsted-qa: {exc}", file=sys.stderr)
        return 2
    print_result(result)
    return 0 if result.ok else 1


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
