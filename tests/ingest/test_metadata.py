"""Metadata extraction: synthetic front pages for each layout, then the real corpus against the manifest.

The synthetic pages use invented authorities and prose, shaped like the real layouts (line breaks
where pypdf puts them, grades wrapped onto the next line, running headers, footnote marks).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.metadata import authority_key, extract_metadata, parse_dates
from ingest.models import GRADES, JUDGEMENTS, REPORT_TYPES, ReportMetadata
from ingest.pdf import read_pages
from tests.pdfgen import letter_pages, make_pdf, sample_report_pages

FOOTNOTE = ("1 Ofsted produces this report under its power to combine reports in accordance with the Act;\n"
            "the review of the board was carried out under the regulations.\n")


# ---------------------------------------------------------------------------
# ILACS
# ---------------------------------------------------------------------------

def ilacs_2023_front(dates: str = "Inspection dates: 6 to 17 March 2023") -> str:
    return (
        " \n \nInspection of Fenwick and Dale local \nauthority children’s services  \n"
        f"{dates} \n"
        "Lead inspector: Robin Example, His Majesty’s Inspector \n"
        "Judgement Grade \n"
        "The impact of leaders on social work \npractice with children and families \n"
        "Requires improvement to be good  \n"
        "The experiences and progress of \nchildren who need help and protection  \nInadequate \n"
        "The experiences and progress of \nchildren in care \nGood \n"
        "The experiences and progress of care \nleavers  \nOutstanding  \n"
        "Overall effectiveness Requires improvement to be good  \n"
        "Since the last inspection, when the overall effectiveness was good, leaders have found the\n"
        "experiences and progress of children in care and care leavers hard to sustain.\n"
    )


def test_ilacs_standard_2023_layout():
    meta = extract_metadata([ilacs_2023_front(), "Inspection of Fenwick and Dale local authority children’s "
                                                 "services\n6 to 17 March 2023 2\nWhat needs to improve?\n"])
    assert meta.local_authority == "Fenwick and Dale"
    assert meta.report_type == "ilacs_standard"
    assert meta.title == "Inspection of Fenwick and Dale local authority children's services"
    assert (meta.inspection_start, meta.inspection_end) == (date(2023, 3, 6), date(2023, 3, 17))
    assert meta.published is None  # ILACS reports print no publication date
    assert meta.lead_inspector == "Robin Example"
    assert meta.judgements == {
        "overall_effectiveness": "requires improvement",
        "impact_of_leaders": "requires improvement",
        "help_and_protection": "inadequate",
        "in_care": "good",
        "care_leavers": "outstanding",
    }
    assert meta.overall_effectiveness == "requires improvement"


def test_ilacs_short_2019_layout_with_wrapped_grades():
    front = (
        " \n \n1 \n \nMetropolitan Borough of Northmoor Council \n \n"
        "Inspection of children’s social care services \n \n"
        "Inspection dates: 14 January 2019 to 18 January 2019 \n \n"
        "Lead inspector:  Sam Sample \nHer Majesty’s Inspector \n \n"
        "Judgement Grade \n"
        "The impact of leaders on social work practice with children \nand families Good \n"
        "The experiences and progress of children who need help and \nprotection Requires improvement \n"
        "to be good \n"
        "The experiences and progress of children in care and care \nleavers \nRequires improvement \n"
        "to be good \n"
        "Overall effectiveness Outstanding \n \nServices in Northmoor have improved.\n"
    )
    meta = extract_metadata([front])
    assert meta.local_authority == "Northmoor"
    assert meta.report_type == "ilacs_short"
    assert meta.title == "Inspection of children's social care services"
    assert (meta.inspection_start, meta.inspection_end) == (date(2019, 1, 14), date(2019, 1, 18))
    assert meta.lead_inspector == "Sam Sample"
    # Before 2023 "children in care and care leavers" is one judgement, kept under in_care.
    assert meta.judgements == {
        "overall_effectiveness": "outstanding",
        "impact_of_leaders": "good",
        "help_and_protection": "requires improvement",
        "in_care": "requires improvement",
    }


@pytest.mark.parametrize(("dates", "expected_type", "start", "end"), [
    ("Inspection dates: 1 to 5 July 2024", "ilacs_short", date(2024, 7, 1), date(2024, 7, 5)),
    ("Inspection dates: 1 to 12 July 2024", "ilacs_standard", date(2024, 7, 1), date(2024, 7, 12)),
    ("Inspection dates: 27 November to 1 December 2023", "ilacs_short",
     date(2023, 11, 27), date(2023, 12, 1)),
    # Split inspections: the first stretch on site gives the kind, the last date the end.
    ("Inspection dates: 8 July 2019 to 12 July 2019 and 7 August 2019 to \n8 August 2019",
     "ilacs_short", date(2019, 7, 8), date(2019, 8, 8)),
    ("Inspection dates: 30 September to 11 October 2024 and 13 to 16 January 2025",
     "ilacs_standard", date(2024, 9, 30), date(2025, 1, 16)),
])
def test_short_or_standard_from_the_time_on_site(dates, expected_type, start, end):
    meta = extract_metadata([ilacs_2023_front(dates)])
    assert meta.report_type == expected_type
    assert (meta.inspection_start, meta.inspection_end) == (start, end)


def test_ilacs_2026_framework_has_no_overall_effectiveness():
    front = (
        "Inspection of Westhope City Council local \nauthority children’s services  \n"
        "Inspection dates: 11 May to 22 May 2026 \n"
        "Lead inspector: Jo Placeholder-Smith, His Majesty’s Inspector \n \n"
        "Judgement Grade \n"
        "The impact of leaders on practice with \nchildren and families \nOutstanding \n"
        "The experiences and progress of \nchildren who need help and protection  \nGood \n"
        "The experiences and progress of \nchildren in care \nRequires improvement to be good \n"
        "The experiences and progress of care \nleavers  \nInadequate  \n \n"
        "Services have improved since the inspection in 2023, when overall effectiveness was judged\n"
        "to be inadequate.\n"
    )
    meta = extract_metadata([front])
    assert meta.local_authority == "Westhope"
    assert meta.report_type == "ilacs_2026"
    assert meta.lead_inspector == "Jo Placeholder-Smith"
    assert meta.overall_effectiveness is None
    assert meta.judgements == {
        "impact_of_leaders": "outstanding",
        "help_and_protection": "good",
        "in_care": "requires improvement",
        "care_leavers": "inadequate",
    }


def test_grades_missing_from_the_table_come_from_the_section_headings():
    front = ("Inspection of Fenwick and Dale local \nauthority children’s services  \n"
             "Inspection dates: 6 to 17 March 2023 \nLead inspector: Robin Example, HMI \n"
             "Judgement Grade \nOverall effectiveness Good \n")
    body = ("Inspection of Fenwick and Dale local authority children’s services\n6 to 17 March 2023 2\n"
            "The experiences and progress of children who need help and \nprotection: good \n"
            "1. Invented prose.\nThe experiences and progress of children in care: outstanding \n")
    meta = extract_metadata([front, body])
    assert meta.lead_inspector == "Robin Example"
    assert meta.judgements == {"overall_effectiveness": "good", "help_and_protection": "good",
                               "in_care": "outstanding"}


def test_through_a_generated_pdf(tmp_path):
    pages = read_pages(make_pdf(tmp_path / "avonshire.pdf", sample_report_pages("Avonshire", 2019)))
    meta = extract_metadata(pages)
    assert meta.local_authority == "Avonshire"
    assert meta.report_type == "ilacs_standard"
    assert (meta.inspection_start, meta.inspection_end) == (date(2019, 6, 10), date(2019, 6, 21))
    assert meta.lead_inspector == "Alex Example"
    assert meta.judgements == {"overall_effectiveness": "good", "impact_of_leaders": "good",
                               "help_and_protection": "requires improvement", "in_care": "good"}


# ---------------------------------------------------------------------------
# SIF
# ---------------------------------------------------------------------------

def sif_front(verdict: str, name: str = "London Borough of Eastwick") -> str:
    return (
        f" \n \n 1 \n{name}     \n"
        "Inspection of services for children in need of help and \n"
        "protection, children looked after and care leavers \nand \n"
        "Review of the effectiveness of the Local Safeguarding Children \nBoard1  \n"
        "Inspection date: 24 October 2016 to 17 November 2016 \n"
        "Report published: 24 January 2017 \n \n"
        f"{verdict} \n"
        "Leadership, management and governance require improvement when the characteristics\n"
        "of good leadership are not yet in place. \n"
        "1. Children who need help and protection Inadequate \n"
        "2. Children looked after and achieving \npermanence Good \n \n"
        "2.1 Adoption performance Not judged \n"
        "2.2 Experiences and progress of care leavers Requires improvement \n"
        "3. Leadership, management and governance Outstanding \n \n" + FOOTNOTE
    )


SIF_LSCB_PAGE = ("The Local Safeguarding Children Board (LSCB) \n \n"
                 "The Local Safeguarding Children Board is good \n \nExecutive summary\n")
SIF_TEAM_PAGE = ("The inspection team \nLead inspector: Kim Invented, HMI \n"
                 "Deputy lead inspector: Lee Madeup HMI \n")


@pytest.mark.parametrize(("verdict", "overall"), [
    ("Children’s services in Eastwick require improvement to \nbe good", "requires improvement"),
    ("The overall judgement is that children’s services are inadequate", "inadequate"),
    ("The overall judgement is requires improvement", "requires improvement"),
    ("The overall judgement is that children’s service requires \nimprovement.2", "requires improvement"),
    ("Children’s services in the Eastwick are good.", "good"),
])
def test_sif_inspection(verdict, overall):
    meta = extract_metadata([sif_front(verdict), "Contents\n", "Invented findings.\n", SIF_LSCB_PAGE,
                             SIF_TEAM_PAGE])
    assert meta.local_authority == "Eastwick"
    assert meta.report_type == "sif"
    assert meta.title == ("Inspection of services for children in need of help and protection, children "
                          "looked after and care leavers and Review of the effectiveness of the Local "
                          "Safeguarding Children Board")
    assert (meta.inspection_start, meta.inspection_end) == (date(2016, 10, 24), date(2016, 11, 17))
    assert meta.published == date(2017, 1, 24)
    assert meta.lead_inspector == "Kim Invented"  # not the deputy
    # "Not judged" adoption is left out; the unnumbered prose about leadership is not a grade.
    assert meta.judgements == {
        "overall_effectiveness": overall,
        "help_and_protection": "inadequate",
        "in_care": "good",
        "care_leavers": "requires improvement",
        "leadership": "outstanding",
        "lscb": "good",
    }


def test_other_inspections_named_in_the_prose_do_not_change_the_type():
    sif_page2 = "Contents\nSince the inspection of safeguarding and looked after children in 2012, ...\n"
    meta = extract_metadata([sif_front("The overall judgement is good"), sif_page2])
    assert meta.report_type == "sif"
    assert meta.title.startswith("Inspection of services for children in need")
    ilacs_front = ("Inspection of Fenwick and Dale local \nauthority children’s services  \n"
                   "Inspection dates: 1 to 5 July 2024 \nJudgement Grade \nOverall effectiveness Good \n")
    ilacs_page2 = ("At the last inspection of services for children in need of help and protection,\n"
                   "children looked after and care leavers, in 2016, services were good.\n")
    assert extract_metadata([ilacs_front, ilacs_page2]).report_type == "ilacs_short"


def test_sif_lscb_grade_on_the_front_page():
    lscb = "The effectiveness of the Local Safeguarding Children Board (LSCB) is \nrequires improvement\n"
    front = sif_front("The overall judgement is good").replace(FOOTNOTE, lscb)
    assert extract_metadata([front]).judgements["lscb"] == "requires improvement"


def test_sif_reinspection():
    front = (
        " \n \n 1 \nWesthope Borough Council \n"
        "Re-inspection of services for children in need of help and \n"
        "protection, children looked after and care leavers \n"
        "Inspection date: 3 October to 13 October 2014 \nReport published: 5 December 2014 \n \n"
        "Children’s services in Westhope are good \n"
        "1. Children who need help and protection Good \n"
        "2. Children looked after and achieving permanence Good \n"
        "2.1 Adoption performance Good \n2.2 Experiences and progress of care leavers Good \n"
        "3. Leadership, management and governance Good \n"
    )
    meta = extract_metadata([front])
    assert meta.local_authority == "Westhope"
    assert meta.report_type == "sif_reinspection"
    assert (meta.inspection_start, meta.inspection_end) == (date(2014, 10, 3), date(2014, 10, 13))
    assert meta.published == date(2014, 12, 5)
    assert set(meta.judgements) == {"overall_effectiveness", "help_and_protection", "in_care", "adoption",
                                    "care_leavers", "leadership"}
    assert set(meta.judgements.values()) == {"good"}


@pytest.mark.parametrize(("printed", "display"), [
    ("The Royal Borough of Upper Marsh and \nLowfield", "Upper Marsh and Lowfield"),
    ("City of Fenwick Metropolitan District \nCouncil", "Fenwick"),
    ("St. Aldric Metropolitan Borough \nCouncil", "St. Aldric"),
    ("Bexford City of", "Bexford"),
    ("City of London", "City of London"),
    ("Stoke-on-Marsh City Council", "Stoke-on-Marsh"),
    ("Council of the Isles of Nowhere", "Isles of Nowhere"),
])
def test_sif_authority_display_names(printed, display):
    assert extract_metadata([sif_front("The overall judgement is good", printed)]).local_authority == display


# ---------------------------------------------------------------------------
# Other Ofsted publications: monitoring, focused and assurance visit letters, JTAI letters
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["Monitoring visit", "Focused visit"])
def test_visit_letters_are_other_ofsted_publications(kind):
    meta = extract_metadata(letter_pages("Barking and Dagenham", kind, 2026))
    assert meta.report_type == "other_ofsted"  # never an inspection, though its prose names one
    assert meta.local_authority == "Barking and Dagenham"
    assert meta.title == f"{kind} to Barking and Dagenham children's services"
    assert (meta.inspection_start, meta.inspection_end) == (date(2026, 10, 7), date(2026, 10, 8))
    assert meta.judgements == {} and meta.published is None


def test_jtai_letter_is_an_other_ofsted_publication():
    front = ("Ofsted\nPiccadilly Gate\nManchester M1 2WD\n12 June 2019\nDirector of Children's Services\n"
             "Wigan Council\n"
             "Joint targeted area inspection of the multi-agency response to children's mental health in\nWigan\n"
             "Between 6 and 10 May 2019, Ofsted, the Care Quality Commission, HMI Constabulary and Fire & Rescue\n"
             "Services and HMI Probation undertook a joint inspection of the multi-agency response in Wigan.\n"
             "Wigan partners have a shared commitment to children's mental health in Wigan.\n")
    meta = extract_metadata([front])
    assert meta.report_type == "other_ofsted"
    assert meta.local_authority == "Wigan"
    assert (meta.inspection_start, meta.inspection_end) == (date(2019, 5, 6), date(2019, 5, 10))
    assert meta.judgements == {}


def test_a_report_naming_a_focused_visit_in_its_prose_stays_a_report():
    pages = sample_report_pages("Avonshire", 2019)
    pages[0] = pages[0].replace("receive steadily improving services from a stable team.",
                                "receive better services since the\nfocused visit to the front door in 2018.")
    assert extract_metadata(pages).report_type == "ilacs_standard"


# ---------------------------------------------------------------------------
# 2013 inspections of services for looked-after children
# ---------------------------------------------------------------------------

def test_lac_2013():
    cover = (" \n \nInspection of looked after children \nservices   \nBorsetshire County Council  \n \n"
             "Inspection dates: 8 – 12 July 2013 \nReporting inspector Pat Fictional HMI \n \n"
             "Age group: All \nPublished: 16 August 2013 \n")
    section = ("Borsetshire County Council Inspection of looked after children services \n4 \n"
               "Overall effectiveness of services for looked \nafter children and young people \n"
               "Grade 4 (Inadequate) \n8. The judgement for overall effectiveness is inadequate.\n")
    record = ("Borsetshire County Council Inspection of looked after children services \n21 \n"
              "Record of main findings \nServices for looked after children \n"
              "Overall effectiveness Inadequate Grade 4 \nCapacity to improve Adequate Grade 3 \n"
              "Outcomes for looked after children and \nyoung people \nInadequate Grade 4 \n"
              "Leadership and management Good Grade 2 \n")
    meta = extract_metadata([cover, "Contents\n", section, record])
    assert meta.local_authority == "Borsetshire"
    assert meta.report_type == "lac_2013"
    assert meta.title == "Inspection of looked after children services"
    assert (meta.inspection_start, meta.inspection_end) == (date(2013, 7, 8), date(2013, 7, 12))
    assert meta.published == date(2013, 8, 16)
    assert meta.lead_inspector == "Pat Fictional"
    # "Adequate" (the 2013 grade 3) has no place in GRADES, so capacity to improve is left out.
    assert meta.judgements == {"overall_effectiveness": "inadequate", "leadership": "good"}


# ---------------------------------------------------------------------------
# Dates, keys, odd input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("24 October 2016 to 17 November 2016", [date(2016, 10, 24), date(2016, 11, 17)]),
    ("17 to 28 June 2019", [date(2019, 6, 17), date(2019, 6, 28)]),
    ("8 - 12 July 2013", [date(2013, 7, 8), date(2013, 7, 12)]),
    ("3 October to 13 October 2014", [date(2014, 10, 3), date(2014, 10, 13)]),
    ("19 November-11 December 2013 and 28 - 30 \nJanuary 2014",
     [date(2013, 11, 19), date(2013, 12, 11), date(2014, 1, 28), date(2014, 1, 30)]),
    ("30 December to 3 January 2020", [date(2019, 12, 30), date(2020, 1, 3)]),
    ("12/09/2016 to 06/10/2016", [date(2016, 9, 12), date(2016, 10, 6)]),
    ("9 to 20 June 2025 2", [date(2025, 6, 9), date(2025, 6, 20)]),  # a page number after the range
    ("31 February 2020", []),
    ("no dates here", []),
])
def test_parse_dates(text, expected):
    assert parse_dates(text) == expected


@pytest.mark.parametrize("names", [
    ("Stoke-on-Trent", "stoke on trent", "STOKE ON TRENT", "Stoke-on-Trent City Council"),
    ("Telford & Wrekin", "Telford and Wrekin", "TELFORD AND WREKIN"),
    ("Bournemouth, Christchurch & Poole", "Bournemouth, Christchurch and Poole", "BCP"),
    ("St Helens", "St. Helens", "st helens", "St Helens Metropolitan Borough Council"),
    ("Bristol", "Bristol, City of", "Bristol City Council", "Bristol City of"),
    ("london corporation", "City of London"),
    ("Kingston upon Hull", "Hull", "Hull City Council", "Kingston upon Hull City Council"),
    ("Durham", "County Durham", "Durham County Council"),
    ("Windsor & Maidenhead", "The Royal Borough of Windsor and Maidenhead"),
    ("Barking and Dagenham", "London Borough of Barking and Dagenham"),
    ("east riding of yorkshire", "East Riding"),
    ("newcastle upon tyne", "Newcastle", "Newcastle Upon Tyne"),
    ("Isles of Scilly", "Council of the Isles of Scilly"),
    ("Herefordshire", "Herefordshire, County of"),
])
def test_authority_key_joins_spellings(names):
    assert len({authority_key(name) for name in names}) == 1


@pytest.mark.parametrize(("one", "other"), [
    ("Somerset", "North Somerset"),
    ("Kingston upon Thames", "Kingston upon Hull"),
    ("Bedford", "Central Bedfordshire"),
    ("Leicester", "Leicestershire"),
    ("Westminster", "City of London"),
])
def test_authority_key_keeps_authorities_apart(one, other):
    assert authority_key(one) != authority_key(other)


def test_authority_key_of_nothing():
    assert authority_key("") == ""
    assert authority_key(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("raw_pages", [
    [], [""], [" \n \n"], ["\x00\x01 garbage ###"], None, [None, 5, b"bytes"], "not a list",
    ["Inspection dates: 99 to 98 Smarch 20x9\nLead inspector: \nJudgement Grade\nOverall effectiveness"],
    ["Inspection of \n"], ["%PDF-1.4 " * 5000], ["Inspection date: 31 February 2019 to 30 February 2019"],
])
def test_odd_input_never_raises(raw_pages):
    meta = extract_metadata(raw_pages)
    assert isinstance(meta, ReportMetadata)
    assert meta.report_type in REPORT_TYPES


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("Inspection dates:0123456789 toJuly\nGood–"
                                                       "Lead inspector,judgement grade")) | st.characters(),
                                 max_size=400), max_size=4))
def test_arbitrary_text_never_raises(raw_pages):
    meta = extract_metadata(raw_pages)
    assert meta.report_type in REPORT_TYPES
    assert set(meta.judgements) <= set(JUDGEMENTS)
    assert set(meta.judgements.values()) <= set(GRADES)


# ---------------------------------------------------------------------------
# The real corpus against the manifest
# ---------------------------------------------------------------------------

# Disagreements checked against the PDF text, where the manifest (a third-party scrape) is wrong.
MANIFEST_WRONG = {
    # Grades: the manifest's row does not match the PDF's judgement table.
    ("oxfordshire_2018-05-22.pdf", "in_care"),
    ("rochdale_2018-03-12.pdf", "in_care"),
    ("st-helens_2023-09-04.pdf", "help_and_protection"),
    ("st-helens_2023-09-04.pdf", "in_care"),
    ("st-helens_2023-09-04.pdf", "care_leavers"),
    # Inspected in 2022, before care leavers had a judgement of their own: the PDF has none.
    ("nottingham_2022-09-05.pdf", "care_leavers"),
    ("redcar-and-cleveland_2022-09-22.pdf", "care_leavers"),
    # A SIF re-inspection, not an ILACS inspection.
    ("doncaster_2018-01-19.pdf", "report_type"),
    # Split inspections: the manifest stops at the end of the first stretch on site.
    ("derbyshire_2019-09-19.pdf", "inspection_dates"),
    ("devon_2025-05-13.pdf", "inspection_dates"),
    ("south-tyneside_2023-05-10.pdf", "inspection_dates"),
    # Hyphenated names: the scraper put a space before the hyphen.
    ("oldham_2019-03-04.pdf", "lead_inspector"),
    ("rochdale_2018-03-12.pdf", "lead_inspector"),
    ("trafford_2019-05-08.pdf", "lead_inspector"),
    ("wirral_2019-07-29.pdf", "lead_inspector"),
    ("lambeth_2026-03-10.pdf", "lead_inspector"),
    ("shropshire_2025-08-12.pdf", "lead_inspector"),
    ("southwark_2026-05-18.pdf", "lead_inspector"),
    ("wigan_2025-11-26.pdf", "lead_inspector"),
}
# Manifest values that are not grades: nothing to compare.
NOT_GRADES = {"", "data_unreadable", "not_reported_post_reform", "inspection_pre_dates_judgement"}
GRADE_FIELDS = ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "in_care",
                "care_leavers")


def _read_and_extract(path: str) -> tuple[str, ReportMetadata | None, str]:
    try:
        return Path(path).name, extract_metadata(read_pages(path)), ""
    except Exception as exc:  # report it as a disagreement rather than lose the whole run
        return Path(path).name, None, f"{type(exc).__name__}: {exc}"


def _manifest_grade(value: str) -> str | None:
    value = value.strip().lower()
    if value in NOT_GRADES:
        return None
    if value == "to requires improvement":  # the scraper cut "Requires improvement\nto be good"
        return "requires improvement"
    assert value in GRADES, f"unexpected manifest grade {value!r}"
    return value


def _expected_type(row: dict[str, str]) -> str | None:
    if row["framework"] not in ("standard", "short"):
        return None  # blank for SIF and 2013 reports; one row says "longer than standard"
    if row["overall_effectiveness"] == "not_reported_post_reform":
        return "ilacs_2026"  # the manifest still says standard/short for the 2026 framework
    return f"ilacs_{row['framework']}"


def _compare(row: dict[str, str], meta: ReportMetadata) -> list[tuple[str, object, object]]:
    """(field, manifest value, extracted value) for each field the manifest knows."""
    checks: list[tuple[str, object, object]] = [
        ("authority", authority_key(row["local_authority"]), authority_key(meta.local_authority or "")),
    ]
    if _expected_type(row):
        checks.append(("report_type", _expected_type(row), meta.report_type))
    if row["inspection_start"] and row["inspection_end"]:
        manifest_dates = tuple(datetime.strptime(row[k], "%d/%m/%Y").date()
                               for k in ("inspection_start", "inspection_end"))
        checks.append(("inspection_dates", manifest_dates, (meta.inspection_start, meta.inspection_end)))
    if row["lead_inspector"]:
        checks.append(("lead_inspector", row["lead_inspector"], meta.lead_inspector))
    for field in GRADE_FIELDS:
        grade = _manifest_grade(row[field])
        if grade:
            checks.append((field, grade, meta.judgements.get(field)))
    return checks


def _show(value: object) -> str:
    """Dates as 2019-07-08, date pairs as 2019-07-08..2019-07-12."""
    if isinstance(value, tuple):
        return "..".join(_show(part) for part in value)
    return str(value)


@pytest.mark.corpus
@pytest.mark.timeout(1800)  # 456 reports parsed on 2 cores: about 5 minutes quiet, 15+ on a loaded machine
def test_corpus_against_manifest(reports_dir, manifest_rows):
    rows = {row["file"]: row for row in manifest_rows}
    paths = sorted(str(reports_dir / name) for name in rows)
    with multiprocessing.Pool(2) as pool:
        results = pool.map(_read_and_extract, paths, chunksize=8)

    total: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    disagreements: list[tuple[str, str, object, object, bool]] = []
    types: Counter[str] = Counter()
    for name, meta, error in results:
        if meta is None:
            disagreements.append((name, "read_pages", "", error, False))
            total["authority"] += 1
            continue
        types[meta.report_type] += 1
        for field, expected, got in _compare(rows[name], meta):
            total[field] += 1
            if expected == got:
                agree[field] += 1
            else:
                disagreements.append((name, field, expected, got, (name, field) in MANIFEST_WRONG))

    print(f"\nreport types: {dict(sorted(types.items()))}")
    print(f"{'field':22} agree/compared   (counting checked manifest errors as right)")
    for field in total:
        wrong = sum(1 for d in disagreements if d[1] == field and d[4])
        print(f"{field:22} {agree[field]:3}/{total[field]:3} = {agree[field] / total[field]:6.1%}"
              f"   ({(agree[field] + wrong) / total[field]:6.1%})")
    print("disagreements (file, field, manifest, extracted):")
    for name, field, expected, got, known in disagreements:
        print(f"  {name:45} {field:20} {_show(expected):40} {_show(got)}  "
              f"[{'manifest wrong, checked' if known else 'UNEXPLAINED'}]")

    def rate(*fields: str) -> float:
        return sum(agree[f] for f in fields) / max(1, sum(total[f] for f in fields))

    assert total["authority"] == len(rows)
    assert rate("authority") >= 0.97
    assert rate("inspection_dates") >= 0.95
    assert rate(*GRADE_FIELDS) >= 0.95
    for field in GRADE_FIELDS:
        assert rate(field) >= 0.95, field



# ---------------------------------------------------------------------------
# Authorities: the registry's one name, however the report prints it
# ---------------------------------------------------------------------------

def ilacs_2018_front(name_line: str) -> str:
    """The 2018-20 layout: the authority's name on a line of its own above the title."""
    return (f" \n1 \n \n{name_line} \n \nInspection of children’s social care services \n \n"
            "Inspection dates: 8 October 2018 to 19 October 2018 \n \nLead inspector:  Sam Sample \n"
            "Her Majesty’s Inspector \n \nJudgement Grade \nOverall effectiveness Good \n")


