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


def test_a_folder_left_by_an_ended_process_is_removed_by_the_next_app(tmp_path) -> None:
    import subprocess
    import sys

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    orphan = tmp_path / f"ofsted-qa-exports-{ended.stdout.strip()}-abc"
    (orphan / "x").mkdir(parents=True)
    living = ExportDir(tmp_path)  # this process's: kept
    not_ours = tmp_path / "ofsted-qa-exports-old"  # no process id in its name: left alone
    not_ours.mkdir()
    again = ExportDir(tmp_path)
    assert not orphan.exists()
    assert living.root.exists() and again.root.exists() and not_ours.exists()
