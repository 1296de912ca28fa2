"""The Themes and "Was it fixed?" tabs' data, HTML and API endpoints."""

from __future__ import annotations

import pytest
from gradio_client import Client

from app import ui
from app.ui.recommendations_page import (
    followup_payload,
    render_followup,
    render_themes,
    themes_frame,
    themes_payload,
)
from tests.app.ui.recommendations_sample import build_recommendations_index
from tests.app.ui.test_page import RunningApp

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    idx = build_recommendations_index(tmp_path_factory.mktemp("recs"))
    yield idx
    idx.close()


def test_themes_payload_counts_every_report_or_the_chosen_ones(index):
    everyone = themes_payload(index)
    assert everyone["ok"] and everyone["n_points"] == 5 and everyone["n_reports"] == 3
    frame = themes_frame(everyone)
    assert list(frame.columns) == ["theme", "recommendations"] and frame["recommendations"].sum() == 5
    mine = themes_payload(index, ["Avonshire"])
    assert mine["n_points"] == 3 and mine["scope"] == ["Avonshire"]
    page = render_themes(mine)
    assert "3 recommendations from 2 reports (Avonshire)" in page and "/pdf/" in page
    assert "Return home interviews for children who go missing from home or care." in page


def test_a_chosen_scope_gives_each_themes_share_of_its_own_recommendations(index):
    everyone, mine = themes_payload(index), themes_payload(index, ["Avonshire"])
    page = render_themes(mine)
    for theme in mine["themes"]:
        if theme["count"]:
            within = f"{theme['count'] / mine['n_points']:.0%} of these 3; {theme['share_all']:.0%} across every report"
            assert within in page
    assert "of all recommendations" not in page  # that is every report's share, never the scope's
    assert "of these" not in render_themes(everyone) and "of all recommendations" in render_themes(everyone)


def test_bad_authorities_are_a_message_not_a_traceback(index):
    bad = themes_payload(index, None, "Atlantis")
    assert not bad["ok"] and "is not a local authority" in bad["message"]
    assert "oq-notice" in render_themes(bad)
    assert not themes_payload(None)["ok"]
    missing = followup_payload(index, "Nowhere")
    assert not missing["ok"] and "Nowhere" in missing["message"]
    assert not followup_payload(index, "")["ok"]


def test_followup_payload_pairs_a_report_with_the_next(index):
    data = followup_payload(index, "avonshire")
    assert data["ok"] and data["authority"] == "Avonshire" and len(data["pairs"]) == 1
    points = data["pairs"][0]["points"]
    assert [p["point"]["text"] for p in points] == [
        "Return home interviews for children who go missing from home or care.",
        "The regularity and quality of supervision and management oversight."]
    assert all(len(p["closest"]) == 2 and "2022" in p["closest"][0]["citation_line"] for p in points)
    page = render_followup(data)
    assert "Recommended" in page and "Next report, closest passages" in page
    single = followup_payload(index, "Wessex")
    assert single["ok"] and "no next report" in single["message"]


def test_the_api_serves_themes_and_followup(index):
    with RunningApp(ui.create_app(index)) as app:
        client = Client(app.url, verbose=False)
        themes = client.predict(["Wessex"], None, 2, api_name="/themes")
        assert themes["ok"] and themes["n_points"] == 2
        followed = client.predict("Avonshire", 1, api_name="/followup")
        assert followed["ok"] and len(followed["pairs"][0]["points"][0]["closest"]) == 1
        recs = client.predict("supervision", None, None, None, None, None, 5, None, None, False, None, None, True,
                              api_name="/search_filtered")
        assert recs["ok"] and {r["citation"]["section"] for r in recs["results"]} == {"What needs to improve?"}


def test_was_it_fixed_shows_one_report_or_every_report(index):
    from app.ui.recommendations_page import EVERY_REPORT, RecommendationsPages

    pages = RecommendationsPages(index)
    choice, page = pages.show_followup("Avonshire")
    earlier = followup_payload(index, "Avonshire")["pairs"][0]["earlier"]
    assert choice.choices == [(EVERY_REPORT, EVERY_REPORT), (earlier, earlier)] and choice.value == EVERY_REPORT
    assert page.count('class="oq-pair"') == 1
    choice, page = pages.show_followup("Avonshire", earlier)
    assert choice.value == earlier and page.count('class="oq-pair"') == 1
    choice, page = pages.show_followup("Wessex", earlier)  # another authority's report: every report instead
    assert choice.value == EVERY_REPORT and choice.choices == [(EVERY_REPORT, EVERY_REPORT)]


def test_the_tabs_reopen_what_their_address_names(index):
    from types import SimpleNamespace

    import gradio as gr
    from starlette.datastructures import QueryParams

    from app.ui.recommendations_page import EVERY_REPORT, RecommendationsPages

    def link(query: str):
        return RecommendationsPages(index).from_link(SimpleNamespace(query_params=QueryParams(query)))

    chosen, neighbours, examples, plot, cards, data, fixed, report = link("scope=Wessex&examples=1&fixed=Avonshire")
    assert (chosen, neighbours, examples, fixed, report) == (["Wessex"], None, 1, "Avonshire", EVERY_REPORT)
    assert "2 recommendations from 1 report (Wessex)" in cards and data["n_points"] == 2
    assert all(len(theme["examples"]) <= 1 for theme in data["themes"])
    assert link("examples=lots")[2] == 3  # not a number: the default
    assert all(value == gr.skip() for value in link("q=care"))  # nothing of theirs: left alone
