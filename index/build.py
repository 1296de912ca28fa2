"""Ingest a batch of PDF files into an index: skip what is unchanged, replace what changed, report failures.

Each report is committed on its own, so an interrupted run keeps everything finished before it, and
running it again does only what is left. One process writes at a time (a lock file).

An unchanged file whose metadata an older reader wrote (ingest.models.METADATA_VERSION) is read
again and its document rewritten ("updated"); its passages' embeddings are found by content hash,
so nothing is embedded again unless the passages themselves changed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from index.progress import Progress, progress_for
from index.report_index import VECTORS_NAME, ReportIndex
from ingest.models import METADATA_VERSION, ParsedReport
from ingest.pdf import PdfReadError, file_sha256, page_count
from ingest.pipeline import find_pdfs, page_counts, parse_reports, process_alive

log = logging.getLogger(__name__)

LOCK_NAME = "ingest.lock"
STALE_RECHECK_SECONDS = 0.2
LOCAL_MANIFEST = "manifest.csv"  # beside the index folder: publication dates for a user's own reports
SAVE_EVERY_SECONDS = 30.0
BATCH_PASSAGES = 192  # embed several reports per model call; each still commits on its own


class IndexLockedError(RuntimeError):
    pass


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # unchanged files read again by a newer metadata reader
    replaced: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, the path it repeats)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    no_authority: list[str] = field(default_factory=list)  # stored, but no authority could be read
    chunks_added: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


@contextmanager
def ingest_lock(directory: Path) -> Iterator[None]:
    """Hold the index's write lock, or refuse at once if a live process holds it.

    The lock is an flock on LOCK_NAME, which holds the owner's pid. The kernel frees it when every
    descriptor of it is closed, so a killed ingest frees it too, unless a process it started still holds
    a copy (an orphaned parse worker forked before the pool stopped inheriting it). A lock whose recorded
    owner is dead is stale: a fresh lock file replaces it (the orphan keeps the old file's lock, which
    no longer matters), and a log line says so.

    Raises:
        IndexLockedError: another live process is writing to the index.
    """
    directory.mkdir(parents=True, exist_ok=True)
    handle = _take_lock(directory)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        for stale in directory.glob(VECTORS_NAME + ".*.tmp"):  # left by a writer killed mid-save
            stale.unlink(missing_ok=True)
        for stale in directory.glob(".*-*"):  # derived folders' staging copies (index/atomic_folder.py)
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        handle.close()  # closing releases the lock


def _take_lock(directory: Path) -> TextIO:
    """The lock file, open and flocked by this process."""
    path = directory / LOCK_NAME
    for _ in range(5):  # another process may replace a stale file between our open and our flock
        handle = open(path, "a+")
        if _flock(handle):
            if _is_current(handle, path):
                return handle
            handle.close()
            continue
        holder = _holder(handle)
        handle.close()
        if holder is not None and not process_alive(holder):
            _replace_stale(directory, holder)
            continue
        raise IndexLockedError(
            f"another ingest or remove (pid {holder or 'unknown'}) is writing to {directory}; wait for it to finish"
        )
    raise IndexLockedError(f"could not take the write lock of {directory}; try again")


def _replace_stale(directory: Path, holder: int) -> None:
    """Put a fresh lock file where one held by a dead owner's orphan is, once (under a second lock, so
    two processes that both find it stale do not both replace it)."""
    path = directory / LOCK_NAME
    with open(directory / (LOCK_NAME + ".break"), "a+") as breaking:
        fcntl.flock(breaking, fcntl.LOCK_EX)
        time.sleep(STALE_RECHECK_SECONDS)  # a new owner that has just taken the lock writes its pid at once
        with open(path, "a+") as current:
            if _flock(current) or _holder(current) != holder:
                return  # freed or replaced meanwhile: the caller tries again
        fresh = directory / f"{LOCK_NAME}.{os.getpid()}.tmp"
        fresh.write_text("")
        os.replace(fresh, path)
        log.warning("the write lock of %s was held for pid %d, which is no longer running (a killed ingest's "
                    "left-over process): taken over", directory, holder)


def _flock(handle: TextIO) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _is_current(handle: TextIO, path: Path) -> bool:
    """True when the locked file is still the one at `path` (not replaced as stale meanwhile)."""
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


def _holder(handle: TextIO) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None


def local_manifests(directory: Path) -> tuple[str, ...]:
    """The manifest beside an index folder (`<index dir>/../manifest.csv`), if there is one."""
    candidate = directory.resolve().parent / LOCAL_MANIFEST
    return (str(candidate),) if candidate.is_file() else ()


def ingest_paths(
    index: ReportIndex,
    paths: Iterable[str | Path],
    workers: int = 1,
    progress: bool | Progress = True,
) -> IngestSummary:
    """Add, replace or re-read the PDFs named (files, or folders searched for PDFs) in the index.

    Args:
        index: an index opened for writing.
        paths: files and folders.
        workers: PDF parsing processes (0: parse in this process).
        progress: True for a progress bar, False for nothing, or a Progress (index/progress.py: lines
            for output that is not a terminal).
    Returns:
        What was done to each file.
    Raises:
        IndexLockedError: another process is writing to the index.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    files, missing = find_pdfs(paths)
    summary.failed.extend(missing)
    store = index.store

    with ingest_lock(index.directory):
        todo: list[tuple[str, str]] = []
        replaces: dict[str, int] = {}
        read_before = store.documents_read_before(METADATA_VERSION)
        rereads: dict[str, int] = {}  # path -> its document, read again for newer metadata
        # The same content twice in one batch: parse it once, give it the other names after it is stored.
        first_of: dict[str, str] = {}  # sha256 -> the path that will be parsed
        same_as: dict[str, list[str]] = {}  # that path -> the other paths with its content
        for file in files:
            path = str(file)
            try:
                sha = file_sha256(file)
            except OSError as exc:
                summary.failed.append((path, f"cannot be read ({exc.strerror or exc})"))
                continue
            by_path = store.document_by_path(path)
            if by_path and by_path[1] == sha:
                if by_path[0] in read_before:
                    read_before.discard(by_path[0])  # once per document, whichever of its names comes first
                    rereads[path] = by_path[0]
                    todo.append((path, sha))
                else:
                    summary.unchanged.append(path)
                continue
            same_doc = store.document_by_sha(sha)
            if same_doc is not None:
                # The same report under another name: index it once and remember both names.
                if by_path:
                    index.remove_path(path)
                other = store.documents([same_doc])[same_doc].paths
                store.add_path(same_doc, path)
                summary.duplicates.append((path, other[0] if other else "?"))
                continue
            if sha in first_of:
                same_as.setdefault(first_of[sha], []).append(path)
                continue
            first_of[sha] = path
            if by_path:
                replaces[path] = by_path[0]
            todo.append((path, sha))

        bar = progress_for(progress)
        pages_of = _page_counts(todo, local_manifests(index.directory)) if todo else {}
        bar.start(len(todo), sum(pages_of.values()))
        last_save = time.monotonic()
        try:
            parsed = parse_reports(todo, workers=workers, extra_manifests=local_manifests(index.directory))
            for batch in _batches(_told(parsed, bar, pages_of), BATCH_PASSAGES):
                reports = [r for _, r in batch if not isinstance(r, PdfReadError)]
                vectors = index.embed_new(reports) if reports else {}
                for path, result in batch:
                    if isinstance(result, PdfReadError):
                        summary.failed.append((path, str(result)))
                        summary.failed.extend((other, str(result)) for other in same_as.get(path, ()))
                    elif path in rereads:
                        # The same content: the document keeps all its names; no passage is embedded again
                        # unless the chunker changed it.
                        index.upsert(result, path=path, replaces=rereads[path], vectors=vectors)
                        summary.updated.append(path)
                        _note_authority(summary, path, result)
                    else:
                        doc_id = _store(index, path, result, replaces.get(path), vectors)
                        if doc_id != replaces.get(path):  # else saved again with the same text: kept as it was
                            summary.chunks_added += len(result.chunks)
                        (summary.replaced if path in replaces else summary.added).append(path)
                        _note_authority(summary, path, result)
                        for other in same_as.get(path, ()):
                            if store.document_by_path(other):
                                index.remove_path(other)  # it named other content before
                            store.add_path(doc_id, other)
                            summary.duplicates.append((other, path))
                # The batch's reports are stored together: one progress step, so its count is never behind.
                bar.advance([Path(path).name for path, _ in batch], sum(pages_of.get(path, 0) for path, _ in batch))
                if time.monotonic() - last_save > SAVE_EVERY_SECONDS:
                    index.save(postings=False)  # a checkpoint for the vectors; the postings at the end
                    last_save = time.monotonic()
        finally:
            bar.close()
            index.save()
        if todo:
            bar.note("embedding the corpus vocabulary's new words (the thesaurus)")
        index.update_thesaurus()
        index.update_recommendations()
    summary.seconds = time.perf_counter() - started
    return summary


