"""Page cleaning, on synthetic report text (no real report text is committed)."""

from __future__ import annotations

from ingest.clean import clean_pages, judgement_heading, known_heading
from tests.pdfgen import sample_report_pages

HEADER = "Inspection of Avonshire local authority children’s services\n3 to 14 March 2025 {n}"
HELP_HEADING = "The experiences and progress of children who need help and protection: requires improvement to be good"
PROSE = (
    "Managers review the work of social workers regularly and record clear decisions on the child's "
    "file so that plans move forward without delay for the child and the family concerned.\n"
)


def _report(bodies: list[str]) -> list[str]:
    """Pages with an ILACS-style two-line running header (page number glued to the dates)."""
    return [HEADER.format(n=i + 1) + "\n" + body for i, body in enumerate(bodies)]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_running_header_with_page_numbers_is_removed():
    bodies = [f"{i + 10}. Paragraph {i} says the front door works well for children.\n" + PROSE for i in range(5)]
    cleaned = clean_pages(_report(bodies))
    assert len(cleaned) == 5
    for page in cleaned:
        assert "Inspection of Avonshire" not in page
        assert "March 2025" not in page
    assert cleaned[2].startswith("12. Paragraph 2 says")


def test_header_found_by_repetition_not_by_name():
    header = "Zedland Borough Council Inspection of looked after children services"
    pages = [f"{header}\n{n}\n{n + 20}. The council knows its children well.\n{PROSE}" for n in range(1, 7)]
    cleaned = clean_pages(pages)
    for page in cleaned:
        assert "Zedland" not in page
        assert not any(line.strip().isdigit() for line in _lines(page))
    # A sentence that mentions the council in the body is kept.
    body = clean_pages(pages[:3] + ["Zedland Borough Council agreed a new plan for care leavers this year."])
    assert "Zedland Borough Council agreed" in body[3]


def test_bare_page_numbers_are_removed():
    pages = [f" \n \n {n} \n{n}. Children are seen alone by their social workers.\n{PROSE}" for n in range(1, 4)]
    cleaned = clean_pages(pages)
    assert cleaned[1].startswith("2. Children are seen alone")
    assert _lines(cleaned[2])[0] == "3. Children are seen alone by their social workers."


def test_soft_hyphen_joined_compound_hyphen_kept():
    text = (
        "1. Strategy meetings are timely and well attended by police and health. Manage-\n"
        "ment oversight of enquiries is visible on every file and the multi-\n"
        "agency panel meets weekly to review risk for children who go missing from\n"
        "home. A new post-\n"
        "adoption team supports families, and good- \n"
        "quality plans set out what 16- and 17-year-olds need from non-\n"
        "English speaking families and from the self-\n"
        "harm pathway.\n"
    )
    cleaned = clean_pages([text])[0]
    assert "Management oversight" in cleaned
    assert "multi-agency panel" in cleaned
    assert "post-adoption team" in cleaned
    assert "good-quality plans" in cleaned
    assert "16- and 17-year-olds" in cleaned
    assert "non-English" in cleaned
    assert "self-harm pathway" in cleaned
    assert "Manage-" not in cleaned


def test_hyphen_joined_when_document_only_uses_joined_form():
    text = (
        "1. Work is well coordinated across the partnership, and leaders coordinated the review of\n"
        "plans that are co-\n"
        "ordinated by one team in each area of the county for every child.\n"
    )
    assert "plans that are coordinated by one team" in clean_pages([text])[0]


def test_bullet_glyphs_become_plain_bullets():
    text = (
        "Children living in this area\n"
        "\uf06e Approximately 14% of children are living in poverty.\n"
        "\uf0b7 The proportion entitled to free school meals:\n"
        "\uf02d in primary schools is 12%\n"
        "\u2212 in secondary schools is 10%.\n"
        "◼ Some recording of supervision.\n"
        "• Timeliness of reviews.\n"
        "\uf0a7\n"
        "Advocacy for children in care.\n"
    )
    lines = _lines(clean_pages([text])[0])
    assert lines == [
        "Children living in this area",
        "• Approximately 14% of children are living in poverty.",
        "• The proportion entitled to free school meals:",
        "– in primary schools is 12%",
        "– in secondary schools is 10%.",
        "• Some recording of supervision.",
        "• Timeliness of reviews.",
        "• Advocacy for children in care.",
    ]
    assert not any("\ue000" <= ch <= "\uf8ff" for line in lines for ch in line)


