"""report_table.py: the reports as arrays answer exactly as the per-report rules they replace do."""

from __future__ import annotations

import random

import numpy as np
import pytest

from index.search.latest import latest_of_each
from index.search.report_table import ReportTable
from index.search.scope import grade_of, year_matches
from index.store import DocumentRow
from ingest.models import OTHER_PUBLICATION

AUTHORITIES = ("kent", "leeds", "york", "wigan", None, "")
GRADES = ("good", "outstanding", "requires improvement", "inadequate", None)


def _date(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    return f"{rng.randint(2012, 2026)}-{rng.randint(1, 12):02d}-{rng.choice((1, 15, 28)):02d}"


def _reports(seed: int, n: int = 300) -> dict[int, DocumentRow]:
    rng = random.Random(seed)
    ids = rng.sample(range(1, 5 * n), n)  # not in id order: the table keeps the dict's order
    docs = {}
    for i in ids:
        key = rng.choice(AUTHORITIES)
        judgements = {j: g for j in ("help_and_protection", "in_care", "care_leavers") if (g := rng.choice(GRADES))}
        docs[i] = DocumentRow(
            id=i, sha256=f"{i:064x}", local_authority=key, authority_key=key,
            report_type=rng.choice(("ilacs_standard", "ilacs_short", OTHER_PUBLICATION)), title=None,
            inspection_start=_date(rng), inspection_end=_date(rng), published=_date(rng), published_source=None,
            lead_inspector=None, overall_grade=rng.choice(GRADES), judgements=judgements, n_pages=1)
    return docs


@pytest.mark.parametrize("seed", range(5))
def test_the_table_answers_as_the_per_report_rules(seed):
    docs = _reports(seed)
    table = ReportTable(docs)
    rng = random.Random(seed)
    assert table.ids.tolist() == list(docs) and len(table) == len(docs)
    for first, last in ((2015, 2019), (2020, None), (2012, 2012), (2030, 2031)):
        assert table.ids_where(table.in_years(first, last)) == [d for d in docs if year_matches(docs[d], first, last)]
    for keys in ({"kent"}, {"leeds", "york"}, {"nowhere"}, set()):
        assert table.ids_where(table.of_authorities(keys)) == [d for d in docs if docs[d].authority_key in keys]
    wanted = ("good", "outstanding")
    assert table.ids_where(table.where("grade:care_leavers", lambda d: grade_of(d, "care_leavers"), wanted)) == \
        [d for d in docs if grade_of(docs[d], "care_leavers") in wanted]
    for share in (1.0, 0.5, 0.1, 0.0):
        pool = [d for d in docs if rng.random() < share]
        assert table.latest_of_each(table.mask_of(pool)) == latest_of_each(docs, pool)
    assert table.rows_of([list(docs)[5], 10**9, list(docs)[2]]).tolist() == [5, 2]  # unknown ids dropped


def test_ties_go_to_the_first_report_as_latest_of_each_has_it():
    docs = _reports(0, n=40)
    for d in docs.values():  # every report of an authority equal in rank
        d.published, d.report_type = "2020-01-01", "ilacs_standard"
    table = ReportTable(docs)
    assert table.latest_of_each(np.ones(len(table), dtype=bool)) == latest_of_each(docs, list(docs))


def test_an_empty_index_has_an_empty_table():
    table = ReportTable({})
    assert len(table) == 0 and table.latest_of_each(np.zeros(0, dtype=bool)) == []
    assert table.ids_where(table.in_years(2019)) == []
