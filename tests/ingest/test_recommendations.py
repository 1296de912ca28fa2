"""Which sections are lists of what must improve, and their single points."""

from __future__ import annotations

import pytest

from ingest.chunk import chunk_pages
from ingest.models import Page
from ingest.recommendations import is_list_title, section_kind, split_points


@pytest.mark.parametrize("section, kind", [
    ("Recommendations", "recommendations"),
    ("The Local Safeguarding Children Board: Recommendations", "recommendations"),
    ("What needs to improve?", "recommendations"),
    ("What needs to improve", "recommendations"),
    ("Areas for improvement", "recommendations"),
    ("Capacity to improve: Areas for improvement", "recommendations"),
    ("What does the local authority need to improve?: Workforce development", "recommendations"),
    ("Priority and immediate action", "recommendations"),
    ("Capacity to improve", "findings"),
    ("Leadership, management and governance", "findings"),
    ("Summary", "findings"),
    (None, "findings"),
    ("", "findings"),
])
def test_section_kind_reads_the_heading_and_the_heading_it_is_part_of(section, kind):
    assert section_kind(section) == kind


def test_list_titles_open_a_list_and_other_headings_do_not():
    assert is_list_title("What does the LSCB need to improve?")
    assert is_list_title("What needs to improve:")
    assert not is_list_title("Areas for improvement")  # a part of a list, not its title
    assert not is_list_title("Summary")


def test_points_are_split_by_bullet_or_number_and_keep_their_paragraph_number():
    text = ("The local authority should:\n12. Ensure that all children are seen\nalone by their social worker.\n"
            "13. Improve the timeliness of health assessments.")
    assert split_points(text) == [("12", "Ensure that all children are seen alone by their social worker."),
                                  ("13", "Improve the timeliness of health assessments.")]
    bullets = "• Timeliness of strategy meetings.\n• The quality of supervision and oversight."
    assert split_points(bullets) == [(None, "Timeliness of strategy meetings."),
                                     (None, "The quality of supervision and oversight.")]
    # No list marks: one point per line; a list's short title is left out.
    assert split_points("Areas:\nStrengthen the quality of plans.") == [(None, "Strengthen the quality of plans.")]
    assert split_points("") == []


def test_a_list_divided_by_topic_stays_a_list_until_the_next_part_of_the_report():
    text = (
        "What does the local authority need to improve?\n"
        "Priority and immediate action\n"
        "Leadership, management and governance\n"
        "1. Secure effective leadership across children's services so that practice improves quickly.\n"
        "Areas for improvement\n"
        "Workforce development\n"
        "2. Ensure that frontline managers receive good support through effective supervision and training.\n"
        "The local authority's strengths\n"
        "3. Early help services are well established and coordinated, and include many partners working well.\n"
    )
    chunks = chunk_pages([Page(number=1, raw_text=text, text=text)], max_words=20)
    kinds = {c.text.split(".")[0]: section_kind(c.section) for c in chunks}
    assert kinds == {"1": "recommendations", "2": "recommendations", "3": "findings"}, \
        [(c.section, c.text[:30]) for c in chunks]
    assert any(c.section == "What does the local authority need to improve?: Workforce development" for c in chunks)


def test_an_ilacs_list_ends_at_the_graded_judgement_after_it():
    summary = ("Summary\nChildren in this area receive consistently strong services that help them, and leaders "
               "have continued to strengthen practice since the previous inspection of the local authority.\n")
    text = (
        "What needs to improve?\n"
        "• The timeliness of strategy meetings for children at risk of significant harm.\n"
        "The experiences and progress of children who need help and protection: good\n"
        "1. Children and families benefit from a comprehensive range of early help services across the area.\n"
    )
    pages = [Page(number=1, raw_text=summary, text=summary), Page(number=2, raw_text=text, text=text)]
    chunks = [c for c in chunk_pages(pages, max_words=20) if c.page_start == 2]
    kinds = [(section_kind(c.section), c.text[:10]) for c in chunks]
    assert kinds[0][0] == "recommendations" and kinds[-1][0] == "findings", kinds
