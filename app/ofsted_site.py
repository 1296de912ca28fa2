"""Ofsted's reports site (https://reports.ofsted.gov.uk): its provider pages and the publications they list.

Each local authority's children's services have one provider page, `<site>/provider/44/<URN>` (URNs as
in corpus/la_lookup.csv). The page lists the authority's publications, newest first, each a link to
its PDF whose hidden text names the type and, usually, the date:

    <li>
      <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50066870">
        Children's services inspection
        <span class="nonvisual">Children's services inspection - 01 April 2019, pdf</span></a>
      <p>Published: <time datetime="2019-04-01">1 April 2019</time></p>
    </li>

`parse_provider_page` reads it with an HTML parser (BeautifulSoup), never with regular expressions over
the HTML. It takes each publication's type from its `span.nonvisual` (else the link's own text) and its
date from that hidden text, else a `<time datetime>` beside the link, else a date in the text around
the link. It allows small variations (other wrappers and classes, relative links, no time
element, a renamed link class when the links still point at Ofsted's file store) and refuses a page it
does not understand with SiteLayoutError: not HTML, no publication links, a link without an address or
a type, or not one dated publication.

`SiteClient` fetches the pages and the PDFs one request at a time, a short pause apart, with a
User-Agent that says what is asking, and with fetch-corpus's retries and backoff (app/fetch.py).
"""

from __future__ import annotations

import re
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.fetch import BACKOFF_BASE, DEFAULT_RETRIES, DEFAULT_TIMEOUT, download_file, fetch_page
from ingest.environment import REPORTS_URL, environment

if TYPE_CHECKING:  # BeautifulSoup and the date reader are imported when a page is read
    from bs4 import Tag
    from tqdm import tqdm

DEFAULT_BASE_URL = "https://reports.ofsted.gov.uk"
BASE_URL_ENV = REPORTS_URL  # another address for the site: a mirror, or a test server (ingest/environment.py)
PROVIDER_PATH = "/provider/44/{urn}"  # 44: local authority children's services
USER_AGENT = (
    "ofsted-qa/0.1 (update; looks for newly published Ofsted reports on local authority children's services, "
    "one request at a time, to add them to a local search index)"
)
DEFAULT_DELAY = 0.5  # seconds between two requests to the site

# What `ofsted-qa update --types` can take: a publication's kind, read from the type the site gives it
# (`kind_of`). Full inspections are the inspection reports (ILACS, SIF and earlier ones, LSCB reviews);
# the others are letters; "other" is whatever else a page lists (assurance visits, for example).
PUBLICATION_KINDS: dict[str, str] = {
    "full": "full inspections",
    "monitoring": "monitoring visits",
    "focused": "focused visits",
    "jtai": "joint targeted area inspections (JTAI)",
    "other": "other publications",
}

# The hidden text of a link ends with the file's format and often the date: "..., pdf", "- 09 May 2025".
_FORMAT_SUFFIX = re.compile(r"[\s,(-]*\bpdf\)?\s*$", re.I)
_DATE_SUFFIX = re.compile(r"\s*[-,]?\s*\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?\s+\d{4}\s*$")
_FILE_PATH = re.compile(r"/v1/file/\d+/?$")  # the address of a file in Ofsted's file store
# Elements that may hold one publication: its link, its date, a note.
_ITEM_TAGS = ("li", "tr", "article", "div", "dd", "dt", "section", "p", "td")
_HIDDEN_CLASSES = ("nonvisual", "visually-hidden", "govuk-visually-hidden")


class SiteLayoutError(ValueError):
    """A page of the site is not laid out as this reader expects: nothing on it can be trusted."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the layout of Ofsted's page {url} is not understood: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Publication:
    """One publication a provider page lists."""

    url: str  # the PDF's address, absolute
    label: str  # its type as the site names it: "Children's services inspection"
    kind: str  # a key of PUBLICATION_KINDS
    published: date | None  # None: the page gives no date for it

    @property
    def file_id(self) -> str:
        """The last part of the address ("50066870"): unique in Ofsted's file store."""
        return urllib.parse.urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1]


