"""The export folder: one per app, its files readable while the app lives, removed with it."""

from __future__ import annotations

import gc
from pathlib import Path

from app.ui.export import ExportDir


def test_an_export_is_written_under_the_folder_and_the_folder_goes_with_the_app() -> None:
    exports = ExportDir()
    path = Path(exports.write("results.csv", "a,b\n"))
    assert path.is_file() and exports.root in path.parents
    assert path.read_text(encoding="utf-8-sig") == "a,b\n"
    root = exports.root
    del exports
    gc.collect()
    assert not root.exists()
