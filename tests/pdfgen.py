"""Write small PDFs with a real text layer, for tests (no report text is ever committed).

`make_pdf(path, pages)` writes one page per string; each line of a string becomes a line of
text on the page, so pypdf extracts it back line by line.
"""

from __future__ import annotations

from pathlib import Path


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[str]) -> bytes:
    objects: list[bytes] = []
    # 1: catalog, 2: pages tree, 3: font; then a (page, content) pair per page.
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, text in enumerate(pages):
        lines = text.split("\n")
        ops = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
        for line in lines:
            encoded = _escape(line).encode("cp1252", errors="replace").decode("latin-1")
            ops.append(f"({encoded}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content_id = page_ids[i] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_pdf(path: str | Path, pages: list[str]) -> Path:
    path = Path(path)
    path.write_bytes(pdf_bytes(pages))
    return path


def make_encrypted_pdf(path: str | Path, pages: list[str], password: str = "secret") -> Path:
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(BytesIO(pdf_bytes(pages))).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    path = Path(path)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def make_image_only_pdf(path: str | Path, n_pages: int = 2) -> Path:
    """Pages with no text layer at all, as a scanner produces."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(n_pages):
        writer.add_blank_page(width=595, height=842)
    path = Path(path)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def sample_report_pages(authority: str = "Avonshire", year: int = 2019) -> list[str]:
    """A made-up ILACS-style report, shaped like the real ones but with invented prose."""
    header = f"Inspection of {authority} local authority children's services\n10 to 21 June {year} "
    front = (
        f"Inspection of {authority} local authority\nchildren's services\n"
        f"Inspection dates: 10 to 21 June {year}\n"
        "Lead inspector: Alex Example, His Majesty's Inspector\n"
        "Judgement Grade\n"
        "The impact of leaders on social work\npractice with children and families\nGood\n"
        "The experiences and progress of children\nwho need help and protection\nRequires improvement to be good\n"
        "The experiences and progress of children in\ncare and care leavers\nGood\n"
        "Overall effectiveness Good\n"
        f"Children in {authority} receive steadily improving services from a stable team.\n"
    )
    page2 = (
        header + "2\n"
        "What needs to improve\n"
        "The timeliness of return home interviews for children who go missing.\n"
        "The experiences and progress of children who need help and\nprotection: requires improvement to be good\n"
        "1. The front door is effective. Screening of child sexual exploitation risk uses\n"
        "a consistent tool, and managers review every referral within a day.\n"
        "2. Strategy meetings are timely and well attended by police and health. Manage-\n"
        "ment oversight of enquiries is visible on every file.\n"
    )
    page3 = (
        header + "3\n"
        "3. Return home interviews are offered to most children after they go missing,\n"
        "but too many are completed late, so patterns of risk are missed.\n"
        "The experiences and progress of children in care and care leavers: good\n"
        "4. Independent reviewing officers know their children well and challenge drift.\n"
        "5. Personal advisers keep in touch with care leavers, who say they feel supported.\n"
    )
    return [front, page2, page3]


def nameless_report_pages(year: int = 2019) -> list[str]:
    """`sample_report_pages` with no authority named anywhere (a title of 2018-20 and no running header)."""
    pages = sample_report_pages("Avonshire", year)
    pages = [p.replace("Inspection of Avonshire local authority\nchildren's services",
                       "Inspection of children's social care services") for p in pages]
    pages = [p.replace(f"Inspection of Avonshire local authority children's services\n10 to 21 June {year} ", "")
             for p in pages]
    return [p.replace("Avonshire", "the area") for p in pages]


def letter_pages(authority: str = "Barking and Dagenham", kind: str = "Monitoring visit",
                 year: int = 2026) -> list[str]:
    """A made-up Ofsted letter ("Monitoring visit", "Focused visit"), shaped like the real ones: a letterhead,
    the addressee, a capitalised title line, the visit's dates in the first sentence, no grades. Its prose
    names an inspection of children's services, as real letters do."""
    front = (
        "Ofsted\nPiccadilly Gate\nStore Street\nManchester M1 2WD\nT 0300 123 1231\nwww.gov.uk/ofsted\n"
        f"10 November {year}\n"
        "Sam Example\nDirector of Children's Services\n"
        f"{authority} Council\nTown Hall\n"
        "Dear Sam\n"
        f"{kind} to {authority} children's services\n"
        f"This letter summarises the findings of the {kind.lower()} to {authority} children's services on\n"
        f"7 and 8 October {year}. This visit was the third {kind.lower()} since the local authority was\n"
        f"judged inadequate at its inspection of children's services in {year - 2}. Inspectors looked at the\n"
        "experiences of children in care and the quality of placement planning.\n"
        "Headline findings\n"
        "Leaders have strengthened the oversight of placement stability. Social workers visit children\n"
        "regularly and know them well, though too many plans still lack clear timescales.\n"
    )
    page2 = (
        "Findings and evaluation of progress\n"
        "Placement sufficiency remains a challenge, and some children live far from their families.\n"
        "Independent reviewing officers now escalate drift, and managers respond quickly to it.\n"
        "Yours sincerely\nAlex Example\nHis Majesty's Inspector\n"
    )
    return [front, page2]
