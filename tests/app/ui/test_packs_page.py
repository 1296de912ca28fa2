"""The app's pin-to-pack controls and Packs tab, through their callbacks."""

from __future__ import annotations

import html

import docx
import pytest

from app import ui
from app.ui.packs_page import PacksPage
from tests.app.ui.test_page import QUESTION, build_sample_index


@pytest.fixture
def page(tmp_path):
    index, _ = build_sample_index(tmp_path)
    yield PacksPage(index.directory, tmp_path / "exports"), index
    index.close()


def test_pin_view_reorder_rename_export_and_delete(page):
    packs, index = page
    payload = ui.run_search(index, QUESTION, k=3)
    message, _, _ = packs.pin(payload, "Self-evaluation 2026", 2, "CSE: compare with ours")
    assert "Pinned result 2" in message
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