def ilacs_2020_front(name: str) -> str:
    """The layout from 2020: the name inside the title, which wraps."""
    return (f" \nInspection of {name} local \nauthority children’s services  \n"
            "Inspection dates: 6 to 17 March 2023 \nLead inspector: Robin Example, His Majesty’s Inspector \n"
            "Judgement Grade \nOverall effectiveness Good \n")


@pytest.mark.parametrize(("front", "canonical"), [
    (ilacs_2018_front("wigan metropolitan borough"), "Wigan"),
    (ilacs_2018_front("WIGAN METROPOLITAN BOROUGH COUNCIL"), "Wigan"),
    (ilacs_2018_front("Wigan Council"), "Wigan"),
    (ilacs_2018_front("Wigan"), "Wigan"),
    (ilacs_2020_front("wigan metropolitan borough"), "Wigan"),
    (ilacs_2020_front("Wigan Council’s"), "Wigan"),
    (ilacs_2018_front("City of York Council"), "York"),
    (ilacs_2020_front("City of York"), "York"),
    (ilacs_2018_front("Leeds City Council"), "Leeds"),
    (ilacs_2018_front("Bristol, City of"), "Bristol"),
    (ilacs_2018_front("the Royal Borough of Windsor and Maidenhead"), "Windsor and Maidenhead"),
    (ilacs_2020_front("the Royal Borough of Windsor and Maidenhead"), "Windsor and Maidenhead"),
    (ilacs_2018_front("Hartlepool Borough Council"), "Hartlepool"),
    (ilacs_2020_front("London Borough of Barking and Dagenham"), "Barking and Dagenham"),
    (ilacs_2020_front("Telford & Wrekin"), "Telford and Wrekin"),
    (sif_front("The overall judgement is good", "St. Helens Metropolitan Borough \nCouncil"), "St Helens"),
])
def test_printed_titles_give_the_registry_name(front, canonical):
    assert extract_metadata([front]).local_authority == canonical


