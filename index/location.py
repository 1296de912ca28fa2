"""Where the index is: --index, else $OFSTED_QA_INDEX, else ./data/index, else `make demo`'s ./data/demo-index.

Light on purpose (no numpy, no FAISS): the command line asks before it opens anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.environment import INDEX, environment

DB_NAME = "chunks.sqlite"  # the file that makes a folder an index
DEFAULT_INDEX_DIR = Path("data/index")
DEMO_INDEX_DIR = Path("data/demo-index")  # the Makefile's INDEX for `make demo`
SOURCES = ("--index", INDEX, "default", "demo")


def default_index_dir() -> Path:
    """$OFSTED_QA_INDEX, else ./data/index (whether or not an index is there)."""
    return Path(environment().index or DEFAULT_INDEX_DIR)


def is_index(directory: Path) -> bool:
    return (directory / DB_NAME).is_file()


@dataclass(frozen=True)
class IndexLocation:
    """The index folder a command uses, and what chose it (one of SOURCES)."""

    directory: Path
    source: str

    def note(self) -> str | None:
        """The line to print when the folder is not the one the user would expect: the demo index."""
        if self.source == "demo":
            return (f"no index at {DEFAULT_INDEX_DIR}: using the demo index at {DEMO_INDEX_DIR} "
                    "(choose one with --index DIR)")
        return None

    def not_found(self) -> str:
        """What to say when no index is there: with the default folder, both folders tried and how to build one."""
        if self.source == "default":
            return (f"no index at {DEFAULT_INDEX_DIR} (the default) nor at {DEMO_INDEX_DIR} (make demo's); build "
                    f"one with: ofsted-qa ingest PDF_DIR (into {DEFAULT_INDEX_DIR}), or make demo-index, or point "
                    f"at another with --index DIR or ${INDEX}")
        return (f"no index at {self.directory}; build one with: "
                f"ofsted-qa ingest PDF_DIR --index {self.directory}")


def locate_index(explicit: str | Path | None = None) -> IndexLocation:
    """The index folder to read: `explicit` (--index), else $OFSTED_QA_INDEX, else ./data/index when an
    index is there, else ./data/demo-index when `make demo` built one there, else ./data/index.

    Only the default falls back to the demo index: a folder the user named is never replaced.
    """
    if explicit:
        return IndexLocation(Path(explicit), "--index")
    if environment().index:
        return IndexLocation(Path(environment().index), INDEX)
    if not is_index(DEFAULT_INDEX_DIR) and is_index(DEMO_INDEX_DIR):
        return IndexLocation(DEMO_INDEX_DIR, "demo")
    return IndexLocation(DEFAULT_INDEX_DIR, "default")
