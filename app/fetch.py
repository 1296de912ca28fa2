"""`ofsted-qa fetch-corpus`: download the inspection report PDFs listed in corpus/manifest.csv.

Each selected report is fetched from its `ofsted_url` (Ofsted's published copy) into `DEST/<file>`:

* a file already in DEST with the manifest's sha256 is skipped, so a re-run only fetches what is missing;
* bytes are streamed into a hidden temporary file in DEST and renamed into place only once complete and
  verified, so an interrupted or failed download never leaves a half-written PDF behind;
* a sha256 mismatch deletes the download and is reported as a failure (not retried: the bytes on the
  server are not the ones the manifest describes);
* network errors, timeouts, truncated bodies, 429 and 5xx responses are retried with exponential backoff;
  other HTTP errors (404 and friends) fail at once.

Only the standard library is used for HTTP; tqdm draws a byte-level progress bar with an ETA.

`download_file` and `fetch_page` offer the same machinery (temp file then rename, retries with backoff,
Retry-After honoured, a User-Agent that says who asks) to other commands: `ofsted-qa update` (app/update.py).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import difflib
import email.utils
import hashlib
import http.client
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from ingest.pdf import file_sha256
from ingest.vocabulary import name_key

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MANIFEST = REPO / "corpus" / "manifest.csv"
DEFAULT_DEMO_LIST = REPO / "corpus" / "demo.txt"

USER_AGENT = (
    "ofsted-qa/0.1 (fetch-corpus; downloads published Ofsted children's services inspection reports "
    "listed in the ofsted-qa corpus manifest)"
)
DEFAULT_RETRIES = 3
DEFAULT_TIMEOUT = 60.0
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further retry
BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 300.0  # a server's own Retry-After is honoured up to this many seconds
CHUNK_SIZE = 64 * 1024
REQUIRED_COLUMNS = ("file", "local_authority", "sha256", "ofsted_url")

T = TypeVar("T")


class FetchError(Exception):
    """A problem with the request itself (bad manifest, unknown authority, bad demo list): nothing fetched."""


class UnknownAuthorityError(FetchError, ValueError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        if suggestions:
            hint = "did you mean: " + ", ".join(f"'{s}'" for s in suggestions) + "?"
        else:
            hint = "no close matches; see the local_authority column of corpus/manifest.csv"
        super().__init__(f"unknown local authority '{name}' ({hint})")


@dataclass
class FetchSummary:
    """What `fetch_corpus` did: file names downloaded, skipped (already present and verified), failed."""

    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    @property
    def ok(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        return (
            f"{len(self.downloaded)} downloaded, {len(self.skipped)} already present, "
            f"{len(self.failed)} failed"
        )


class DownloadFailed(Exception):
    """One file could not be fetched; `reason` is what the summary reports."""

    def __init__(self, reason: str, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


# --- selection -------------------------------------------------------------------------------------------


def read_manifest(manifest: str | Path) -> list[dict[str, str]]:
    path = Path(manifest)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise FetchError(f"manifest {path} lacks column(s): {', '.join(missing)}")
            rows = [row for row in reader if (row.get("file") or "").strip()]
    except FileNotFoundError as exc:
        raise FetchError(f"manifest not found: {path}") from exc
    for row in rows:
        name = row["file"].strip()
        if name != Path(name).name or name in (".", "..") or name.startswith("."):
            raise FetchError(f"manifest {path} has an unsafe file name: {name!r}")
        row["file"] = name
    return rows


def read_demo_list(path: str | Path) -> list[str]:
    """File names, one a line; blank lines and '#' comments (whole-line or trailing) are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FetchError(f"demo list not found: {path}") from exc
    names = []
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def _row_keys(row: dict[str, str]) -> set[str]:
    # The manifest's name ("telford & wrekin") and the file's slug ("telford-wrekin") both count.
    keys = {name_key(row["local_authority"]), name_key(row["file"].split("_", 1)[0])}
    keys.discard("")
    return keys


def select_by_authority(rows: list[dict[str, str]], authority: str) -> list[dict[str, str]]:
    key = name_key(authority)
    chosen = [row for row in rows if key and key in _row_keys(row)]
    if chosen:
        return chosen
    display: dict[str, str] = {}
    for row in rows:
        for k in _row_keys(row):
            display.setdefault(k, row["local_authority"])
    suggestions: list[str] = []
    close = difflib.get_close_matches(key, list(display), n=5, cutoff=0.6) if key else []
    partial = sorted(k for k in display if key and len(key) >= 3 and (key in k or k in key))
    for k in close + partial:
        if display[k] not in suggestions:
            suggestions.append(display[k])
    raise UnknownAuthorityError(authority, suggestions[:6])


