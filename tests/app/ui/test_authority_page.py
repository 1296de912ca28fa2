"""The authority page: every report of one authority with its judgements, and its neighbours' latest."""

from __future__ import annotations

import dataclasses
import re

import pytest

from app.ui.authority_page import NO_OVERALL_2026, authority_profile, render_authority
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from ingest.authorities import default_registry
from tests.index.helpers import make_report

# Gradio's queue (not this project) trips pandas 3 deprecation warnings on every event.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(make_report("Liverpool", ["Liverpool 2019: help and protection."], year=2019, overall="inadequate"))
    later = make_report("Liverpool", ["Liverpool 2026: help and protection."], year=2026,
                        report_type="ilacs_2026", overall=None)
    meta = dataclasses.replace(later.metadata, judgements={"care_leavers": "good", "help_and_protection": "good"})
    idx.upsert(dataclasses.replace(later, metadata=meta))
    neighbour = default_registry().neighbours("Liverpool")[0]
    idx.upsert(make_report(neighbour.name, ["A neighbour's report."], year=2022, overall="good"))
    yield idx, neighbour.name
    idx.close()


def test_every_report_on_a_timeline_with_its_judgements(index):
    idx, _ = index
    profile = authority_profile(idx, "liverpool")
    assert profile.name == "Liverpool" and profile.region == "North West"
    assert [r.date[:4] for r in profile.reports] == ["2019", "2026"]  # oldest first
    first, last = profile.reports
    assert first.judgements["overall_effectiveness"] == "inadequate"
    # The 2026 framework gives no overall grade: said so, not left blank.
    assert last.judgements["overall_effectiveness"] == NO_OVERALL_2026
    assert last.judgements["care_leavers"] == "good"
    page = render_authority(profile)
    assert "oq-grade-inadequate" in page and "No overall grade (2026 framework)" in page


def test_neighbours_latest_grades_closest_first(index):
    idx, neighbour = index
    profile = authority_profile(idx, "Liverpool")
    assert len(profile.neighbours) == 10 and profile.neighbours[0].name == neighbour
    assert profile.neighbours[0].latest_overall == "good"
    assert profile.neighbours[1].latest_date is None  # not in this index
    assert "not in this index" in render_authority(profile)


def test_an_unknown_authority_suggests_names(index):
    idx, _ = index
    with pytest.raises(ValueError, match="did you mean Liverpool"):
        authority_profile(idx, "Liverpol")


def test_the_authority_page_through_the_api(index):
    from gradio_client import Client

    from app import ui
    from tests.app.ui.test_page import RunningApp

    idx, neighbour = index
    with RunningApp(ui.create_app(idx)) as app:
        client = Client(app.url, verbose=False)
        page = client.predict("liverpool", api_name="/authority")
        assert page["ok"] and page["name"] == "Liverpool" and len(page["reports"]) == 2
        assert page["reports"][1]["judgements"]["overall_effectiveness"] == NO_OVERALL_2026
        assert page["neighbours"][0]["name"] == neighbour and page["neighbours"][0]["latest_overall"] == "good"
        bad = client.predict("Atlantis", api_name="/authority")
        assert not bad["ok"] and "not a local authority" in bad["message"]


def test_the_tab_shows_the_authority_its_address_names(index):
    from types import SimpleNamespace

    import gradio as gr
    from starlette.datastructures import QueryParams

    from app.ui.authority_page import AuthorityPage

    idx, _ = index
    page = AuthorityPage(idx, idx.directory)
    assert page.from_link(SimpleNamespace(query_params=QueryParams("la=Liverpool&tab=authority"))) == "Liverpool"
    assert page.from_link(SimpleNamespace(query_params=QueryParams("q=care"))) == gr.skip()
    assert "<h2>Liverpool</h2>" in page.show("Liverpool")
    assert "No authority called “Atlantis”" in page.show("Atlantis") and page.show(None) == ""
    assert page.authority_api("Atlantis")["ok"] is False and page.authority_api("Liverpool")["ok"] is True


def test_the_tab_answers_a_name_that_is_no_authority_with_the_closest_as_links(index):
    from app.ui.authority_page import AuthorityPage

    idx, _ = index
    page = AuthorityPage(idx, None).show("Worcestshire")
    assert "No authority called “Worcestshire”; did you mean " in page and page.rstrip().endswith("?</div>")
    links = re.findall(r'<a href="([^"]+)" data-authority="([^"]+)"', page)
    assert links and links[0] == ("?tab=authority&amp;la=Worcestershire", "Worcestershire") and len(links) <= 3
    assert " or " in page if len(links) > 1 else True
    nothing = AuthorityPage(idx, None).show("Qqqqzzzz")
    assert "nor one with a name close to it" in nothing and "<a " not in nothing
    assert "Liverpool" in AuthorityPage(idx, None).show("liverpool")  # a real name still opens its page
    answer = AuthorityPage(idx, None).authority_api("Liverpol")
    assert answer["ok"] is False and answer["suggestions"][0] == "Liverpool"
