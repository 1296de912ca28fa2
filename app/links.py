"""The links that go into what people share (search exports, evidence packs) and that the command line
prints (`page_link`: a file:// link to a report's page; here so that app.cli and app.readiness_cli both
use it without importing each other).

A passage's own page is served by the app (`/pdf/<doc>#page=<n>`), so a link to it works for a
colleague only when the app's address is one they can reach: the public address given to
`ofsted-qa serve --public-url URL` (or `$OFSTED_QA_PUBLIC_URL`), or `pack export --base-url URL`.
Without one, an export leads with Ofsted's published copy of the report, which anyone can open, and
says that the local link works only on the machine serving the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_APP_PAGE = re.compile(r"^/pdf/(\d+)(?:#page=(\d+))?$")


def public_url(value: str | None) -> str | None:
    """The app's public address, checked: `http(s)://host[:port][/path]`, without a trailing slash.

    Args:
        value: the address as given (None or blank: no public address).
    Returns:
        The address, or None.
    Raises:
        ValueError: it is not an http or https address with a host, or it has a query or fragment.
    """
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the public address must start with http:// or https:// and name a host, "
                         f"like https://ofsted-qa.council.gov.uk; got {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"the public address is where the app is served, without ? or #; got {value!r}")
    return value.rstrip("/")


@dataclass(frozen=True)
class LinkBase:
    """The app's address that links are made absolute with.

    Attributes:
        url: e.g. "https://ofsted-qa.council.gov.uk" or "http://127.0.0.1:7860", no trailing slash.
        public: colleagues can reach it (a public address given); else only the machine serving the app.
    """

    url: str
    public: bool


@dataclass(frozen=True)
class Link:
    """One link as an export shows it."""

    label: str
    url: str


# Who can open a page link (ReportLinks.reach).
REACH_ANYONE = "anyone who can reach the app"
REACH_SERVER = "only on the machine serving the app"
REACH_COMPUTER = "only on the computer that made this export"


@dataclass(frozen=True)
class ReportLinks:
    """A cited passage's links.

    Attributes:
        page: the passage's first page.
        ofsted: Ofsted's published copy, opened at the page, or None when not known.
        local: the page in the app (absolute) or in this computer's copy, or None.
        reach: who can open `local`: REACH_ANYONE, REACH_SERVER or REACH_COMPUTER ("" without one).
    """

    page: int
    ofsted: str | None
    local: str | None
    reach: str

    def ordered(self) -> list[Link]:
        """The links in the order a colleague should try them: the app's page first when anyone can open
        it, else Ofsted's copy first and the local link labelled with where it works."""
        ofsted = [Link(f"Ofsted's published copy, page {self.page}", self.ofsted)] if self.ofsted else []
        if not self.local:
            return ofsted
        if self.reach == REACH_ANYONE:
            return [Link(f"open the report at page {self.page}", self.local), *ofsted]
        where = "in ofsted-qa" if self.reach == REACH_SERVER else "from this computer's copy"
        return [*ofsted, Link(f"open the report at page {self.page} {where} (works {self.reach})", self.local)]


def app_page(doc_id: int | None, page: int) -> str | None:
    """The app's path that opens a report at a page (None without a document)."""
    return f"/pdf/{int(doc_id)}#page={int(page)}" if doc_id is not None else None


def doc_id_of(link: str | None) -> int | None:
    """The document of an app path such as `/pdf/14#page=19`, else None."""
    match = _APP_PAGE.match(link or "")
    return int(match.group(1)) if match else None


def ofsted_page(ofsted_url: str, page: int) -> str:
    """Ofsted's published copy, opened at the page (PDF viewers follow `#page=`)."""
    return ofsted_url if "#" in ofsted_url else f"{ofsted_url}#page={int(page)}"


def report_links(page: int, ofsted_url: str | None, app_path: str | None, base: LinkBase | None,
                 file_link: str | None = None) -> ReportLinks:
    """A cited passage's links.

    Args:
        page: the passage's first page.
        ofsted_url: Ofsted's published copy of the report, if known.
        app_path: the app's path to the page (`/pdf/14#page=19`), if the report is in the index.
        base: the app's address; None when not known (then an app path cannot be linked).
        file_link: a `file:` link to this computer's copy (what the command line pins), if any.
    Returns:
        The links; the app's page made absolute with `base` when there is one, else the file link.
    """
    ofsted = ofsted_page(ofsted_url, page) if ofsted_url else None
    if base is not None and app_path:
        return ReportLinks(page, ofsted, base.url + app_path, REACH_ANYONE if base.public else REACH_SERVER)
    if file_link:
        return ReportLinks(page, ofsted, file_link, REACH_COMPUTER)
    return ReportLinks(page, ofsted, None, "")


def link_note(base: LinkBase | None) -> str:
    """A sentence for an export's head: whether its page links work for whoever it is sent to."""
    if base is not None and base.public:
        return f"Page links open the reports in ofsted-qa at {base.url}."
    return ("Links lead with Ofsted's published copy of each report, which anyone can open; a link to "
            "ofsted-qa's own copy works only on the machine serving the app (start it with "
            "`ofsted-qa serve --public-url URL` to give colleagues links that work).")


def page_link(index, doc_id: int, page: int) -> str | None:
    """A file:// link that opens one report's PDF at a page.

    Args:
        index: an open ReportIndex.
        doc_id: the report's id.
        page: the page to open at (from 1).

    Returns:
        The link, or None when the index has no path for the report.
    """
    doc = index.searcher.documents().get(doc_id)
    if not doc or not doc.paths:
        return None
    return f"{Path(doc.paths[0]).as_uri()}#page={page}"
