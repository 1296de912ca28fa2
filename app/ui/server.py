"""The server: HTTP Basic auth in front of everything, the PDF route, loading the index, uvicorn."""

from __future__ import annotations

import base64
import binascii
import gc
import secrets
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse, PlainTextResponse, Response

from app.ui.page import (
    CSS,
    ON_LOAD_JS,
    _theme,
    build_app,
)
from app.ui.search import (
    ingest_help,
)
from index.embed import load_embedder
from index.report_index import DB_NAME, IndexNotFoundError, ReportIndex
from index.store import IndexMismatchError

# -- the server ----------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def basic_auth_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class BasicAuthMiddleware:
    """HTTP Basic in front of every route (pure ASGI, so Gradio's streaming responses are untouched)."""

    def __init__(self, app: Any, user: str, password: str, realm: str = "ofsted-qa") -> None:
        self.app = app
        self.user = user.encode()
        self.password = password.encode()
        self.realm = realm

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, value = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        return secrets.compare_digest(user, self.user) & secrets.compare_digest(password, self.password)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(
            "login required", status_code=401,
            headers={"WWW-Authenticate": f'Basic realm="{self.realm}", charset="UTF-8"'},
        )
        await response(scope, receive, send)


def _pdf_path(index: ReportIndex | None, doc_id: str) -> Path | None:
    """The file of an indexed document; the request only ever picks a document id, never a path."""
    # ASCII digits only: str.isdigit() also accepts "²" and "９", which int() then rejects or reads as 9.
    if index is None or not (doc_id.isascii() and doc_id.isdigit()) or len(doc_id) > 12:
        return None
    docs = index.searcher.documents()
    doc = docs.get(int(doc_id))
    if doc is None and index.reload_if_changed():
        doc = index.searcher.documents().get(int(doc_id))
    for path in (doc.paths if doc else []):
        candidate = Path(path)
        if candidate.is_file():
            return candidate
    return None


PDF_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}


def create_app(index: ReportIndex | None, auth: tuple[str, str] | None = None,
               index_dir: Path | str | None = None, public_url: str | None = None) -> FastAPI:
    """FastAPI with `/pdf/{doc_id}` and the Gradio UI at `/`; with `auth`, HTTP Basic guards all of it.

    `public_url`: the address colleagues reach the app at, for exports' page links (app/links.py)."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    not_found = PlainTextResponse("no such report", status_code=404)

    @api.get("/pdf/{doc_id}")
    def pdf(doc_id: str) -> Response:
        path = _pdf_path(index, doc_id)
        if path is None:
            return not_found
        return FileResponse(path, media_type="application/pdf", filename=path.name,
                            content_disposition_type="inline", headers=PDF_HEADERS)

    @api.get("/pdf/{anything:path}")
    def pdf_other(anything: str) -> Response:
        return not_found

    if auth is not None:
        api.add_middleware(BasicAuthMiddleware, user=auth[0], password=auth[1])
    demo = build_app(index, index_dir, public_url)
    return gr.mount_gradio_app(
        api, demo, path="/", footer_links=["api", "settings"], run_history=False, ssr_mode=False,
        mcp_server=False, show_error=True, theme=_theme(), css=CSS, js=ON_LOAD_JS,
    )


def load_index(index_dir: Path | str) -> ReportIndex | None:
    """The index, read-only, with its model loaded once; None when there is no index there yet."""
    directory = Path(index_dir)
    if not (directory / DB_NAME).exists():
        return None
    # The server only embeds questions: the ONNX graph an ingest built, else the numpy forward pass of
    # the same model; never torch, for its import time and memory (docs/PERFORMANCE.md).
    embedder = load_embedder(queries_only=True, long_lived=True)
    try:
        index = ReportIndex.load(directory, embedder=embedder, read_only=True)
    except IndexNotFoundError:
        return None
    index.searcher.warm()
    return index


def serve(index_dir: Path | str, host: str = "127.0.0.1", port: int = 7860,
          auth: tuple[str, str] | None = None, public_url: str | None = None) -> int:
    """Load the index once, build the app and serve it with uvicorn until stopped (Ctrl-C).

    Args:
        index_dir: the index folder (an empty or missing one: the page says how to build it).
        host, port: where to listen.
        auth: (user, password) for HTTP Basic, or None.
        public_url: the address colleagues reach the app at (checked by `app.links.public_url`), used in
            every export's page links; None: exports lead with Ofsted's published copy.
    Returns:
        The exit status: 0, or 2 when the index was built by another model.
    """
    import uvicorn

    try:
        index = load_index(index_dir)
    except IndexMismatchError as exc:
        print(f"ofsted-qa: {exc}", file=sys.stderr)
        return 2
    if index is None:
        print(f"ofsted-qa: {ingest_help(index_dir).replace('`', '')}", file=sys.stderr)
    app = create_app(index, auth=auth, index_dir=index_dir, public_url=public_url)
    # What start-up made (the index's maps, the page's components) lives as long as the server: out of
    # the cyclic collector's generations, its full passes no longer walk it while a question waits.
    gc.freeze()
    shown = f"[{host}]" if ":" in host else host
    print(f"ofsted-qa: serving on http://{shown}:{port}/" + (" (login required)" if auth else ""),
          file=sys.stderr)
    print(f"ofsted-qa: exports link pages at {public_url}" if public_url else
          "ofsted-qa: exports lead with Ofsted's published copies; their links to this app work only on this "
          "machine (give colleagues working links with --public-url URL)", file=sys.stderr)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if index is not None:
            index.close()
    return 0