def test_three_spellings_give_one_display_name_and_one_key():
    printed = ["Newcastle", "Newcastle upon Tyne City Council", "NEWCASTLE UPON TYNE"]
    names = {extract_metadata([ilacs_2018_front(p)]).local_authority for p in printed}
    assert names == {"Newcastle upon Tyne"}
    assert len({authority_key(p) for p in printed} | {authority_key("Newcastle upon Tyne")}) == 1


def test_a_name_the_registry_does_not_know_is_kept_as_printed():
    assert extract_metadata([ilacs_2020_front("Wessex")]).local_authority == "Wessex"
    # A registry name inside it is not enough when the rest is a place name too.
    assert extract_metadata([ilacs_2018_front("Stoke-on-Marsh City Council")]).local_authority == "Stoke-on-Marsh"
    # Prose naming a real authority now and then does not overrule the title.
    body = "Children placed in Bristol are visited regularly.\n"
    assert extract_metadata([ilacs_2020_front("Avonshire"), body]).local_authority == "Avonshire"


def test_a_misprinted_title_gives_way_to_the_authority_the_text_names_often():
    body = ("Children in Buckinghamshire are safer than at the last inspection. Leaders in Buckinghamshire\n"
            "have invested in early help, and partners across Buckinghamshire share information well.\n")
    front = ilacs_2020_front("Buckingham County Council")
    assert extract_metadata([front, body]).local_authority == "Buckinghamshire"


