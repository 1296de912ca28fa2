"""Evidence packs: named, ordered lists of pinned passages, each with a note, exported as a file.

People preparing their council for an inspection pin passages that search found into a pack ("Care
leavers: what good looks like"), note why each matters, put them in order and export the pack as
Markdown, CSV or Word. A pinned item holds everything needed to cite its passage (authority, report,
date, pages, paragraphs, section, file, citation line, links) and the passage text itself, verbatim,
so a pack stays whole when reports leave the index or the index is rebuilt.

Packs live in SQLite, `packs.sqlite` beside the index's own files (the index never reads it). Its
schema is numbered (`PRAGMA user_version`) and brought up to date by `_MIGRATIONS` when opened.

    with PackStore(index_dir) as packs:
        packs.create("Care leavers")
        packs.add("Care leavers", item_from_result(result), note="Personal advisers: compare ours")
        to_docx("Care leavers", packs.items("Care leavers"), "care-leavers.docx")

Positions count from 1, in the order `items` returns and `ofsted-qa pack show` numbers them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from app.links import LinkBase, ReportLinks, app_page, doc_id_of, link_note, report_links

PACKS_DB_NAME = "packs.sqlite"
NAME_MAX_CHARS = 200

# The schema, by the version each step leads to; applied in order, in one transaction, when the store
# is opened. Version 0 is a new, empty file.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 1: packs and their pinned passages, each a self-contained citation.
    1: (
        """CREATE TABLE packs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE pack_items (
            id INTEGER PRIMARY KEY,
            pack_id INTEGER NOT NULL REFERENCES packs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL,
            authority TEXT,
            report_type_label TEXT NOT NULL,
            published TEXT,
            page_start INTEGER NOT NULL,
            page_end INTEGER NOT NULL,
            paragraphs_label TEXT NOT NULL DEFAULT '',
            section TEXT,
            file TEXT NOT NULL,
            citation_line TEXT NOT NULL,
            passage TEXT NOT NULL,
            highlighted TEXT NOT NULL DEFAULT '[]',
            page_link TEXT,
            ofsted_url TEXT,
            published_estimated INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX pack_items_order ON pack_items(pack_id, position)",
    ),
    # 2: the report's document in the index, so that an export can link every pin to the app's page
    # (`pack export --base-url`), whatever pinned it; read back from the app's own links where there are.
    2: (
        "ALTER TABLE pack_items ADD COLUMN doc_id INTEGER",
        """UPDATE pack_items SET doc_id = CAST(substr(page_link, 6, instr(page_link, '#') - 6) AS INTEGER)
           WHERE page_link GLOB '/pdf/[0-9]*#page=[0-9]*'""",
    ),
}
SCHEMA_VERSION = max(_MIGRATIONS)

_ITEM_COLUMNS = ("authority", "report_type_label", "published", "page_start", "page_end", "paragraphs_label",
                 "section", "file", "citation_line", "passage", "highlighted", "page_link", "ofsted_url",
                 "published_estimated", "doc_id")


