"""What a file name says: the corpus's, Ofsted's and users' own names."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.file_names import authority_from_file_name, date_from_file_name


@pytest.mark.parametrize(("name", "expected"), [
    ("barking-and-dagenham_2019-04-01.pdf", date(2019, 4, 1)),
    ("/some/folder/st-helens_2023-09-04.pdf", date(2023, 9, 4)),
    ("children's services inspection - 09 may 2025.pdf", date(2025, 5, 9)),
    ("children’s services inspection - 9 May 2025 (1).pdf", date(2025, 5, 9)),  # a second download
    ("Wigan 12th_March_2024.pdf", date(2024, 3, 12)),
    ("2019-07-29.pdf", date(2019, 7, 29)),
    ("north-somerset_2019-02-30.pdf", None),  # no such day
    ("report 12 bogus 2025.pdf", None),
    ("wigan_2019.pdf", None),
    ("inspection 2019-07-29 final.pdf", None),  # not at the end
])
def test_date_from_file_name(name, expected):
    assert date_from_file_name(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("barking-and-dagenham_2019-04-01.pdf", "Barking and Dagenham"),
    ("st-helens_2023-09-04.pdf", "St Helens"),
    ("stoke-on-trent_2021-01-01.pdf", "Stoke-on-Trent"),
    ("Wigan ILACS report.pdf", "Wigan"),
    ("City of York Council 12th March 2024.pdf", "York"),
    ("reading.pdf", "Reading"),
    ("children's services inspection - 09 may 2025.pdf", None),  # Ofsted's names carry no authority
    ("my reading notes.pdf", None),  # an everyday word, not the authority
    ("wigan and bolton compared.pdf", None),  # two authorities
    ("report.pdf", None),
    ("wessex_2019-07-29.pdf", None),
])
def test_authority_from_file_name(name, expected):
    found = authority_from_file_name(name)
    assert (found.name if found else None) == expected