def _note_authority(summary: IngestSummary, path: str, report: ParsedReport) -> None:
    if not report.metadata.local_authority:
        summary.no_authority.append(path)


def _batches(results: Iterator[tuple[str, object]], passages: int) -> Iterator[list[tuple[str, object]]]:
    """Group parsed reports until they hold about `passages` passages, so the model gets full batches.

    The first report is a batch of its own: stored at once, it gives the first progress line with a time
    left measured on real work, where waiting for a full batch left a long silence."""
    batch: list[tuple[str, object]] = []
    size = 0
    first = True
    for path, result in results:
        batch.append((path, result))
        size += len(getattr(result, "chunks", ()))
        if size >= passages or first:
            yield batch
            batch, size, first = [], 0, False
    if batch:
        yield batch


def _told(results: Iterator[tuple[str, object]], bar: Progress,
          pages_of: dict[str, int]) -> Iterator[tuple[str, object]]:
    """The parsed reports, each told to the progress as it is read (before its passages are embedded)."""
    for path, result in results:
        bar.reading(Path(path).name, pages_of.get(path, 0))
        yield path, result


def _page_counts(todo: list[tuple[str, str]], manifests: tuple[str, ...]) -> dict[str, int]:
    """Each file's pages, for the time left: from a manifest by sha256 where known, else counted (quick:
    the page tree only)."""
    known = dict(page_counts())
    for manifest in manifests:
        known.update(page_counts(manifest))
    return {path: known.get(sha) or page_count(path) for path, sha in todo}


def _store(index: ReportIndex, path: str, report, old: int | None, vectors) -> int:
    store = index.store
    if old is not None and len(store.documents([old])[old].paths) > 1:
        index.remove_path(path)  # other names still point at the old version: keep it for them
        old = None
    return index.upsert(report, path=path, replaces=old, vectors=vectors)


def remove_documents(index: ReportIndex, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Remove reports by path or file name; (removed, not found)."""
    removed, unknown = [], []
    with ingest_lock(index.directory):
        docs = index.store.documents()
        by_name: dict[str, list[str]] = {}
        for doc in docs.values():
            for p in doc.paths:
                by_name.setdefault(p, []).append(p)
                by_name.setdefault(Path(p).name, []).append(p)
        for name in names:
            key = str(Path(name).resolve()) if Path(name).exists() else name
            targets = by_name.get(key) or by_name.get(Path(name).name)
            if not targets:
                unknown.append(name)
                continue
            for target in targets:
                index.remove_path(target)
            removed.append(name)
        index.save()
        index.update_thesaurus()
        index.update_recommendations()
    return removed, unknown