SIF_BODY = ("Executive summary\nChildren’s services in Wigan require improvement to be good. Leaders have\n"
            "a clear plan, and children in Wigan are seen promptly.\n")
ADDRESS_PAGE = "Piccadilly Gate\nStore Street\nManchester\nM1 2WD\nThe National Archives, Kew, London TW9 4DU\n"


@pytest.mark.parametrize(("pages", "canonical"), [
    # A blank cover, then the front page.
    (["", ilacs_2018_front("Wigan Council")], "Wigan"),
    # Nothing on page 1; a running header names the authority on the later pages.
    (["", "Inspection of Wigan local authority children’s services\n6 to 17 March 2023 2\nWhat needs to "
          "improve?\n", "Inspection of Wigan local authority children’s services\n6 to 17 March 2023 3\n"],
     "Wigan"),
    # A safeguarding board review whose first page carries no text.
    (["", "Review of the effectiveness of the Local Safeguarding Children Board\nWigan Safeguarding "
          "Children Board\nInspection date: 24 October 2016 to 17 November 2016\n", SIF_BODY], "Wigan"),
    # "<Name> Council" on its own line.
    (["", "Contents\n", "The local authority\nWigan Council\nInformation about this area\n"], "Wigan"),
    # Only the prose names it (once here, twice there); Ofsted's address is not the subject.
    (["", SIF_BODY, ADDRESS_PAGE], "Wigan"),
    # "London" alone is the capital, not the City of London.
    (["", "Some children live in North London, in a London Borough.\n" + SIF_BODY], "Wigan"),
])
def test_authority_from_the_first_pages_when_page_one_names_none(pages, canonical):
    assert extract_metadata(pages).local_authority == canonical


@pytest.mark.parametrize("pages", [
    ["", "Contents\n", ADDRESS_PAGE],  # only an address
    ["", "Children in Wigan and in Bolton are seen promptly.\n"],  # two authorities, neither leads
    # The title read wrongly gives council words only: no name.
    ["Inspection of local authority\nchildren’s services\nInspection dates: 6 to 17 March 2023\n"],
])
def test_no_authority_when_the_text_names_none_clearly(pages):
    assert extract_metadata(pages).local_authority is None
