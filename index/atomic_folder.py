"""A folder of derived files in the index folder, written whole and swapped in atomically.

Readers (other processes too) see the old folder or the new one, never a half-written one: the new
files are written into a staging folder beside it, which then replaces the old by rename. A crash
leaves at most a staging folder, removed by the next writer's lock (index/build.py).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

META_NAME = "meta.json"


def write_folder(index_dir: str | Path, name: str, fill: Callable[[Path], None]) -> None:
    """Replace `index_dir`/`name` with a folder that `fill` writes (given the staging folder's path).

    Raises:
        OSError: the index folder cannot be written; the old folder is then kept as it was.
    """
    target = Path(index_dir) / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=index_dir))
    try:
        fill(staging)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=index_dir))
            os.replace(target, old / name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def read_meta(index_dir: str | Path, name: str, expected: Mapping[str, object]) -> dict | None:
    """The folder's meta.json when it is readable and records each of `expected`'s values (its
    format, what defined its contents); None otherwise: files another build wrote, which the next
    writer replaces."""
    try:
        meta = json.loads((Path(index_dir) / name / META_NAME).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or any(meta.get(key) != value for key, value in expected.items()):
        return None
    return meta


def map_arrays(folder: str | Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The folder's `name`.npy arrays, memory-mapped read-only, as plain ndarray views.

    Plain views because numpy's memmap subclass runs Python code on every slice and every result
    (half a millisecond of a query's slicing); the views keep the maps open.

    Raises:
        OSError, ValueError: a file missing or not a numpy array.
    """
    return {name: np.asarray(np.load(Path(folder) / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in names}