def site_address(option: str | None = None) -> str:
    """The site's address: `option`, else $OFSTED_QA_REPORTS_URL, else https://reports.ofsted.gov.uk.

    Args:
        option: an address given on the command line, or None.
    Returns:
        The address without a trailing slash.
    Raises:
        ValueError: the address is not an http(s) address.
    """
    address = (option or environment().reports_url or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urllib.parse.urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the reports site address must be an http(s) address, not {address!r}")
    return address


def provider_url(base_url: str, urn: str) -> str:
    """The address of one authority's provider page, by its URN."""
    return base_url.rstrip("/") + PROVIDER_PATH.format(urn=urllib.parse.quote(str(urn).strip()))


def kind_of(label: str) -> str:
    """The kind (a key of PUBLICATION_KINDS) of a publication the site names `label`.

    Args:
        label: the site's type, e.g. "Children's services focused visit".
    Returns:
        "monitoring", "focused", "jtai", "full" (an inspection or a review) or "other".
    """
    text = " ".join(label.lower().replace("\u2019", "'").split())
    if "monitoring visit" in text:
        return "monitoring"
    if "focused visit" in text or "focussed visit" in text:
        return "focused"
    if "joint targeted area" in text or re.search(r"\bjtai\b", text):
        return "jtai"
    if "visit" in text or "letter" in text:
        return "other"  # an assurance visit, say: a letter, not an inspection
    if "inspection" in text or "review" in text:
        return "full"
    return "other"


def _clean_label(text: str) -> str:
    """"Children's services inspection - 09 May 2025, pdf" -> "Children's services inspection"."""
    text = " ".join(text.replace("\u2019", "'").split())
    for _ in range(2):  # the format and the date come in either order
        text = _DATE_SUFFIX.sub("", _FORMAT_SUFFIX.sub("", text)).strip(" ,-")
    return text


def _hidden_text(link: Tag) -> str:
    for name in _HIDDEN_CLASSES:
        span = link.select_one(f".{name}")
        if span is not None:
            return span.get_text(" ", strip=True)
    return ""


def _visible_text(link: Tag) -> str:
    parts = []
    for piece in link.find_all(string=True):
        parent = piece.parent
        if parent is not None and any(c in (parent.get("class") or []) for c in _HIDDEN_CLASSES):
            continue
        parts.append(str(piece))
    return " ".join(" ".join(parts).split())


def _item_of(link: Tag, link_ids: set[int]) -> Tag:
    """The largest element around `link` holding no other publication link: its list item, in effect."""
    item = link
    for parent in link.parents:
        if parent.name in ("body", "html", "[document]"):
            break
        # By identity: two links with the same markup are equal Tags, and both count.
        if sum(1 for node in parent.descendants if id(node) in link_ids) > 1:
            break
        if parent.name in _ITEM_TAGS:
            item = parent
    return item


def _date_of(item: Tag, hidden: str) -> date | None:
    """The publication's date: the one its hidden text names (the site's own label for the file), else a
    `<time>` in its list item, else a date in the item's text."""
    from ingest.metadata import parse_date

    if found := parse_date(hidden):
        return found
    for stamp in item.find_all("time"):
        value = str(stamp.get("datetime") or "").strip()
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            found = parse_date(stamp.get_text(" ", strip=True))
            if found:
                return found
    return parse_date(item.get_text(" ", strip=True))


def _is_file_link(url: str) -> bool:
    return bool(_FILE_PATH.search(urllib.parse.urlsplit(url).path))


def parse_provider_page(body: bytes | str, page_url: str, content_type: str = "text/html") -> list[Publication]:
    """The publications one provider page lists, in the page's order (newest first on Ofsted's site).

    Args:
        body: the page as fetched.
        page_url: its address (relative links are read against it; named in errors).
        content_type: the Content-Type the server gave ("" when it gave none).
    Returns:
        The publications; some may have no date when the page gives none for them.
    Raises:
        SiteLayoutError: the page is not HTML, lists no publication links, has a link without an
            address or a type, or gives no publication a date.
    """
    from bs4 import BeautifulSoup

    if content_type and "html" not in content_type.lower():
        raise SiteLayoutError(page_url, f"the server sent {content_type.split(';')[0]}, not an HTML page")
    soup = BeautifulSoup(body, "html.parser")
    links = soup.select("a.publication-link")
    if not links:
        # A renamed class is a small change; links straight to Ofsted's file store still say what they are.
        links = [a for a in soup.find_all("a", href=True) if _is_file_link(urllib.parse.urljoin(page_url, a["href"]))]
    if not links:
        title = soup.title.get_text(" ", strip=True) if soup.title else "no title"
        raise SiteLayoutError(page_url, f"no publication links (a.publication-link) on the page ({title!r})")
    publications = []
    link_ids = {id(link) for link in links}
    for number, link in enumerate(links, start=1):
        href = str(link.get("href") or "").strip()
        if not href:
            raise SiteLayoutError(page_url, f"publication link {number} has no address")
        url = urllib.parse.urljoin(page_url, href)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SiteLayoutError(page_url, f"publication link {number} is not a web address: {href!r}")
        hidden = _hidden_text(link)
        label = _clean_label(hidden) or _clean_label(_visible_text(link))
        if not label:
            raise SiteLayoutError(page_url, f"publication link {number} ({url}) names no type")
        published = _date_of(_item_of(link, link_ids), hidden)
        publications.append(Publication(url=url, label=label, kind=kind_of(label), published=published))
    if not any(p.published for p in publications):
        raise SiteLayoutError(page_url, f"none of its {len(publications)} publication(s) has a date")
    return publications


@dataclass
class SiteClient:
    """Reads the site politely: one request at a time, `delay` seconds apart, retried with backoff on
    network errors, 429 and 5xx (a Retry-After is honoured), with a User-Agent that says who asks."""

    base_url: str = DEFAULT_BASE_URL
    retries: int = DEFAULT_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    backoff_base: float = BACKOFF_BASE
    delay: float = DEFAULT_DELAY
    say: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr))
    _last_request: float | None = field(default=None, init=False, repr=False)

    def _pause(self) -> None:
        if self._last_request is not None and self.delay > 0:
            wait = self._last_request + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last_request = time.monotonic()

    def provider_publications(self, urn: str) -> list[Publication]:
        """The publications on one authority's provider page.

        Args:
            urn: the authority's URN.
        Returns:
            As `parse_provider_page`.
        Raises:
            DownloadFailed: the page could not be fetched (after the retries).
            SiteLayoutError: the page is not understood.
        """
        url = provider_url(self.base_url, urn)
        self._pause()
        body, content_type = fetch_page(url, user_agent=USER_AGENT, retries=self.retries, timeout=self.timeout,
                                        backoff_base=self.backoff_base, say=self.say)
        return parse_provider_page(body, url, content_type)

    def download(self, publication: Publication, target: Path, bar: tqdm | None = None) -> tuple[int, str]:
        """Download a publication's PDF to `target`, whole or not at all (app.fetch.download_file).

        Returns:
            (bytes written, their sha256).
        Raises:
            DownloadFailed: after the retries, or when the server sent something other than a PDF.
            OSError: the file could not be written.
        """
        self._pause()
        return download_file(publication.url, target, user_agent=USER_AGENT, magic=b"%PDF-", retries=self.retries,
                             timeout=self.timeout, backoff_base=self.backoff_base, bar=bar)