class UnknownPackError(KeyError):
    """No pack has the name asked for; the message lists the packs there are."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class PackItem:
    """One passage as pinned: enough to quote and cite it without the index.

    Attributes:
        authority: the local authority, None when the report's could not be read.
        report_type_label: the report type as people say it ("Inspection of local authority children's services").
        published: publication date, ISO (YYYY-MM-DD), or None when unknown.
        page_start: first page of the passage in the PDF.
        page_end: last page of the passage.
        paragraphs_label: "para 12", "paras 12-14", or "" when the report numbers none.
        section: the report section the passage is in, if known.
        file: the PDF's file name.
        citation_line: the full citation as the app prints it.
        text: the passage, verbatim.
        highlighted: the sentences of `text` that answered the question, verbatim.
        page_link: link that opens the PDF at the page (the app's `/pdf/...` or a `file:` URI), or None.
        ofsted_url: Ofsted's published copy of the report, or None when not known.
        published_estimated: the report prints no date and `published` is an estimate (inspection end plus
            the usual lag), so it is never shown as an exact day.
        doc_id: the report's document in the index it was pinned from (the app's `/pdf/<doc_id>`), or
            None for a pin made before packs kept it.
    """

    authority: str | None
    report_type_label: str
    published: str | None
    page_start: int
    page_end: int
    paragraphs_label: str
    section: str | None
    file: str
    citation_line: str
    text: str
    highlighted: list[str] = field(default_factory=list)
    page_link: str | None = None
    ofsted_url: str | None = None
    published_estimated: bool = False
    doc_id: int | None = None


@dataclass(frozen=True)
class PackEntry:
    """A pinned item in its pack: its position (from 1), the note and when it was added (UTC, ISO)."""

    position: int
    note: str
    added: str
    item: PackItem


@dataclass(frozen=True)
class PackInfo:
    """A pack as `PackStore.list` gives it: name, when created (UTC, ISO) and how many passages it holds."""

    name: str
    created: str
    item_count: int


def item_from_result(result: dict) -> PackItem:
    """Build a pack item from a search result as the app gives it (`app.ui.result_dict`).

    Args:
        result: the JSON-able result dict: "text", "highlighted_text", "citation" (with "local_authority",
            "report_type_label", "published", "published_estimated", "page_start", "page_end", "section",
            "file"),
            "citation_line", "paragraphs_label", and optionally "doc_id", "pdf_link" and "ofsted_url".
    Returns:
        The item, with the passage text and highlighted sentences exactly as in the result.
    Raises:
        ValueError: the dict lacks a key a citation needs.
    """
    try:
        citation = result["citation"]
        return PackItem(
            authority=citation.get("local_authority"),
            report_type_label=citation["report_type_label"],
            published=_iso_or_none(citation.get("published")),
            page_start=int(citation["page_start"]),
            page_end=int(citation["page_end"]),
            paragraphs_label=result.get("paragraphs_label") or "",
            section=citation.get("section"),
            file=citation["file"],
            citation_line=result["citation_line"],
            text=result["text"],
            highlighted=[str(s) for s in result.get("highlighted_text") or []],
            page_link=result.get("pdf_link") or None,
            ofsted_url=result.get("ofsted_url") or None,
            published_estimated=bool(citation.get("published_estimated")),
            doc_id=_doc_id(result),
        )
    except KeyError as exc:
        raise ValueError(f"a search result to pin needs {exc.args[0]!r}; this one has {sorted(result)}") from None


def _doc_id(result: dict) -> int | None:
    """The result's document: its "doc_id", else the one its app link names."""
    value = result.get("doc_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return doc_id_of(result.get("pdf_link"))


def _iso_or_none(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PackStore:
    """Evidence packs in `<index dir>/packs.sqlite`. Safe to share between threads; several processes may
    use the same file (each change is one transaction)."""

    def __init__(self, index_dir: str | Path) -> None:
        """Open (or start) the packs of one index.

        Args:
            index_dir: the index folder; the packs file is made inside it on first use.
        Raises:
            FileNotFoundError: the folder does not exist.
            ValueError: the packs file was made by a newer ofsted-qa.
            sqlite3.Error: the file is not a database, or cannot be written.
        """
        self.directory = Path(index_dir)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"no index folder at {self.directory}: ingest reports there first "
                                    "(ofsted-qa ingest PATH --index DIR)")
        self.path = self.directory / PACKS_DB_NAME
        self._lock = threading.RLock()
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    # -- lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the database file (every change is already saved)."""
        with self._lock:
            self.db.close()

    def __enter__(self) -> PackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so two processes cannot interleave a read and a write."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        with self._write() as db:
            stored = db.execute("PRAGMA user_version").fetchone()[0]
            if stored > SCHEMA_VERSION:
                raise ValueError(f"{self.path} has packs schema version {stored}, newer than this ofsted-qa's "
                                 f"{SCHEMA_VERSION}: use the newer ofsted-qa")
            for version in range(stored + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version]:
                    db.execute(statement)
            if stored != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    # -- packs ------------------------------------------------------------------------------------
    def create(self, name: str) -> PackInfo:
        """Start an empty pack.

        Args:
            name: the pack's name; surrounding spaces are dropped. Names are unique ignoring case.
        Returns:
            The new pack.
        Raises:
            ValueError: the name is blank, too long, has control characters, or a pack has it already.
        """
        name = _clean_name(name)
        created = _now()
        with self._write() as db:
            self._refuse_taken(name)
            db.execute("INSERT INTO packs(name, created) VALUES (?, ?)", (name, created))
        return PackInfo(name, created, 0)

    def rename(self, old: str, new: str) -> None:
        """Give a pack a new name (its passages and notes stay).

        Args:
            old: the pack's name now.
            new: its new name (only its case may match another pack's, and then only its own).
        Raises:
            UnknownPackError: no pack is called `old`.
            ValueError: the new name is blank, too long, has control characters, or another pack has it.
        """
        new = _clean_name(new)
        with self._write() as db:
            pack_id = self._pack_id(old)
            self._refuse_taken(new, other_than=pack_id)
            db.execute("UPDATE packs SET name = ? WHERE id = ?", (new, pack_id))

    def delete(self, name: str) -> int:
        """Delete a pack and everything pinned in it.

        Args:
            name: the pack's name.
        Returns:
            How many passages it held.
        Raises:
            UnknownPackError: no pack has that name.
        """
        with self._write() as db:
            pack_id = self._pack_id(name)
            count = db.execute("DELETE FROM pack_items WHERE pack_id = ?", (pack_id,)).rowcount
            db.execute("DELETE FROM packs WHERE id = ?", (pack_id,))
        return count

    def list(self) -> list[PackInfo]:
        """Every pack, by name (ignoring case).

        Returns:
            Name, creation time and number of passages of each pack.
        """
        with self._lock:
            rows = self.db.execute(
                "SELECT p.name, p.created, count(i.id) FROM packs p LEFT JOIN pack_items i ON i.pack_id = p.id "
                "GROUP BY p.id ORDER BY p.name COLLATE NOCASE"
            ).fetchall()
        return [PackInfo(name, created, count) for name, created, count in rows]

    def info(self, name: str) -> PackInfo:
        """One pack's name as stored, creation time and number of passages.

        Raises:
            UnknownPackError: no pack has that name.
        """
        with self._lock:
            pack_id = self._pack_id(name)
            row = self.db.execute(
                "SELECT p.name, p.created, (SELECT count(*) FROM pack_items WHERE pack_id = p.id) "
                "FROM packs p WHERE p.id = ?", (pack_id,)
            ).fetchone()
        return PackInfo(*row)

    # -- items ------------------------------------------------------------------------------------
    def add(self, pack: str, item: PackItem, note: str = "") -> int:
        """Pin a passage at the end of a pack.

        Args:
            pack: the pack's name.
            item: the passage and its citation.
            note: why it matters (may be empty).
        Returns:
            Its position (from 1).
        Raises:
            UnknownPackError: no pack has that name.
        """
        values = _item_values(item)
        with self._write() as db:
            pack_id = self._pack_id(pack)
            position = db.execute("SELECT count(*) FROM pack_items WHERE pack_id = ?", (pack_id,)).fetchone()[0] + 1
            db.execute(
                f"INSERT INTO pack_items(pack_id, position, note, added, {', '.join(_ITEM_COLUMNS)}) "
                f"VALUES (?, ?, ?, ?, {', '.join('?' for _ in _ITEM_COLUMNS)})",
                (pack_id, position, note or "", _now(), *values),
            )
        return position

    def items(self, pack: str) -> list[PackEntry]:
        """A pack's passages in order.

        Args:
            pack: the pack's name.
        Returns:
            Its entries, position 1 first.
        Raises:
            UnknownPackError: no pack has that name.
        """
        with self._lock:
            pack_id = self._pack_id(pack)
            rows = self.db.execute(
                f"SELECT position, note, added, {', '.join(_ITEM_COLUMNS)} FROM pack_items "
                "WHERE pack_id = ? ORDER BY position", (pack_id,)
            ).fetchall()
        return [PackEntry(row[0], row[1], row[2], _item_from_row(row[3:])) for row in rows]

    def set_note(self, pack: str, position: int, note: str) -> None:
        """Replace the note of one pinned passage.

        Args:
            pack: the pack's name.
            position: the passage's position (from 1).
            note: the new note ("" removes it).
        Raises:
            UnknownPackError: no pack has that name.
            IndexError: no passage at that position.
        """
        with self._write() as db:
            ids = self._item_ids(pack)
            db.execute("UPDATE pack_items SET note = ? WHERE id = ?", (note or "", ids[_index(pack, ids, position)]))

    def move(self, pack: str, position: int, new_position: int) -> None:
        """Move one pinned passage to another position; those between shift up or down one.

        Args:
            pack: the pack's name.
            position: where the passage is now (from 1).
            new_position: where it goes (from 1).
        Raises:
            UnknownPackError: no pack has that name.
            IndexError: either position is outside the pack.
        """
        with self._write() as db:
            ids = self._item_ids(pack)
            moved = ids.pop(_index(pack, ids, position))
            ids.insert(_index(pack, [*ids, moved], new_position), moved)
            self._renumber(db, ids)

    def remove(self, pack: str, position: int) -> PackItem:
        """Unpin one passage; those after it move up one.

        Args:
            pack: the pack's name.
            position: the passage's position (from 1).
        Returns:
            The item removed.
        Raises:
            UnknownPackError: no pack has that name.
            IndexError: no passage at that position.
        """
        with self._write() as db:
            ids = self._item_ids(pack)
            item_id = ids.pop(_index(pack, ids, position))
            row = db.execute(f"SELECT {', '.join(_ITEM_COLUMNS)} FROM pack_items WHERE id = ?", (item_id,)).fetchone()
            db.execute("DELETE FROM pack_items WHERE id = ?", (item_id,))
            self._renumber(db, ids)
        return _item_from_row(row)

    # -- helpers ----------------------------------------------------------------------------------
    def _pack_id(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM packs WHERE name = ?", (str(name).strip(),)).fetchone()
        if row is None:
            names = [r[0] for r in self.db.execute("SELECT name FROM packs ORDER BY name COLLATE NOCASE")]
            known = ", ".join(repr(n) for n in names) if names else "none yet (ofsted-qa pack create NAME)"
            raise UnknownPackError(f"no pack called {name!r}; packs: {known}")
        return row[0]

    def _refuse_taken(self, name: str, other_than: int | None = None) -> None:
        row = self.db.execute("SELECT id, name FROM packs WHERE name = ?", (name,)).fetchone()
        if row is not None and row[0] != other_than:
            raise ValueError(f"a pack called {row[1]!r} already exists; choose another name")

    def _item_ids(self, pack: str) -> list[int]:
        pack_id = self._pack_id(pack)
        return [r[0] for r in self.db.execute("SELECT id FROM pack_items WHERE pack_id = ? ORDER BY position",
                                              (pack_id,))]

    @staticmethod
    def _renumber(db: sqlite3.Connection, ids: list[int]) -> None:
        db.executemany("UPDATE pack_items SET position = ? WHERE id = ?",
                       [(position, item_id) for position, item_id in enumerate(ids, start=1)])


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValueError("a pack needs a name (it was blank)")
    if len(name) > NAME_MAX_CHARS:
        raise ValueError(f"a pack name may have at most {NAME_MAX_CHARS} characters (this one has {len(name)})")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("a pack name cannot contain line breaks, tabs or other control characters")
    return name


def _index(pack: str, ids: Sequence[int], position: int) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= len(ids):
        span = f"between 1 and {len(ids)}" if ids else "none: the pack is empty"
        raise IndexError(f"pack {pack!r} has {len(ids)} passage(s): position {position!r} is not a position "
                         f"in it (positions: {span})")
    return position - 1


def _item_values(item: PackItem) -> tuple:
    return (item.authority, item.report_type_label, item.published, int(item.page_start), int(item.page_end),
            item.paragraphs_label or "", item.section, item.file, item.citation_line, item.text,
            json.dumps(list(item.highlighted), ensure_ascii=False), item.page_link, item.ofsted_url,
            int(bool(item.published_estimated)), item.doc_id)


def _item_from_row(row: Sequence) -> PackItem:
    values = dict(zip(_ITEM_COLUMNS, row, strict=True))
    values["text"] = values.pop("passage")
    values["highlighted"] = json.loads(values["highlighted"])
    values["published_estimated"] = bool(values["published_estimated"])
    return PackItem(**values)


# -- export ---------------------------------------------------------------------------------------

CSV_COLUMNS = ("position", "authority", "report_type", "published", "published_estimated", "pages", "paragraphs",
               "section", "file", "ofsted_url", "page_link", "page_link_works", "citation", "note", "highlighted",
               "passage")


def _require_items(pack_name: str, entries: Sequence[PackEntry]) -> None:
    if not entries:
        raise ValueError(f"pack {pack_name!r} is empty: nothing to export")


def item_links(item: PackItem, base: LinkBase | None) -> ReportLinks:
    """A pinned passage's links (app/links.py): with the app's address, the app's page for every pin that
    knows its report, whether the app or the command line pinned it; else this computer's copy."""
    file_link = item.page_link if (item.page_link or "").startswith("file:") else None
    doc_id = item.doc_id if item.doc_id is not None else doc_id_of(item.page_link)
    return report_links(item.page_start, item.ofsted_url, app_page(doc_id, item.page_start), base, file_link)


def _date_label(item: PackItem) -> str:
    """The publication date as people write it; an estimated one only to the month, said as estimated."""
    if not item.published:
        return "date not known"
    try:
        day = date.fromisoformat(item.published[:10])
    except ValueError:
        return item.published
    if item.published_estimated:
        return f"published about {day.strftime('%B %Y')} (estimated)"
    return f"{day.day} {day.strftime('%B %Y')}"


def _heading(entry: PackEntry) -> str:
    item = entry.item
    return f"{item.authority or 'Unknown authority'}, {item.report_type_label}, {_date_label(item)}"


def _pages(item: PackItem) -> str:
    return f"p. {item.page_start}" if item.page_start == item.page_end else f"pp. {item.page_start}-{item.page_end}"


def _highlight_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Where each highlighted sentence is in the passage (the first place not already taken), in order."""
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        if not sentence:
            continue
        start = 0
        while (found := text.find(sentence, start)) >= 0:
            end = found + len(sentence)
            if not any(a < end and found < b for a, b in spans):
                spans.append((found, end))
                break
            start = found + 1
    return sorted(spans)


def _segments(text: str, sentences: Sequence[str]) -> list[tuple[str, bool]]:
    """The passage cut into (piece, highlighted) in order; the pieces join back to `text` exactly."""
    out, position = [], 0
    for a, b in _highlight_spans(text, sentences):
        if a > position:
            out.append((text[position:a], False))
        out.append((text[a:b], True))
        position = b
    if position < len(text):
        out.append((text[position:], False))
    return out


def _spreadsheet_safe(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (as `app.ui` writes its CSV)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(pack_name: str, items: Sequence[PackEntry], base: LinkBase | None = None) -> str:
    """A pack as CSV, one row per passage in order. Write it with encoding "utf-8-sig" (see `write_export`),
    so that Excel reads it as UTF-8.

    Args:
        pack_name: the pack's name (for the error message).
        items: the pack's entries, as `PackStore.items` gives them.
        base: the app's address, to link each passage's page in the app (app/links.py).
    Returns:
        The CSV text: Ofsted's copy, then the page link and who it works for. Cells are as stored, except
        that one starting with =, +, -, @, tab or CR gets a leading apostrophe so that a spreadsheet shows
        it rather than running it as a formula.
    Raises:
        ValueError: the pack is empty.
    """
    _require_items(pack_name, items)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in items:
        item = entry.item
        links = item_links(item, base)
        row = (entry.position, item.authority or "", item.report_type_label, item.published or "",
               "yes" if item.published_estimated else "", _pages(item),
               item.paragraphs_label, item.section or "", item.file, links.ofsted or "", links.local or "",
               links.reach, item.citation_line, entry.note, " … ".join(item.highlighted), item.text)
        writer.writerow([_spreadsheet_safe(str(value)) for value in row])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_MD_NUMBERED = re.compile(r"^(\s*)(\d+)([.)])", re.MULTILINE)
_MD_BULLET = re.compile(r"^(\s*)([-+=])", re.MULTILINE)


def _md(text: str) -> str:
    """Markdown that renders as `text` exactly: special characters and list-like line starts escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BULLET.sub(r"\1\\\2", _MD_NUMBERED.sub(r"\1\2\\\3", text))


def _md_bold(piece: str) -> str:
    """`piece` in bold, its surrounding spaces left outside the asterisks (else Markdown shows them)."""
    core = piece.strip()
    if not core:
        return _md(piece)
    start = piece.index(core)
    return f"{_md(piece[:start])}**{_md(core)}**{_md(piece[start + len(core):])}"


def _md_quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def to_markdown(pack_name: str, items: Sequence[PackEntry], base: LinkBase | None = None) -> str:
    """A pack as Markdown: a title, then per passage a heading, the passage quoted, the note and the source.

    Args:
        pack_name: the pack's name (the title).
        items: the pack's entries, as `PackStore.items` gives them.
        base: the app's address, to link each passage's page in the app (app/links.py).
    Returns:
        The Markdown text. Passages render verbatim (Markdown's special characters are escaped); the
        sentences that answered the search are in bold.
    Raises:
        ValueError: the pack is empty.
    """
    _require_items(pack_name, items)
    lines = [f"# Evidence pack: {_md(pack_name)}", "",
             f"{len(items)} passage(s), exported {time.strftime('%Y-%m-%d %H:%M')} from ofsted-qa. Passages are "
             "quoted verbatim from Ofsted's reports; **bold** marks the sentences that answered the search. "
             + link_note(base), ""]
    for entry in items:
        item = entry.item
        pieces = _segments(item.text, item.highlighted)
        body = "".join(_md_bold(piece) if bold else _md(piece) for piece, bold in pieces)
        lines += [f"## {entry.position}. {_md(_heading(entry))}", "", _md_quote(body), ""]
        if entry.note:
            lines += [f"**Note:** {_md(entry.note)}", ""]
        cite = f"Source: {_md(item.citation_line)} (`{item.file.replace('`', '')}`, page {item.page_start})"
        cite += "".join(f" · [{_md(link.label)}](<{link.url}>)" for link in item_links(item, base).ordered())
        lines += [cite, ""]
    return "\n".join(lines)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Word files cannot hold control characters (other than tab and line breaks): these invisible ones go."""
    return _XML_ILLEGAL.sub("", text)


def _add_hyperlink(paragraph, url: str, text: str) -> None:
    """A clickable link in a python-docx paragraph (python-docx has no call for writing one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    run.append(props)
    run_text = OxmlElement("w:t")
    run_text.set(qn("xml:space"), "preserve")
    run_text.text = _xml_safe(text)
    run.append(run_text)
    link.append(run)
    paragraph._p.append(link)


def to_docx(pack_name: str, items: Sequence[PackEntry], path: str | Path, base: LinkBase | None = None) -> Path:
    """Write a pack as a Word document: a title, then per passage a heading (authority, report type, date),
    the passage as a quote (the answering sentences in bold), the note, the citation line and links to the
    page and to Ofsted's published copy.

    Args:
        pack_name: the pack's name (the title).
        items: the pack's entries, as `PackStore.items` gives them.
        path: the .docx file to write (replaced if it exists).
        base: the app's address, to link each passage's page in the app (app/links.py).
    Returns:
        The path written.
    Raises:
        ValueError: the pack is empty.
        OSError: the file cannot be written.
    """
    _require_items(pack_name, items)
    import docx

    document = docx.Document()
    document.core_properties.title = _xml_safe(f"Evidence pack: {pack_name}")
    document.core_properties.author = "ofsted-qa"
    document.add_heading(_xml_safe(f"Evidence pack: {pack_name}"), level=0)
    document.add_paragraph(
        f"{len(items)} passage(s), exported {time.strftime('%Y-%m-%d %H:%M')} from ofsted-qa. Passages are quoted "
        "verbatim from Ofsted's reports; bold marks the sentences that answered the search. "
        + link_note(base).replace("`", "")
    )
    for entry in items:
        item = entry.item
        document.add_heading(_xml_safe(f"{entry.position}. {_heading(entry)}"), level=1)
        quote = document.add_paragraph(style="Quote")
        for piece, bold in _segments(item.text, item.highlighted):
            quote.add_run(_xml_safe(piece)).bold = bold or None
        if entry.note:
            note = document.add_paragraph()
            note.add_run("Note: ").bold = True
            note.add_run(_xml_safe(entry.note))
        document.add_paragraph(_xml_safe(f"Source: {item.citation_line} ({item.file}, page {item.page_start})"))
        links = item_links(item, base).ordered()
        if links:
            paragraph = document.add_paragraph()
            for number, link in enumerate(links):
                if number:
                    paragraph.add_run(" · ")
                _add_hyperlink(paragraph, link.url, link.label[:1].upper() + link.label[1:])
    path = Path(path)
    document.save(str(path))
    return path


EXPORT_FORMATS = ("md", "csv", "docx")


def write_export(pack_name: str, items: Sequence[PackEntry], fmt: str, path: str | Path,
                 base: LinkBase | None = None) -> Path:
    """Write a pack to a file in one of EXPORT_FORMATS (CSV with a byte-order mark, for Excel).

    Args:
        pack_name: the pack's name.
        items: the pack's entries, as `PackStore.items` gives them.
        fmt: "md", "csv" or "docx".
        path: the file to write.
        base: the app's address, to link each passage's page in the app (app/links.py).
    Returns:
        The path written.
    Raises:
        ValueError: the pack is empty, or the format is not one of EXPORT_FORMATS.
        OSError: the file cannot be written.
    """
    path = Path(path)
    if fmt == "docx":
        return to_docx(pack_name, items, path, base)
    if fmt == "md":
        text, encoding = to_markdown(pack_name, items, base), "utf-8"
    elif fmt == "csv":
        text, encoding = to_csv(pack_name, items, base), "utf-8-sig"
    else:
        raise ValueError(f"export format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    # newline="" keeps the csv module's CRLF row ends as they are.
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return path


def entry_dict(entry: PackEntry) -> dict:
    """A pack entry as JSON-able data: position, note, added, then the item's fields."""
    return {"position": entry.position, "note": entry.note, "added": entry.added} | asdict(entry.item)