def select_demo(rows: list[dict[str, str]], demo_list: str | Path) -> list[dict[str, str]]:
    names = read_demo_list(demo_list)
    by_file = {row["file"]: row for row in rows}
    unknown = [n for n in names if n not in by_file]
    if unknown:
        raise FetchError(f"demo list {demo_list} names file(s) not in the manifest: {', '.join(unknown)}")
    return [by_file[n] for n in names]


# --- downloading -----------------------------------------------------------------------------------------


def _url_for(ofsted_url: str, base_url: str | None) -> str:
    """The address to fetch; `base_url` (for tests or a mirror) replaces the scheme and host."""
    if not base_url:
        return ofsted_url
    parts = urllib.parse.urlsplit(ofsted_url)
    tail = urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
    return base_url.rstrip("/") + (tail if tail.startswith("/") else "/" + tail)


def _expected_size(row: dict[str, str]) -> int | None:
    try:
        return int(row.get("bytes") or "")
    except ValueError:
        return None


def _already_present(target: Path, row: dict[str, str]) -> bool:
    if not target.is_file():
        return False
    size = _expected_size(row)
    if size is not None and target.stat().st_size != size:
        return False
    return file_sha256(target) == row["sha256"].strip().lower()


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to our own backoff
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


@contextmanager
def _response(url: str, timeout: float, user_agent: str, accept: str) -> Iterator[http.client.HTTPResponse]:
    """An open response to a GET of `url`; every network or HTTP problem becomes DownloadFailed,
    retryable when trying again may help (network errors, timeouts, truncation, 408, 429 and 5xx)."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            yield response
    except urllib.error.HTTPError as exc:
        code = exc.code
        retryable = code >= 500 or code in (408, 429)
        after = _retry_after(exc.headers.get("Retry-After")) if exc.headers else None
        raise DownloadFailed(f"HTTP {code} {exc.reason}".strip(), retryable, after) from exc
    except urllib.error.URLError as exc:
        raise DownloadFailed(f"network error: {exc.reason}", retryable=True) from exc
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise DownloadFailed(f"network error: {type(exc).__name__}: {exc}".rstrip(": "), True) from exc


def _check_length(response: http.client.HTTPResponse, received: int) -> None:
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) != received:
        raise DownloadFailed(f"truncated download ({received} of {declared} bytes)", retryable=True)


def _download_once(
    url: str, target: Path, expected_sha: str | None, timeout: float, bar: tqdm,
    user_agent: str = USER_AGENT, magic: bytes = b"",
) -> tuple[int, str]:
    """Fetch `url` into `target` (via a temp file). Returns (bytes written, sha256); raises DownloadFailed.

    `expected_sha` None accepts any content; `magic` is what the body must begin with (b"%PDF-": a PDF,
    not an error page served with status 200).
    """
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    written = 0
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _response(url, timeout, user_agent, "application/pdf, */*") as response:
            head = b""
            while chunk := response.read(CHUNK_SIZE):
                if len(head) < len(magic):
                    head += chunk[: len(magic) - len(head)]
                    if not magic.startswith(head):
                        raise DownloadFailed(f"not a PDF (the server sent {head[:16]!r}…)", retryable=False)
                out.write(chunk)
                digest.update(chunk)
                written += len(chunk)
                bar.update(len(chunk))
            _check_length(response, written)
        if len(head) < len(magic):
            raise DownloadFailed(f"not a PDF ({written} bytes)", retryable=False)
        actual = digest.hexdigest()
        if expected_sha is not None and actual != expected_sha:
            raise DownloadFailed(
                f"sha256 mismatch (expected {expected_sha[:12]}…, got {actual[:12]}…); download deleted",
                retryable=False,
            )
        os.replace(tmp, target)
        return written, actual
    except BaseException:
        bar.update(-written)  # un-count bytes of an attempt that will not be kept
        raise
    finally:
        tmp.unlink(missing_ok=True)


def _retrying(attempt_once: Callable[[], T], name: str, retries: int, backoff_base: float,
              say: Callable[[str], None]) -> T:
    """Call `attempt_once` until it succeeds, retrying a retryable DownloadFailed `retries` times with
    exponential backoff (a longer Retry-After is honoured up to RETRY_AFTER_MAX); the last failure is raised."""
    attempt = 0
    while True:
        try:
            return attempt_once()
        except DownloadFailed as failure:
            if not failure.retryable or attempt >= retries:
                if attempt:
                    failure.reason += f" (after {attempt + 1} attempts)"
                raise
            delay = min(BACKOFF_MAX, backoff_base * 2**attempt)
            if failure.retry_after is not None:
                delay = max(delay, min(RETRY_AFTER_MAX, failure.retry_after))
            attempt += 1
            say(f"{name}: {failure.reason}; retry {attempt}/{retries} in {delay:g}s")
            time.sleep(delay)


def _download(
    url: str, target: Path, expected_sha: str | None, retries: int, timeout: float, backoff_base: float, bar: tqdm,
    user_agent: str = USER_AGENT, magic: bytes = b"",
) -> tuple[int, str]:
    return _retrying(
        lambda: _download_once(url, target, expected_sha, timeout, bar, user_agent, magic),
        target.name, retries, backoff_base, lambda message: bar.write(message, file=sys.stderr),
    )


def download_file(
    url: str, target: str | Path, *, user_agent: str, expected_sha: str | None = None, magic: bytes = b"",
    retries: int = DEFAULT_RETRIES, timeout: float = DEFAULT_TIMEOUT, backoff_base: float = BACKOFF_BASE,
    bar: tqdm | None = None,
) -> tuple[int, str]:
    """Download `url` to `target` whole or not at all: streamed into a hidden temp file beside it, renamed
    into place only when complete (and matching `expected_sha`, if given), retried with backoff.

    Args:
        url: the address.
        target: the file to write; its folder must exist.
        user_agent: the User-Agent to send (say who is asking, and why).
        expected_sha: the sha256 the bytes must have, or None to accept any.
        magic: what the body must begin with (b"%PDF-" for a PDF), or b"" for anything.
        retries, timeout, backoff_base: as for `fetch_corpus`.
        bar: a tqdm byte counter to update, or None.
    Returns:
        (bytes written, their sha256).
    Raises:
        DownloadFailed: with the reason, after the retries; nothing is left at `target`'s name.
        OSError: the file could not be written (disk full, no permission).
    """
    target = Path(target)
    own_bar = bar is None
    bar = bar if bar is not None else tqdm(disable=True)
    try:
        return _download(url, target, expected_sha, retries, timeout, backoff_base, bar, user_agent, magic)
    finally:
        if own_bar:
            bar.close()


def fetch_page(
    url: str, *, user_agent: str, accept: str = "text/html, */*;q=0.5", retries: int = DEFAULT_RETRIES,
    timeout: float = DEFAULT_TIMEOUT, backoff_base: float = BACKOFF_BASE, max_bytes: int = 8 * 1024 * 1024,
    say: Callable[[str], None] | None = None,
) -> tuple[bytes, str]:
    """GET a page into memory, with the retries and backoff of the downloads.

    Args:
        url: the address.
        user_agent: the User-Agent to send.
        accept: the Accept header.
        retries, timeout, backoff_base: as for `fetch_corpus`.
        max_bytes: a larger body fails (a page is not that big).
        say: where retry notes go (default: standard error).
    Returns:
        (the body, its Content-Type header or "").
    Raises:
        DownloadFailed: with the reason, after the retries.
    """

    def once() -> tuple[bytes, str]:
        with _response(url, timeout, user_agent, accept) as response:
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise DownloadFailed(f"page larger than {max_bytes} bytes", retryable=False)
            _check_length(response, len(body))
            return body, response.headers.get("Content-Type", "")

    return _retrying(once, url, retries, backoff_base, say or (lambda message: print(message, file=sys.stderr)))


def fetch_corpus(
    dest: str | Path,
    manifest: str | Path = DEFAULT_MANIFEST,
    authority: str | None = None,
    demo: bool = False,
    retries: int = DEFAULT_RETRIES,
    timeout: float = DEFAULT_TIMEOUT,
    base_url: str | None = None,
    progress: bool = True,
    *,
    demo_list: str | Path = DEFAULT_DEMO_LIST,
    backoff_base: float | None = None,
) -> FetchSummary:
    """Download the selected reports of `manifest` into `dest`; see the module docstring.

    `authority` keeps one authority's reports, `demo` the files named in `demo_list` (both may be given:
    the demo files of that authority). `base_url` replaces the scheme and host of each `ofsted_url` (tests, a
    mirror); `backoff_base` is the wait in seconds before the first retry (default BACKOFF_BASE), doubled for
    each further retry. Raises FetchError (nothing downloaded) for a bad selection; per-file
    problems are reported in the returned summary instead.
    """
    if backoff_base is None:
        backoff_base = BACKOFF_BASE
    if retries < 0:
        raise FetchError("retries must be 0 or more")
    if timeout <= 0:
        raise FetchError("timeout must be positive")
    rows = read_manifest(manifest)
    if demo:
        rows = select_demo(rows, demo_list)
    if authority is not None:
        rows = select_by_authority(rows, authority)

    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create {dest}: {exc}") from exc
    summary = FetchSummary()
    todo: list[dict[str, str]] = []
    for row in rows:
        if _already_present(dest / row["file"], row):
            summary.skipped.append(row["file"])
        else:
            todo.append(row)

    sizes = [_expected_size(row) for row in todo]
    total = sum(s for s in sizes if s is not None) if all(s is not None for s in sizes) else None
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=f"fetching {len(todo)} report{'s' if len(todo) != 1 else ''}",
        disable=not progress or not todo,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        for row, size in zip(todo, sizes, strict=True):
            name = row["file"]
            bar.set_postfix_str(name, refresh=False)
            url = _url_for(row["ofsted_url"].strip(), base_url)
            expected = row["sha256"].strip().lower()
            if not url:
                summary.failed.append((name, "manifest row has no ofsted_url"))
            elif not re.fullmatch(r"[0-9a-f]{64}", expected):
                summary.failed.append((name, "manifest row has no valid sha256"))
            else:
                try:
                    written, _ = _download(url, dest / name, expected, retries, timeout, backoff_base, bar)
                except DownloadFailed as failure:
                    summary.failed.append((name, failure.reason))
                except OSError as exc:  # e.g. disk full, permission denied in dest
                    summary.failed.append((name, f"could not write file: {exc}"))
                else:
                    summary.downloaded.append(name)
                    if bar.total is not None and size is not None and written != size:
                        bar.total += written - size  # the manifest's size was stale; keep the ETA honest
                    continue
            if bar.total is not None and size is not None:
                bar.total -= size  # nothing more will arrive for this file
            bar.refresh()
    return summary


# --- command line ----------------------------------------------------------------------------------------


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", metavar="DEST", help="folder to download the PDFs into (created if missing)")
    parser.add_argument(
        "--authority",
        metavar="NAME",
        help="only this local authority's reports (case, spaces and punctuation ignored: 'stoke on trent')",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"only the demo set listed in {DEFAULT_DEMO_LIST.relative_to(REPO)}",
    )
    parser.add_argument(
        "--retries",
        type=_non_negative_int,
        metavar="N",
        default=DEFAULT_RETRIES,
        help=f"retries per file on network errors and 5xx responses (default {DEFAULT_RETRIES})",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        default=DEFAULT_TIMEOUT,
        help=f"network timeout in seconds (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=DEFAULT_MANIFEST,
        metavar="CSV",
        help="manifest CSV listing the reports (default corpus/manifest.csv)",
    )


def _print_list(title: str, items: Iterable[str], stream) -> None:
    items = list(items)
    if items:
        print(title, file=stream)
        for item in items:
            print(f"  {item}", file=stream)


def run_fetch(args: argparse.Namespace) -> int:
    """CLI entry: fetch, print a summary; 0 if everything is present and verified, 1 if any file failed,
    2 if the request itself was bad (unknown authority, unreadable manifest or demo list)."""
    try:
        summary = fetch_corpus(
            args.dest,
            manifest=getattr(args, "manifest", None) or DEFAULT_MANIFEST,
            authority=getattr(args, "authority", None),
            demo=getattr(args, "demo", False),
            retries=getattr(args, "retries", DEFAULT_RETRIES),
            timeout=getattr(args, "timeout", DEFAULT_TIMEOUT),
            base_url=getattr(args, "base_url", None),
            progress=getattr(args, "progress", True),
        )
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.dest}: {summary}")
    _print_list("failed:", (f"{name}: {reason}" for name, reason in summary.failed), sys.stderr)
    if summary.failed:
        print("re-run the same command to retry; files already downloaded are kept.", file=sys.stderr)
        return 1
    return 0
