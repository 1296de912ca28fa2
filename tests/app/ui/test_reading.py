"""The question's reading shown and undone: chips, the address's `ignore=`, the API's reading as data.

Until the searcher produces readings on its own, tests/app/reading_sample.py's wrapper around the sample
index gives each response readings as the contract (index.search.types.Reading) describes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlencode

import gradio as gr
import pytest

from app import ui
from app.ui.reading import (
    authority_suggestions,
    chips_html,
    ignore_text,
    parse_ignore,
    reading_action,
    reading_data,
)
from index.search import READING_KINDS, QueryError
from ingest.authorities import default_registry
from tests.app.reading_sample import QUESTION, READ, reading_sample_index
from tests.app.ui.test_page import RunningApp, client_for

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


def _actions(page: str) -> list[dict]:
    return [json.loads(a.replace("&quot;", '"')) for a in re.findall(r'data-reading="([^"]*)"', page)]


# -- chips ----------------------------------------------------------------------------------------


def test_each_effect_is_a_chip_in_the_users_words_with_its_undo():
    reading = reading_data(READ) + [
        {"kind": "authority", "effect": "asked", "label": "did you mean Worcestershire or Warwickshire?",
         "values": ["Worcestershire", "Warwickshire"]},
        {"kind": "grade", "effect": "ignored", "label": "graded good for care leavers", "values": ["good"]},
    ]
    page = chips_html(reading, ["grade"])
    assert 'role="group" aria-label="How the question was read"' in page
    for label in ("only Wessex", "favouring 2015", "leavres read as leavers", "graded good for care leavers"):
        assert f'<span class="oq-chip-label">{label}</span>' in page
    assert 'aria-label="Remove “only Wessex” and search again without it"' in page
    assert 'aria-label="Put back: graded good for care leavers"' in page
    assert 'aria-label="Search again with Warwickshire"' in page
    assert "oq-chip-favoured" in page and "oq-chip-corrected" in page and "oq-chip-asked" in page
    # Removing a chip adds its kind to what is already not applied; putting one back takes it away; a
    # candidate sets that filter. The asked chip's words stay in order around its buttons.
    assert _actions(page) == [{"ignore": ["authority", "grade"]}, {"ignore": ["year", "grade"]},
                              {"ignore": ["grade", "spelling"]}, {"authority": "Worcestershire"},
                              {"authority": "Warwickshire"}, {"ignore": []}]
    text = re.sub(r"<[^>]+>", "", page)
    assert "did you mean Worcestershire or Warwickshire?" in text


def test_chips_escape_their_words_and_a_favoured_label_says_it_favours():
    page = chips_html([{"kind": "section", "effect": "favoured", "label": "<b>recommendations</b>", "values": []}])
    assert "<b>" not in page and "favouring &lt;b&gt;recommendations&lt;/b&gt;" in page


def test_the_text_alone_is_said_and_can_be_put_back_and_nothing_read_shows_nothing():
    assert chips_html([]) == "" and chips_html(None, []) == ""
    page = chips_html([{"kind": "authority", "effect": "ignored", "label": "only Wessex", "values": ["Wessex"]}],
                      ["all"])
    assert "your words alone" in page
    # Under "all", putting one kind back leaves every other kind unapplied.
    assert _actions(page) == [{"ignore": []}, {"ignore": [k for k in READING_KINDS if k != "authority"]}]


def test_a_candidate_of_a_kind_with_no_filter_is_words_not_a_button():
    page = chips_html([{"kind": "spelling", "effect": "asked", "label": "did you mean placement or placing?",
                        "values": ["placement", "placing"]}])
    assert "did you mean placement or placing?" in page and "data-reading" not in page


def test_ignore_is_read_from_the_address_or_a_list_in_one_order_and_a_bad_kind_lists_the_valid_ones():
    assert parse_ignore("grade, authority") == ["authority", "grade"]
    assert parse_ignore(["Spelling", "all"]) == ["all", "spelling"]
    assert parse_ignore(None) == [] and parse_ignore("") == [] and ignore_text([]) == ""
    assert ignore_text(["year", "authority", "year"]) == "authority,year"
    with pytest.raises(QueryError, match="unknown reading 'colour'; valid: all, authority, region"):
        parse_ignore("colour,grade")
    assert reading_action('{"ignore": ["grade"]}') == {"ignore": ["grade"]}
    assert reading_action("not json") == {} and reading_action("[1]") == {} and reading_action(None) == {}


def test_authority_suggestions_are_close_names_and_prefer_the_registrys_own():
    assert authority_suggestions(default_registry(), "Worcestshire")[0] == "Worcestershire"
    assert authority_suggestions(default_registry(), "Zzzzqqq") == []
    calls = []

    def suggestions(name: str, n: int = 3) -> list[str]:
        calls.append((name, n))
        return ["A", "B", "C", "D"]

    registry = SimpleNamespace(suggestions=suggestions, close_names=lambda name, n=3: ["never"])
    assert authority_suggestions(registry, "Worcs", n=2) == ["A", "B"] and calls == [("Worcs", 2)]


# -- the page and the API over a searcher that reads -----------------------------------------------


@pytest.fixture(scope="module")
def reading_index(tmp_path_factory) -> Iterator:
    index = reading_sample_index(tmp_path_factory.mktemp("reading"))
    yield index
    index.close()


def _authorities(payload: dict) -> set[str]:
    return {r["citation"]["local_authority"] for r in payload["results"]}


def test_a_search_gives_its_reading_as_data_and_a_removed_chip_searches_without_it(reading_index):
    app = ui._App(reading_index, None)
    payload = app.search(QUESTION, [], None, None, [], [], 8)
    assert payload["reading"][0] == {"kind": "authority", "effect": "narrowed", "label": "only Wessex",
                                     "values": ["Wessex"]}
    assert payload["ignore"] == [] and _authorities(payload) == {"Wessex"}
    page = app.show(payload, ui.VIEW_RANKED, [], None, None, [], [])[0]
    assert page.index('class="oq-reading"') < page.index('class="oq-card"')  # chips above the results

    remove = json.dumps(_actions(page)[0])
    again, ignore, authority, region, neighbours = app.reread(remove, QUESTION, [], None, None, [], [], 8, None,
                                                              [], False, None, None, False, "")
    assert reading_index.seen[-1].ignore_reading == frozenset({"authority"})
    assert ignore == "authority" and again["ignore"] == ["authority"]
    assert len(_authorities(again)) > 1  # every council again
    assert again["reading"][0]["effect"] == "ignored"
    page = app.show(again, ui.VIEW_RANKED, [], None, None, [], [])[0]
    assert {"ignore": []} in _actions(page)  # "put back"
    # The other views search with the same kinds not applied.
    compare = app.show(again, ui.VIEW_COMPARE, [], None, None, [], [])[0]
    assert reading_index.seen[-1].ignore_reading == frozenset({"authority"}) and "oq-compare" in compare


def test_a_did_you_mean_candidate_sets_the_authority_filter(reading_index):
    app = ui._App(reading_index, None)
    payload, ignore, authority, region, neighbours = app.reread(
        json.dumps({"authority": "Avonshire"}), "care leavers", [], None, None, [], [], 8, None, [], False, None,
        None, False, "year")
    assert authority == ["Avonshire"] and ignore == "year"  # what was not applied stays so
    assert reading_index.seen[-1].authorities == ["Avonshire"]
    assert isinstance(region, type(gr.skip())) and isinstance(neighbours, type(gr.skip()))


def _link(query: str):
    from starlette.datastructures import QueryParams

    return SimpleNamespace(query_params=QueryParams(query))


def test_the_address_keeps_what_is_not_applied_and_a_bad_kind_is_said(reading_index):
    app = ui._App(reading_index, None)
    names = list(ui.LINK_PARAMETERS)
    values = app.from_link(_link(urlencode([("q", QUESTION), ("ignore", "grade,authority")])))
    assert values[names.index("ignore")] == "authority,grade"
    values = app.from_link(_link(urlencode([("q", QUESTION), ("ignore", "colour")])))
    assert values[names.index("ignore")] == "" and "ignore=colour (valid: all, authority" in values[-2]
    payload = app.search_from_link(QUESTION, [], None, None, [], [], 8, None, [], False, None, None, False,
                                   "authority,grade")
    assert payload["ignore"] == ["authority", "grade"]


def test_search_filtered_takes_ignore_reading_and_search_is_unchanged(reading_index):
    with RunningApp(ui.create_app(reading_index)) as running:
        client = client_for(running.url)
        args = (QUESTION, [], None, None, [], [], 5, None, [], False, None, None, False)
        data = client.predict(*args, ["authority"], api_name="/search_filtered")
        assert data["ok"] and data["ignore"] == ["authority"]
        assert [(r["kind"], r["effect"]) for r in data["reading"]] == [
            ("authority", "ignored"), ("year", "favoured"), ("spelling", "corrected")]
        narrowed = client.predict(*args, [], api_name="/search_filtered")
        assert narrowed["reading"][0]["effect"] == "narrowed" and _authorities(narrowed) == {"Wessex"}
        bad = client.predict(*args, ["colour"], api_name="/search_filtered")
        assert bad["ok"] is False and "valid: all, authority" in bad["message"]
        plain = client.predict(QUESTION, [], None, None, [], [], 5, api_name="/search")
        assert sorted(plain) == ["interpretation", "message", "ok", "query", "results"]


def test_searching_the_same_question_again_keeps_what_is_not_applied_and_a_new_one_is_read_afresh(reading_index):
    app = ui._App(reading_index, None)
    rest = ([], None, None, [], [], 8, None, [], False, None, None, False)
    shown = app.search(QUESTION, *rest, "authority")
    payload, _, ignore = app.search_page(f"  {QUESTION} ", *rest, "authority", shown)  # spacing aside, the same
    assert ignore == "authority" and payload["ignore"] == ["authority"]
    payload, _, ignore = app.search_page("return home interviews", *rest, "authority", shown)
    assert ignore == "" and payload["ignore"] == [] and reading_index.seen[-1].ignore_reading == frozenset()
    assert app.search_page(QUESTION, *rest, "authority", None)[2] == ""  # nothing shown yet
