"""The app's evidence packs: "Pin to a pack" under the search results, and a Packs tab to read, reorder,
rename, delete and export them (app/packs.py keeps them in packs.sqlite beside the index)."""

from __future__ import annotations

import base64
import html
import threading
import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from app.links import app_page
from app.packs import PackStore, UnknownPackError, entry_dict, item_from_result, write_export
from app.ui.address import LinkValues, keep_js
from app.ui.export import link_base

FORMATS = {"Word (.docx)": "docx", "Markdown": "md", "CSV": "csv"}


def _notice(message: str, kind: str) -> str:
    return f'<div class="oq-notice oq-notice-{kind}">{html.escape(message)}</div>'


class PacksPage:
    """Pin controls for the search tab and the Packs tab; `build_pin` and `build_tab` add each part to
    the page and register its events. The pack open on the Packs tab is kept in the page address (`pack`)."""

    LINK_PARAMETERS = {"pack": False}  # name -> whether it repeats

    def __init__(self, index_dir: Path | str | None, export_root: Path, public_url: str | None = None) -> None:
        self.index_dir = Path(index_dir) if index_dir else None
        self.export_root = export_root
        self.public_url = public_url  # exports' page links use it (app/links.py)
        self._store: PackStore | None = None
        self._lock = threading.Lock()
        self.pack_choice: gr.Dropdown | None = None
        self.tab_choice: gr.Dropdown | None = None

    # -- the store ------------------------------------------------------------------------------
    def store(self) -> PackStore:
        with self._lock:
            if self._store is None:
                if self.index_dir is None:
                    raise FileNotFoundError("no index folder: ingest reports first")
                self._store = PackStore(self.index_dir)
            return self._store

    def names(self) -> list[str]:
        try:
            return [p.name for p in self.store().list()]
        except (FileNotFoundError, ValueError):
            return []

    # -- callbacks --------------------------------------------------------------------------------
    def pin(self, payload: dict | None, pack: str | None, rank: Any, note: str | None,
            shown: str | None = None) -> tuple[str, Any, Any, Any]:
        """Pin result number `rank` of the shown search to `pack` (made if new).

        Args:
            payload: the search on screen, as `run_search` returns it.
            pack: the pack's name, any case; a new name makes a new pack.
            rank: the result's number, as the cards show it.
            note: why the passage matters (may be empty).
            shown: the pack open on the Packs tab, whose view is redrawn when it is this one.
        Returns:
            The message (with the pack's new count), both pack lists read afresh, and the Packs
            tab's view (unchanged unless it shows this pack).
        """
        pack = (pack or "").strip()
        results = (payload or {}).get("results") or []
        try:
            if not results:
                raise ValueError("search first: there is no result to pin")
            if not pack:
                raise ValueError("name the pack to pin to (a new name makes a new pack)")
            number = int(rank or 1)
            if not 1 <= number <= len(results):
                raise ValueError(f"pick a result from 1 to {len(results)}")
            store = self.store()
            existing = {n.lower(): n for n in self.names()}
            if pack.lower() in existing:
                pack = existing[pack.lower()]  # names are one pack whatever their case
            else:
                store.create(pack)
            position = store.add(pack, item_from_result(results[number - 1]), note or "")
            count = store.info(pack).item_count
        except (ValueError, FileNotFoundError, UnknownPackError) as exc:
            return _notice(str(exc).strip("'\""), "error"), gr.skip(), gr.skip(), gr.skip()
        names = self.names()
        message = _notice(f"Pinned result {number} to “{pack}” as passage {position}: the pack now holds "
                          f"{count} passage{'s' if count != 1 else ''}.", "info")
        view = self.view(pack) if shown and shown.lower() == pack.lower() else gr.skip()
        return message, gr.Dropdown(choices=names, value=pack), gr.Dropdown(choices=names, value=pack), view

    def view(self, pack: str | None) -> str:
        """The pack's passages in order, each with its note and citation."""
        if not pack:
            return _notice("Choose a pack (pin passages from the Search tab to make one).", "info")
        try:
            entries = self.store().items(pack)
        except (UnknownPackError, FileNotFoundError, ValueError) as exc:
            return _notice(str(exc).strip("'\""), "error")
        if not entries:
            return _notice(f"“{pack}” is empty: pin passages to it from the Search tab.", "info")
        cards = []
        for entry in entries:
            item = entry.item
            note = f'<p class="oq-pack-note">{html.escape(entry.note)}</p>' if entry.note else ""
            # The app's own page, also for a pin made on the command line (its file: link opens nothing here).
            page = app_page(item.doc_id, item.page_start)
            link = (f' <a class="oq-pdf" href="{html.escape(page)}" target="_blank" rel="noopener">'
                    f"open the report at page {item.page_start}</a>") if page else ""
            cards.append(f'<article class="oq-card"><header class="oq-card-head"><span class="oq-rank">'
                         f"{entry.position}</span><div class=\"oq-cite\">{html.escape(item.citation_line)}</div>"
                         f'</header><blockquote class="oq-passage">{html.escape(item.text)}</blockquote>'
                         f'{note}<footer class="oq-card-foot">{link}</footer></article>')
        return f'<div class="oq-results">{"".join(cards)}</div>'

    def move(self, pack: str | None, position: Any, to: Any) -> str:
        return self._change(pack, lambda store: store.move(pack, int(position), int(to)))

    def remove(self, pack: str | None, position: Any) -> str:
        return self._change(pack, lambda store: store.remove(pack, int(position)))

    def _change(self, pack: str | None, change) -> str:
        try:
            if not pack:
                raise ValueError("choose a pack first")
            change(self.store())
        except (ValueError, TypeError, IndexError, UnknownPackError) as exc:
            return _notice(str(exc).strip("'\""), "error") + self.view(pack)
        return self.view(pack)

    def rename(self, pack: str | None, new: str | None) -> tuple[Any, Any, str]:
        try:
            if not pack:
                raise ValueError("choose a pack first")
            self.store().rename(pack, (new or "").strip())
        except (ValueError, UnknownPackError) as exc:
            return gr.skip(), gr.skip(), _notice(str(exc).strip("'\""), "error")
        names = self.names()
        new = (new or "").strip()
        return gr.Dropdown(choices=names, value=new), gr.Dropdown(choices=names, value=new), self.view(new)

    def delete(self, pack: str | None) -> tuple[Any, Any, str]:
        try:
            if not pack:
                raise ValueError("choose a pack first")
            count = self.store().delete(pack)
        except (ValueError, UnknownPackError) as exc:
            return gr.skip(), gr.skip(), _notice(str(exc).strip("'\""), "error")
        names = self.names()
        return (gr.Dropdown(choices=names, value=None), gr.Dropdown(choices=names, value=None),
                _notice(f"Deleted “{pack}” and its {count} passage(s).", "info"))

    def export(self, pack: str | None, fmt: str, request: gr.Request = None) -> tuple[Any, str]:
        """Write the pack in the chosen format for download (its links as app/links.py makes them)."""
        try:
            if not pack:
                raise ValueError("choose a pack first")
            kind = FORMATS.get(fmt, "docx")
            folder = self.export_root / uuid.uuid4().hex
            folder.mkdir(parents=True)
            safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in pack).strip("-") or "pack"
            path = write_export(pack, self.store().items(pack), kind, folder / f"{safe}.{kind}",
                                link_base(self.public_url, request))
        except (ValueError, UnknownPackError) as exc:
            return gr.DownloadButton("Export", value=None, interactive=False), _notice(str(exc).strip("'\""), "error")
        return gr.DownloadButton(f"Download {path.name}", value=str(path), interactive=True), ""

    def refresh(self, shown: str | None = None) -> tuple[Any, Any, Any]:
        """Both pack lists and the open pack's view, read from the store now: on each page load and tab
        change, so a pack pinned from another page, session or `ofsted-qa pack` is there."""
        names = self.names()
        known = {n.lower(): n for n in names}
        shown = known.get((shown or "").lower())
        view = self.view(shown) if shown else ""
        return gr.Dropdown(choices=names), gr.Dropdown(choices=names, value=shown), view

    def refresh_from_link(self, request: gr.Request) -> tuple[Any, Any, Any]:
        """`refresh` on a page load, with the pack the page address names open."""
        return self.refresh(LinkValues(request, self.LINK_PARAMETERS).one("pack"))

    def refresh_pin(self) -> Any:
        """The pin row's pack list, read from the store now (when the row is opened)."""
        return gr.Dropdown(choices=self.names())

    # -- the API (`/packs`, `/pack`, `/pack_create`, `/pack_pin`, `/pack_export`) ---------------------
    def list_api(self) -> dict:
        """`/packs`: every pack with how many passages it holds."""
        return self._api(lambda store: {"packs": [{"name": p.name, "created": p.created, "items": p.item_count}
                                                  for p in store.list()]})

    def show_api(self, name: str) -> dict:
        """`/pack`: one pack's passages in order, each with its note, citation and links."""
        def show(store: PackStore) -> dict:
            info = store.info(name)
            return {"name": info.name, "created": info.created, "items": [entry_dict(e) for e in store.items(name)]}
        return self._api(show)

    def create_api(self, name: str) -> dict:
        """`/pack_create`: a new empty pack (a name in use is refused)."""
        return self._api(lambda store: {"name": store.create(name).name})

    def pin_api(self, name: str, result: dict, note: str = "") -> dict:
        """`/pack_pin`: pin one result, as `/search` returns it, to the pack `name` (made if new)."""
        def pin(store: PackStore) -> dict:
            if not isinstance(result, dict) or not result.get("text"):
                raise ValueError("give one result as /search returns it (with its text and citation)")
            if name.strip() not in {p.name for p in store.list()}:
                store.create(name)
            position = store.add(name.strip(), item_from_result(result), note or "")
            return {"name": name.strip(), "position": position}
        return self._api(pin)

    def export_api(self, name: str, fmt: str = "md", request: gr.Request = None) -> dict:
        """`/pack_export`: the pack as Markdown or CSV text ("text"), or Word (.docx) as base64
        ("content_base64"); Ofsted's published copy first, then this server's page links, which work for
        others only when the app was started with a public address (`serve --public-url`)."""
        def export(store: PackStore) -> dict:
            if fmt not in ("md", "csv", "docx"):
                raise ValueError(f"export format {fmt!r} is not one of md, csv, docx")
            folder = self.export_root / uuid.uuid4().hex
            folder.mkdir(parents=True)
            path = write_export(name, store.items(name), fmt, folder / f"pack.{fmt}",
                                link_base(self.public_url, request))
            data = path.read_bytes()
            if fmt == "docx":
                return {"name": name, "format": fmt, "content_base64": base64.b64encode(data).decode("ascii")}
            return {"name": name, "format": fmt, "text": data.decode("utf-8-sig")}
        return self._api(export)

    def _api(self, action) -> dict:
        """Run an API action on the store: {"ok": true, ...} or {"ok": false, "message": ...}."""
        try:
            return {"ok": True, **action(self.store())}
        except (ValueError, UnknownPackError, FileNotFoundError) as exc:
            return {"ok": False, "message": str(exc).strip("'\"")}

    def register_api(self) -> None:
        gr.api(self.list_api, api_name="packs")
        gr.api(self.show_api, api_name="pack")
        gr.api(self.create_api, api_name="pack_create")
        gr.api(self.pin_api, api_name="pack_pin")
        gr.api(self.export_api, api_name="pack_export")

    # -- building ---------------------------------------------------------------------------------
    def build_pin(self, payload: gr.JSON) -> None:
        """The "Pin to a pack" row under the search results."""
        with gr.Accordion("Pin a result to an evidence pack", open=False, elem_id="oq-pin") as self._pin_row:
            with gr.Row():
                self.pack_choice = gr.Dropdown([], value=None, allow_custom_value=True, label="Pack",
                                               info="pick one, or type a new name", scale=2, elem_id="oq-pin-pack")
                rank = gr.Number(1, precision=0, minimum=1, label="Result number", scale=1, elem_id="oq-pin-rank")
                note = gr.Textbox(label="Note", placeholder="why this passage matters", scale=3,
                                  elem_id="oq-pin-note")
                pin = gr.Button("Pin", scale=1, elem_id="oq-pin-btn")
            self._pin_message = gr.HTML("", elem_id="oq-pin-message")
        self._pin_inputs = (payload, self.pack_choice, rank, note, pin)

    def build_tab(self) -> None:
        """The Packs tab; call after build_pin (the pin button updates this tab's list).

        The pack lists start empty and are read from the store on each page load (`register_load`),
        on choosing this tab and on opening the pin row: read once when the server started, they
        would miss every pack made since."""
        with gr.Tab("Packs", id="packs", elem_id="oq-packs-tab") as tab:
            self.tab_choice = gr.Dropdown([], value=None, label="Evidence pack", elem_id="oq-pack-pick")
            self.pack_view = gr.HTML("", elem_id="oq-pack-view")
            with gr.Row():
                position = gr.Number(1, precision=0, minimum=1, label="Passage", scale=1)
                to = gr.Number(1, precision=0, minimum=1, label="Move to", scale=1)
                move = gr.Button("Move", scale=1)
                remove = gr.Button("Remove passage", scale=1)
            with gr.Row():
                new_name = gr.Textbox(label="Rename to", scale=2)
                rename = gr.Button("Rename", scale=1)
                delete = gr.Button("Delete pack", variant="stop", scale=1)
            with gr.Row():
                fmt = gr.Radio(list(FORMATS), value="Word (.docx)", label="Export as", scale=2)
                export = gr.Button("Export", scale=1, elem_id="oq-pack-export")
                download = gr.DownloadButton("Download", interactive=False, scale=1, elem_id="oq-pack-download")
            export_message = gr.HTML("")
        payload, pack_choice, rank, note, pin = self._pin_inputs
        pack_view = self.pack_view
        pin.click(self.pin, [payload, pack_choice, rank, note, self.tab_choice],
                  [self._pin_message, pack_choice, self.tab_choice, pack_view], api_visibility="private")
        tab.select(self.refresh, self.tab_choice, [pack_choice, self.tab_choice, pack_view],
                   api_visibility="private").then(None, self.tab_choice, None, js=keep_js("packs", "pack"),
                                                  api_visibility="private")
        self.tab_choice.input(None, self.tab_choice, None, js=keep_js("packs", "pack"), api_visibility="private")
        self._pin_row.expand(self.refresh_pin, None, pack_choice, api_visibility="private")
        self.tab_choice.change(self.view, self.tab_choice, pack_view, api_visibility="private")
        move.click(self.move, [self.tab_choice, position, to], pack_view, api_visibility="private")
        remove.click(self.remove, [self.tab_choice, position], pack_view, api_visibility="private")
        rename.click(self.rename, [self.tab_choice, new_name], [pack_choice, self.tab_choice, pack_view],
                     api_visibility="private")
        delete.click(self.delete, self.tab_choice, [pack_choice, self.tab_choice, pack_view],
                     api_visibility="private")
        export.click(self.export, [self.tab_choice, fmt], [download, export_message], api_visibility="private")

    def register_load(self, demo: gr.Blocks) -> None:
        """Read the packs afresh on each page load (a reload included), the pack the address names open."""
        demo.load(self.refresh_from_link, None, [self.pack_choice, self.tab_choice, self.pack_view],
                  api_visibility="private")
