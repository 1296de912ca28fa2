"""The app's pin-to-pack controls and Packs tab, through their callbacks."""

from __future__ import annotations

import html

import docx
import pytest

from app import ui
from app.packs import item_from_result
from app.ui.packs_page import PacksPage
from tests.app.ui.test_page import QUESTION, build_sample_index

# Gradio's queue (not this project) trips pandas 3 deprecation warnings on every event.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


@pytest.fixture
def page(tmp_path):
    index, _ = build_sample_index(tmp_path)
    yield PacksPage(index.directory, tmp_path / "exports"), index
    index.close()


def test_pin_view_reorder_rename_export_and_delete(page):
    packs, index = page
    payload = ui.run_search(index, QUESTION, k=3)
    message, _, _, _ = packs.pin(payload, "Self-evaluation 2026", 2, "CSE: compare with ours")
    assert "Pinned result 2" in message and "now holds 1 passage." in message
    packs.pin(payload, "self-evaluation 2026", 1, "")  # the same pack, whatever the case
    assert packs.names() == ["Self-evaluation 2026"]
    view = packs.view("Self-evaluation 2026")
    assert view.count('class="oq-card"') == 2 and "CSE: compare with ours" in view
    first_text = payload["results"][1]["text"]
    assert view.index(first_text[:40]) < view.index(payload["results"][0]["text"][:40])
    view = packs.move("Self-evaluation 2026", 2, 1)
    assert view.index(payload["results"][0]["text"][:40]) < view.index(first_text[:40])
    _, _, view = packs.rename("Self-evaluation 2026", "SEF evidence")
    assert packs.names() == ["SEF evidence"] and "CSE: compare with ours" in view
    button, message = packs.export("SEF evidence", "Word (.docx)")
    assert message == "" and button.value["path"].endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(button.value["path"]).paragraphs)
    assert "CSE: compare with ours" in text and payload["results"][0]["citation_line"] in text
    _, _, message = packs.delete("SEF evidence")
    assert "Deleted" in message and packs.names() == []


def test_every_pin_shows_the_new_count_and_redraws_the_open_pack(page):
    packs, index = page
    payload = ui.run_search(index, QUESTION, k=3)
    for number in (1, 2, 3):
        message, pin_list, tab_list, view = packs.pin(payload, "Readiness", number, "", shown="readiness")
        assert f"as passage {number}: the pack now holds {number} passage" in html.unescape(message)
        assert pin_list.choices == tab_list.choices == [("Readiness", "Readiness")]
        # The Packs tab shows this pack: its view is redrawn with every pin, not left at the first.
        assert view.count('class="oq-card"') == number
    _, _, _, view = packs.pin(payload, "Other", 1, "", shown="Readiness")
    assert view is not None and not isinstance(view, str)  # another pack is open: its view is left alone


def test_the_lists_are_read_from_the_store_each_time(page, tmp_path):
    from app.packs import PackStore

    packs, index = page
    pin_list, tab_list, view = packs.refresh()
    assert pin_list.choices == tab_list.choices == [] and view == ""
    with PackStore(index.directory) as elsewhere:  # as `ofsted-qa pack` or another session makes one
        elsewhere.create("Made elsewhere")
        elsewhere.add("Made elsewhere", item_from_result(ui.run_search(index, QUESTION, k=1)["results"][0]))
    pin_list, tab_list, view = packs.refresh("made elsewhere")
    assert [c[0] for c in pin_list.choices] == ["Made elsewhere"] and tab_list.value == "Made elsewhere"
    assert view.count('class="oq-card"') == 1
    assert [c[0] for c in packs.refresh_pin().choices] == ["Made elsewhere"]
    assert packs.refresh("gone")[1].value is None  # a pack deleted elsewhere is no longer chosen


def test_a_pack_pinned_in_the_app_exports_absolute_links(tmp_path):
    index, ids = build_sample_index(tmp_path)
    try:
        payload = ui.run_search(index, QUESTION, ["Avonshire"], k=1)
        page = payload["results"][0]["citation"]["page_start"]
        public = PacksPage(index.directory, tmp_path / "exports", public_url="https://qa.example")
        public.pin(payload, "Shared", 1, "")
        button, _ = public.export("Shared", "Word (.docx)")
        links = [h.url for p in docx.Document(button.value["path"]).paragraphs for h in p.hyperlinks]
        assert links == [f"https://qa.example/pdf/{ids['Avonshire']}#page={page}"]
        # No public address, no request: the app's bare path ("/pdf/14#page=19") is never written.
        local = PacksPage(index.directory, tmp_path / "exports")
        text = local.export_api("Shared", "md")["text"]
        assert "/pdf/" not in text and "--public-url" in text
    finally:
        index.close()


def test_bad_pins_and_unknown_packs_say_what_to_do(page):
    packs, index = page
    payload = ui.run_search(index, QUESTION, k=2)
    assert "search first" in packs.pin(None, "A", 1, "")[0]
    assert "name the pack" in packs.pin(payload, "  ", 1, "")[0]
    assert "from 1 to 2" in packs.pin(payload, "A", 9, "")[0]
    assert packs.names() == []  # nothing made by a refused pin
    assert "no pack called 'Nope'" in html.unescape(packs.view("Nope"))
    packs.pin(payload, "A", 1, "")
    packs.store().create("B")
    assert "exists" in packs.rename("A", "b")[2]
    button, message = packs.export("B", "CSV")
    assert "empty: nothing to export" in message and not button.interactive


def test_packs_through_the_api(tmp_path):
    import base64
    import io

    from gradio_client import Client

    from tests.app.ui.test_page import RunningApp

    index, _ = build_sample_index(tmp_path)
    try:
        with RunningApp(ui.create_app(index)) as app:
            client = Client(app.url, verbose=False)
            assert client.predict(api_name="/packs") == {"ok": True, "packs": []}
            assert client.predict("Visit", api_name="/pack_create") == {"ok": True, "name": "Visit"}
            again = client.predict("Visit", api_name="/pack_create")
            assert not again["ok"] and "exists" in again["message"]
            found = client.predict(QUESTION, None, None, None, None, None, 3, api_name="/search")
            pinned = client.predict("Visit", found["results"][1], "for the board", api_name="/pack_pin")
            assert pinned == {"ok": True, "name": "Visit", "position": 1}
            shown = client.predict("Visit", api_name="/pack")
            assert shown["ok"] and shown["items"][0]["text"] == found["results"][1]["text"]
            assert shown["items"][0]["note"] == "for the board"
            markdown = client.predict("Visit", "md", api_name="/pack_export")
            assert markdown["ok"] and "for the board" in markdown["text"]
            word = client.predict("Visit", "docx", api_name="/pack_export")
            document = docx.Document(io.BytesIO(base64.b64decode(word["content_base64"])))
            assert any(found["results"][1]["text"][:40] in p.text for p in document.paragraphs)
            empty = client.predict("Empty", api_name="/pack_create")
            assert empty["ok"] and not client.predict("Empty", "csv", api_name="/pack_export")["ok"]
            assert not client.predict("Nope", api_name="/pack")["ok"]
            assert not client.predict("Visit", "pdf", api_name="/pack_export")["ok"]
            assert not client.predict("Visit", {}, "", api_name="/pack_pin")["ok"]
    finally:
        index.close()
