"""Evidence packs (app/packs.py): the store, its exports, and `ofsted-qa pack` end to end."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import docx
import pytest

from app.links import REACH_ANYONE, REACH_COMPUTER, REACH_SERVER, LinkBase, public_url
from app.packs import (
    PACKS_DB_NAME,
    SCHEMA_VERSION,
    PackItem,
    PackStore,
    UnknownPackError,
    item_from_result,
    to_csv,
    to_docx,
    to_markdown,
    write_export,
)
from tests.app.test_cli import run
from tests.pdfgen import make_pdf, sample_report_pages

# A passage with what Markdown, CSV and Word could each mangle: a numbered line start, asterisks, a line
# break, quotes and a comma, a leading dash, a non-ASCII character.
PASSAGE = ("12. Personal advisers keep in touch with care leavers, who say they feel *supported*.\n"
           "- Too few \"staying close\" places [see para 14]; managers know this — and are acting.")
HIGHLIGHT = "Personal advisers keep in touch with care leavers, who say they feel *supported*."


def make_item(authority: str = "Avonshire", text: str = PASSAGE, page: int = 3, **changes) -> PackItem:
    values = dict(
        authority=authority, report_type_label="ILACS standard inspection", published="2019-08-02",
        page_start=page, page_end=page, paragraphs_label="para 12", section="Children in care",
        file=f"{authority.lower()}_2019.pdf",
        citation_line=f"{authority} · ILACS standard inspection · published 2 August 2019 · p. {page} · para 12",
        text=text, highlighted=[HIGHLIGHT] if HIGHLIGHT in text else [],
        page_link=f"/pdf/7#page={page}", ofsted_url="https://files.ofsted.gov.uk/v1/file/50000001", doc_id=7,
    )
    values.update(changes)
    return PackItem(**values)


@pytest.fixture
def store(tmp_path) -> PackStore:
    packs = PackStore(tmp_path)
    yield packs
    packs.close()


def texts(store: PackStore, pack: str) -> list[str]:
    return [entry.item.text for entry in store.items(pack)]


# -- the store --------------------------------------------------------------------------------------


def test_packs_items_and_notes_survive_closing_and_reopening(tmp_path):
    first, second = make_item("Avonshire"), make_item("Stoke-on-Trent", text="Return home interviews are late.",
                                                        published=None, page_link=None, ofsted_url=None)
    with PackStore(tmp_path) as store:
        store.create("Care leavers")
        store.create("Front door")
        assert store.add("Care leavers", first, note="Compare with our PA caseloads") == 1
        assert store.add("Care leavers", second) == 2
        store.set_note("Care leavers", 2, "Ask the missing team")
    assert (tmp_path / PACKS_DB_NAME).is_file()

    with PackStore(tmp_path) as store:
        assert [(p.name, p.item_count) for p in store.list()] == [("Care leavers", 2), ("Front door", 0)]
        entries = store.items("Care leavers")
        assert [e.position for e in entries] == [1, 2]
        assert [e.item for e in entries] == [first, second]  # every field, the passage verbatim
        assert [e.note for e in entries] == ["Compare with our PA caseloads", "Ask the missing team"]
        assert entries[0].item.highlighted == [HIGHLIGHT]
        assert entries[1].item.published is None and entries[1].item.page_link is None
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_create_rename_reorder_remove_delete(store):
    store.create("Draft")
    for n in range(1, 5):
        store.add("Draft", make_item(text=f"Passage {n}.", page=n), note=f"note {n}")
    store.rename("Draft", "Help and protection")
    assert [p.name for p in store.list()] == ["Help and protection"]
    with pytest.raises(UnknownPackError):
        store.items("Draft")
    assert texts(store, "Help and protection") == ["Passage 1.", "Passage 2.", "Passage 3.", "Passage 4."]

    store.move("Help and protection", 4, 1)
    assert texts(store, "Help and protection") == ["Passage 4.", "Passage 1.", "Passage 2.", "Passage 3."]
    store.move("Help and protection", 1, 3)
    assert texts(store, "Help and protection") == ["Passage 1.", "Passage 2.", "Passage 4.", "Passage 3."]
    entries = store.items("Help and protection")
    assert [e.position for e in entries] == [1, 2, 3, 4]
    assert [e.note for e in entries] == ["note 1", "note 2", "note 4", "note 3"]  # notes move with passages

    removed = store.remove("Help and protection", 2)
    assert removed.text == "Passage 2."
    assert texts(store, "Help and protection") == ["Passage 1.", "Passage 4.", "Passage 3."]
    assert [e.position for e in store.items("Help and protection")] == [1, 2, 3]
    store.add("Help and protection", make_item(text="Passage 5."))
    assert texts(store, "Help and protection")[-1] == "Passage 5."  # appended at the end

    store.rename("Help and protection", "help AND protection")  # only the case: its own name, allowed
    assert [p.name for p in store.list()] == ["help AND protection"]
    assert store.delete("Help and protection") == 4  # names are matched ignoring case
    assert store.list() == []
    assert store.db.execute("SELECT count(*) FROM pack_items").fetchone()[0] == 0


def test_positions_outside_the_pack_are_refused(store):
    store.create("P")
    store.add("P", make_item(text="Only passage."))
    for call in (lambda: store.move("P", 1, 2), lambda: store.move("P", 0, 1), lambda: store.remove("P", 2),
                 lambda: store.set_note("P", 5, "x")):
        with pytest.raises(IndexError, match=r"pack 'P' has 1 passage\(s\).*between 1 and 1"):
            call()
    assert texts(store, "P") == ["Only passage."]


def test_duplicate_and_blank_names_are_refused(store):
    store.create("Care leavers")
    store.create("Front door")
    for name in ("Care leavers", "  care LEAVERS "):
        with pytest.raises(ValueError, match="a pack called 'Care leavers' already exists"):
            store.create(name)
    with pytest.raises(ValueError, match="a pack called 'Front door' already exists"):
        store.rename("Care leavers", "front door")
    for blank in ("", "   ", "\t"):
        with pytest.raises(ValueError, match="a pack needs a name"):
            store.create(blank)
        with pytest.raises(ValueError, match="a pack needs a name"):
            store.rename("Care leavers", blank)
    with pytest.raises(ValueError, match="line breaks"):
        store.create("two\nlines")
    assert [p.name for p in store.list()] == ["Care leavers", "Front door"]
    assert store.create("  Padded  ").name == "Padded"


def test_an_unknown_pack_is_named_with_the_packs_there_are(store):
    with pytest.raises(KeyError) as caught:
        store.items("Nope")
    assert str(caught.value) == "no pack called 'Nope'; packs: none yet (ofsted-qa pack create NAME)"
    store.create("Care leavers")
    store.create("Front door")
    for call in (lambda: store.add("Nope", make_item()), lambda: store.delete("Nope"),
                 lambda: store.rename("Nope", "New"), lambda: store.move("Nope", 1, 1)):
        with pytest.raises(UnknownPackError) as caught:
            call()
        assert str(caught.value) == "no pack called 'Nope'; packs: 'Care leavers', 'Front door'"


def test_a_packs_file_from_a_newer_version_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / PACKS_DB_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ValueError, match="newer"):
        PackStore(tmp_path)


def test_a_missing_index_folder_is_said(tmp_path):
    with pytest.raises(FileNotFoundError, match="no index folder"):
        PackStore(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


# -- items from the app's results -----------------------------------------------------------------


def test_item_from_the_apps_result_dict():
    from app.ui import result_dict
    from index.search import Citation, SearchResult

    citation = Citation(file="avonshire_2019.pdf", local_authority="Avonshire", report_type="ilacs_standard",
                        report_type_label="ILACS standard inspection", published="2019-08-02",
                        inspection_start="2019-06-10", inspection_end="2019-06-21", page_start=3, page_end=4,
                        paragraphs=["12", "13"], section="Children in care", overall_grade="good",
                        published_estimated=True)
    start = PASSAGE.index(HIGHLIGHT)
    result = SearchResult(rank=1, chunk_id=5, doc_id=7, text=PASSAGE, highlights=[(start, start + len(HIGHLIGHT))],
                          score=0.5, citation=citation)
    data = json.loads(json.dumps(result_dict(result, None)))  # as the web app's JSON carries it
    item = item_from_result(data | {"pdf_link": "/pdf/7#page=3", "ofsted_url": "https://example.org/r.pdf"})
    assert item == PackItem(
        authority="Avonshire", report_type_label="ILACS standard inspection", published="2019-08-02",
        page_start=3, page_end=4, paragraphs_label="paras 12-13", section="Children in care",
        file="avonshire_2019.pdf", citation_line=citation.line(), text=PASSAGE, highlighted=[HIGHLIGHT],
        page_link="/pdf/7#page=3", ofsted_url="https://example.org/r.pdf", published_estimated=True, doc_id=7,
    )
    assert item_from_result(data).page_link is None and item_from_result(data).ofsted_url is None
    with pytest.raises(ValueError, match="citation_line"):
        item_from_result({k: v for k, v in data.items() if k != "citation_line"})


# -- exports ----------------------------------------------------------------------------------------


@pytest.fixture
def pack(store) -> list:
    store.create("Care leavers")
    store.add("Care leavers", make_item("Avonshire"), note="Ours: PA caseloads are 1:30")
    store.add("Care leavers", make_item("Stoke-on-Trent", text="Return home interviews are late.", page=2,
                                        published="2021-08-02", published_estimated=True, ofsted_url=None))
    return store.items("Care leavers")


def test_exporting_an_empty_pack_is_refused(store, tmp_path):
    store.create("Empty")
    entries = store.items("Empty")
    message = "pack 'Empty' is empty: nothing to export"
    for export in (lambda: to_markdown("Empty", entries), lambda: to_csv("Empty", entries),
                   lambda: to_docx("Empty", entries, tmp_path / "e.docx"),
                   lambda: write_export("Empty", entries, "csv", tmp_path / "e.csv")):
        with pytest.raises(ValueError) as caught:
            export()
        assert str(caught.value) == message
    assert not (tmp_path / "e.docx").exists() and not (tmp_path / "e.csv").exists()


def _unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


PUBLIC = LinkBase("http://council.example:7860", public=True)
OFSTED = "https://files.ofsted.gov.uk/v1/file/50000001"


def test_markdown_export(pack):
    md = to_markdown("Care leavers", pack, base=LinkBase(public_url("http://council.example:7860/"), public=True))
    assert md.startswith("# Evidence pack: Care leavers\n")
    assert "Page links open the reports in ofsted-qa at http://council.example:7860." in md
    first, second = md.split("\n## ")[1:]
    assert first.startswith("1. Avonshire, ILACS standard inspection, 2 August 2019\n")
    assert second.startswith("2. Stoke-on-Trent, ILACS standard inspection, published about August 2021 (estimated)")
    quoted = [line[2:] for line in first.splitlines() if line.startswith("> ")]
    assert _unescape_markdown("\n".join(quoted)) == PASSAGE  # renders verbatim, nothing added or lost
    assert quoted[0].startswith("12\\. **Personal advisers")  # not renumbered as a list; the answer in bold
    assert quoted[1].startswith("\\- Too few")  # not turned into a bullet
    assert "**Note:** Ours: PA caseloads are 1:30" in first
    assert "Note:" not in second
    assert "Source: Avonshire · ILACS standard inspection · published 2 August 2019 · p. 3 · para 12" in first
    # A public address: the page in the app first, then Ofsted's copy opened at the page.
    assert ("[open the report at page 3](<http://council.example:7860/pdf/7#page=3>) · "
            f"[Ofsted's published copy, page 3](<{OFSTED}#page=3>)") in first
    assert "Ofsted's published copy" not in second
    assert "(<http://council.example:7860/pdf/7#page=2>)" in second


def test_without_a_public_address_exports_lead_with_ofsteds_copy_and_say_where_the_local_link_works(pack):
    local = to_markdown("Care leavers", pack, base=LinkBase("http://127.0.0.1:7860", public=False))
    first, second = local.split("\n## ")[1:]
    assert (f"[Ofsted's published copy, page 3](<{OFSTED}#page=3>) · [open the report at page 3 in ofsted-qa "
            f"(works {REACH_SERVER})](<http://127.0.0.1:7860/pdf/7#page=3>)") in first
    assert "`ofsted-qa serve --public-url URL`" in local
    nowhere = to_markdown("Care leavers", pack)  # no address at all: the app's bare path is never written
    assert "/pdf/7" not in nowhere and f"<{OFSTED}#page=3>" in nowhere


def test_csv_export(pack, tmp_path):
    rows = list(csv.DictReader(io.StringIO(to_csv("Care leavers", pack, base=LinkBase("http://host:7860", True)))))
    assert [r["position"] for r in rows] == ["1", "2"]
    first, second = rows
    assert first["passage"] == PASSAGE  # verbatim, line break included
    assert first["note"] == "Ours: PA caseloads are 1:30" and second["note"] == ""
    assert first["highlighted"] == HIGHLIGHT
    assert first["authority"] == "Avonshire" and first["pages"] == "p. 3" and first["paragraphs"] == "para 12"
    assert (first["page_link"], first["page_link_works"]) == ("http://host:7860/pdf/7#page=3", REACH_ANYONE)
    assert first["ofsted_url"] == f"{OFSTED}#page=3" and second["ofsted_url"] == ""
    assert first["citation"] == pack[0].item.citation_line
    assert (first["published"], first["published_estimated"]) == ("2019-08-02", "")
    assert (second["published"], second["published_estimated"]) == ("2021-08-02", "yes")

    path = write_export("Care leavers", pack, "csv", tmp_path / "pack.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    assert raw.decode("utf-8-sig") == to_csv("Care leavers", pack)


def test_csv_cells_a_spreadsheet_would_run_are_defused(store):
    store.create("P")
    store.add("P", make_item(text="=HYPERLINK(\"http://evil\")"), note="+1 for this")
    row = list(csv.DictReader(io.StringIO(to_csv("P", store.items("P")))))[0]
    assert row["passage"] == "'=HYPERLINK(\"http://evil\")" and row["note"] == "'+1 for this"


def test_docx_export_reads_back(pack, tmp_path):
    path = to_docx("Care leavers", pack, tmp_path / "pack.docx", base=PUBLIC)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    text = [p.text for p in paragraphs]
    assert paragraphs[0].style.name == "Title" and text[0] == "Evidence pack: Care leavers"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Avonshire, ILACS standard inspection, 2 August 2019",
                        "2. Stoke-on-Trent, ILACS standard inspection, published about August 2021 (estimated)"]
    quotes = [p for p in paragraphs if p.style.name == "Quote"]
    assert [q.text for q in quotes] == [PASSAGE, "Return home interviews are late."]  # verbatim
    assert [r.text for r in quotes[0].runs if r.bold] == [HIGHLIGHT]
    assert "Note: Ours: PA caseloads are 1:30" in text
    assert sum(t.startswith("Note:") for t in text) == 1
    assert f"Source: {pack[0].item.citation_line} (avonshire_2019.pdf, page 3)" in text
    assert f"Source: {pack[1].item.citation_line} (stoke-on-trent_2019.pdf, page 2)" in text
    links = [(h.text, h.url) for p in paragraphs for h in p.hyperlinks]
    assert links == [
        ("Open the report at page 3", "http://council.example:7860/pdf/7#page=3"),
        ("Ofsted's published copy, page 3", f"{OFSTED}#page=3"),
        ("Open the report at page 2", "http://council.example:7860/pdf/7#page=2"),
    ]
    assert document.core_properties.title == "Evidence pack: Care leavers"


def test_a_pin_of_the_command_line_links_to_the_app_when_the_export_has_its_address(store, tmp_path):
    store.create("Mixed")
    store.add("Mixed", make_item(page_link="file:///reports/avonshire_2019.pdf#page=3", doc_id=14))  # the CLI's
    store.add("Mixed", make_item(page_link="/pdf/7#page=3", doc_id=7))  # the app's
    entries = store.items("Mixed")
    shared = [h.url for p in docx.Document(to_docx("Mixed", entries, tmp_path / "a.docx", base=PUBLIC)).paragraphs
              for h in p.hyperlinks if not h.url.startswith(OFSTED)]
    assert shared == ["http://council.example:7860/pdf/14#page=3", "http://council.example:7860/pdf/7#page=3"]
    rows = list(csv.DictReader(io.StringIO(to_csv("Mixed", entries))))  # no address: this computer's copy only
    assert [(r["page_link"], r["page_link_works"]) for r in rows] == [
        ("file:///reports/avonshire_2019.pdf#page=3", REACH_COMPUTER), ("", "")]


def test_a_version_1_packs_file_gains_each_app_pins_document(tmp_path):
    db = sqlite3.connect(tmp_path / PACKS_DB_NAME)
    for statement in __import__("app.packs").packs._MIGRATIONS[1]:
        db.execute(statement)
    db.execute("INSERT INTO packs(id, name, created) VALUES (1, 'Old', '2026-01-01T00:00:00+00:00')")
    for position, link in enumerate(("/pdf/14#page=19", "file:///r/a.pdf#page=2", None), start=1):
        db.execute("INSERT INTO pack_items(pack_id, position, added, report_type_label, page_start, page_end, file, "
                   "citation_line, passage, page_link) VALUES (1, ?, '', 'SIF inspection', 2, 2, 'a.pdf', 'A', 'x', ?)",
                   (position, link))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with PackStore(tmp_path) as store:
        assert [e.item.doc_id for e in store.items("Old")] == [14, None, None]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


# -- the command line -------------------------------------------------------------------------------


def test_cli_pack_round_trip(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    make_pdf(reports / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019))
    make_pdf(reports / "stoke_2021.pdf", sample_report_pages("Stoke-on-Trent", 2021))
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)

    assert run("pack", "create", "Missing children", index=index).stdout.strip() == "created pack 'Missing children'"
    duplicate = run("pack", "create", "missing CHILDREN", index=index, check=False)
    assert duplicate.returncode == 2
    assert duplicate.stderr.strip() == "ofsted-qa: a pack called 'Missing children' already exists; choose another name"
    unknown = run("pack", "add", "Nope", "return home interviews", index=index, check=False)
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "ofsted-qa: no pack called 'Nope'; packs: "
                                                               "'Missing children'")
    empty = run("pack", "export", "Missing children", "--format", "md", "--out", str(tmp_path / "x.md"),
                index=index, check=False)
    assert (empty.returncode, empty.stderr.strip()) == (2, "ofsted-qa: pack 'Missing children' is empty: nothing "
                                                             "to export")
    bad_rank = run("pack", "add", "Missing children", "return home interviews", "--rank", "0", index=index,
                   check=False)
    assert bad_rank.returncode == 2 and "--rank" in bad_rank.stderr

    asked = json.loads(run("ask", "return home interviews", "--authority", "stoke on trent", "--json",
                           index=index).stdout)["results"][0]
    out = run("pack", "add", "Missing children", "return home interviews", "--authority", "stoke on trent",
              "--note", "Our RHI timeliness is 61%", index=index).stdout
    assert out.startswith("pinned to 'Missing children' as passage 1: Stoke-on-Trent")

    shown = json.loads(run("pack", "show", "Missing children", "--json", index=index).stdout)
    assert shown["name"] == "Missing children" and len(shown["items"]) == 1
    item = shown["items"][0]
    assert item["text"] == asked["text"]  # the passage `ask` ranks first, verbatim
    assert item["authority"] == "Stoke-on-Trent" and item["note"] == "Our RHI timeliness is 61%"
    assert item["page_start"] == asked["citation"]["page_start"] and item["page_link"] == asked["link"]
    assert item["page_link"].startswith((reports / "stoke_2021.pdf").resolve().as_uri())
    listed = json.loads(run("pack", "list", "--json", index=index).stdout)
    assert [(p["name"], p["items"]) for p in listed] == [("Missing children", 1)]

    out_file = tmp_path / "pack.docx"
    run("pack", "export", "Missing children", "--format", "docx", "--out", str(out_file), index=index)
    document = docx.Document(str(out_file))
    text = [p.text for p in document.paragraphs]
    assert item["text"] in text
    assert "Note: Our RHI timeliness is 61%" in text
    assert any(t.startswith(f"Source: {item['citation_line']}") for t in text)
    assert [h.url for p in document.paragraphs for h in p.hyperlinks] == [item["page_link"]]
    assert Path(index / PACKS_DB_NAME).is_file()

    # With the app's address (the option, else the environment), the pin links to its page there.
    app_link = f"https://qa.example/pdf/{asked['doc_id']}#page={asked['citation']['page_start']}"
    for option, env in ((["--base-url", "https://qa.example/"], None), ([], {"OFSTED_QA_PUBLIC_URL": "https://qa.example"})):
        run("pack", "export", "Missing children", "--format", "docx", "--out", str(out_file), *option, index=index,
            env_extra=env)
        assert [h.url for p in docx.Document(str(out_file)).paragraphs for h in p.hyperlinks] == [app_link]
    bad = run("pack", "export", "Missing children", "--format", "md", "--out", str(tmp_path / "b.md"),
              "--base-url", "qa.example", index=index, check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "must start with http" in bad.stderr