def test_paragraphs_reflowed_one_per_line_with_numbers_kept():
    text = (
        "26. Care leavers benefit from personal advisers who know them well and keep in   \n"
        "touch with them regularly, including those who live out of the area.   \n"
        "\n"
        "\n"
        "\n"
        "27. Pathway plans are written with young people and are reviewed when their\n"
        "circumstances change.\n"
        "28. Most care leavers live in suitable homes.\n"
    )
    lines = _lines(clean_pages([text])[0])
    assert lines == [
        "26. Care leavers benefit from personal advisers who know them well and keep in touch with them "
        "regularly, including those who live out of the area.",
        "27. Pathway plans are written with young people and are reviewed when their circumstances change.",
        "28. Most care leavers live in suitable homes.",
    ]


def test_unnumbered_paragraphs_split_where_the_line_ends_short():
    long_line = "Leaders know their services well and have acted quickly on what they found in audits of"
    text = (
        f"{long_line}\n"
        "practice.\n"
        f"{long_line}\n"
        "practice across all of the teams.\n"
    ) * 3
    lines = _lines(clean_pages([text])[0])
    assert len(lines) == 6
    assert all(line.startswith("Leaders know") and line.endswith(".") for line in lines)


def test_headings_kept_on_their_own_line():
    text = (
        "Summary of findings\n"
        "1. The local authority knows itself well.\n"
        "What does the local authority need to improve?\n"
        "2. Improve the timeliness of assessments for disabled children.\n"
        "The experiences and progress of children who need help and\n"
        "protection: requires improvement to be good\n"
        "3. The front door is effective and managers review every referral within a day of its arrival.\n"
        "The experiences and progress of children looked after and achieving\n"
        "permanence\n"
        "Inadequate\n"
        "Summary\n"
        "Children wait too long for permanence and their plans drift without challenge.\n"
    )
    lines = _lines(clean_pages([text])[0])
    assert "Summary of findings" in lines
    assert "What does the local authority need to improve?" in lines
    assert HELP_HEADING in lines
    assert "The experiences and progress of children looked after and achieving permanence Inadequate" in lines
    assert "Summary" in lines


def test_footnote_block_at_page_bottom_is_dropped():
    text = (
        "Information about this local authority area1\n"
        + PROSE * 3
        + "\n"
        + "1 The local authority was given the opportunity to review this section of the report and has\n"
        "confirmed it as accurate.\n"
    )
    cleaned = clean_pages([text])[0]
    assert "opportunity to review" not in cleaned
    assert "Managers review the work" in cleaned


def test_empty_document_and_empty_pages():
    assert clean_pages([]) == []
    assert clean_pages(["", " \n \n", "1. Text.\n"]) == ["", "", "1. Text."]


def test_no_trailing_spaces_or_blank_lines():
    pages = clean_pages(sample_report_pages())
    for page in pages:
        for line in _lines(page):
            assert line == line.strip()
            assert line


def test_sample_report_pages():
    pages = clean_pages(sample_report_pages("Avonshire", 2019))
    assert len(pages) == 3
    assert "Inspection of Avonshire local authority children's services" not in pages[1]
    assert "Management oversight of enquiries" in pages[1]
    lines = _lines(pages[1])
    assert lines[0] == "What needs to improve"
    assert HELP_HEADING in lines
    assert _lines(pages[2])[0].startswith("3. Return home interviews")


def test_back_page_boilerplate_is_kept_by_cleaning():
    """Boilerplate is the chunker's to skip (tested there); cleaning only tidies it."""
    back = (
        "If you would like a copy of this document in a different format, such as large print or Braille,\n"
        "please telephone 0300 000 0000.\n"
        "© Crown copyright 2025\n"
    )
    assert "© Crown copyright 2025" in clean_pages([PROSE, back])[1]


def test_heading_recognisers():
    assert known_heading("Summary of findings") == "summary of findings"
    assert known_heading("What needs to improve?1") == "what needs to improve?"
    assert known_heading("Leadership, management and governance require improvement") == (
        "leadership, management and governance"
    )
    assert known_heading("The experiences and progress of children who need help and protection is good") == (
        "the experiences and progress of children who need help and protection"
    )
    assert known_heading("Children are safe.") is None
    assert judgement_heading("The experiences and progress of children in care: outstanding")
    assert judgement_heading("The graded judgement for adoption performance is that it requires improvement")
    assert not judgement_heading("Leaders say: it is good to see improvement in records, for example.")
