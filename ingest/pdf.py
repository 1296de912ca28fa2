"""Read the text layer of a PDF, page by page, with pypdf.

Every way a file can be unreadable ends in `PdfReadError` with a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns per odd object; our errors say enough

MAX_PAGES = 5000  # far above any inspection report; stops a pathological file eating the machine
MIN_TEXT_CHARS = 200  # fewer letters than this over the whole file means no usable text layer


class PdfReadError(Exception):
    """The file cannot be ingested; str(error) says why."""


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def page_count(path: str | Path) -> int:
    """The PDF's number of pages, read from its page tree without extracting text; 0 when it cannot be
    read (reading it for real says why)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(str(path), strict=False).pages)
    except Exception:  # noqa: BLE001 - any unreadable file counts none; read_pages names its problem
        return 0


def read_pages(path: str | Path) -> list[str]:
    """Return the raw extracted text of each page (index 0 is page 1)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError
    from pypdf.errors import PdfReadError as PypdfReadError

    path = Path(path)
    if not path.is_file():
        raise PdfReadError("not a file")
    size = path.stat().st_size
    if size == 0:
        raise PdfReadError("empty file (0 bytes)")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise PdfReadError("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            # Some PDFs are encrypted with an empty user password and open fine.
            try:
                if not reader.decrypt(""):
                    raise PdfReadError("encrypted: the PDF is password-protected")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise PdfReadError("encrypted: the PDF is password-protected") from exc
        count = len(reader.pages)
        if count == 0:
            raise PdfReadError("the PDF has no pages (truncated or corrupt)")
        if count > MAX_PAGES:
            raise PdfReadError(f"too many pages ({count}; the limit is {MAX_PAGES})")
        pages = [_page_text(page) for page in reader.pages]
    except PdfReadError:
        raise
    except FileNotDecryptedError as exc:
        raise PdfReadError("encrypted: the PDF is password-protected") from exc
    except (PypdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, RecursionError, AssertionError) as exc:
        raise PdfReadError(f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    letters = sum(ch.isalpha() for text in pages for ch in text)
    if letters < MIN_TEXT_CHARS:
        raise PdfReadError(
            "no text layer (a scanned or image-only PDF); run OCR on it first"
        )
    return pages


def _page_text(page) -> str:
    text = page.extract_text() or ""
    # Some producers emit NULs and other control characters; keep newlines and tabs only.
    return "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
