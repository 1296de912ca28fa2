"""The recommendations tabs: "Themes" (what reports most often say must improve, for every report or
chosen authorities and their neighbours) and "Was it fixed?" (each recommendation of a report beside
the closest passages of the authority's next report). Each tab builds its own part of the page and
registers its own events; the data come from index/themes.py and index/followup.py, verbatim."""

from __future__ import annotations

import html
import logging
from typing import Any

import gradio as gr
import pandas as pd

from app.ui.address import LinkValues, keep_js
from app.ui.render import notice_html, passage_html
from index.followup import follow_up
from index.report_index import ReportIndex
from index.search import QueryError
from index.themes import ThemePoint, ThemesView, share_label, theme_overview

log = logging.getLogger(__name__)

PLOT_COLUMNS = ("theme", "recommendations")


def themes_payload(index: ReportIndex | None, authorities: Any = None, neighbours_of: str | None = None,
                   examples: int = 3) -> dict:
    """The themes view as JSON (the `/themes` endpoint): {"ok", "message", "scope", "n_points",
    "n_reports", "about", "themes": [{label, words, count, reports, share_all, by_year, by_framework,
    by_grade, examples: [{text, citation, pdf_link, ...}]}]}. Every mistake is {"ok": false, "message"}."""
    if index is None:
        return {"ok": False, "message": "no index: ingest reports first", "themes": []}
    names = [authorities] if isinstance(authorities, str) else list(authorities or [])
    try:
        view = theme_overview(index.searcher, [n for n in names if n], neighbours_of or None,
                              max(1, min(10, int(examples or 3))))
    except (QueryError, ValueError) as exc:
        return {"ok": False, "message": str(exc), "themes": []}
    return _view_dict(view)


def _view_dict(view: ThemesView) -> dict:
    return {
        "ok": not view.message or bool(view.themes), "message": view.message, "scope": view.scope,
        "n_points": view.n_points, "n_reports": view.n_reports, "about": view.about,
        "themes": [
            {"theme": t.theme, "label": t.label, "words": t.words, "count": t.count, "reports": t.reports,
             "share_all": t.share_all, "by_year": t.by_year, "by_framework": t.by_framework,
             "by_grade": t.by_grade, "examples": [_point_dict(p) for p in t.examples]}
            for t in view.themes
        ],
    }


def _point_dict(point: ThemePoint) -> dict:
    return {"text": point.text, "citation": point.citation_label(), "local_authority": point.local_authority,
            "published": point.published, "file": point.file, "page": point.page_start,
            "paragraph": point.paragraph, "section": point.section,
            "pdf_link": f"/pdf/{point.doc_id}#page={point.page_start}"}


def themes_frame(payload: dict) -> pd.DataFrame:
    """Recommendations per theme, most first, for the bar chart."""
    rows = [(t["label"], t["count"]) for t in payload.get("themes", []) if t["count"]]
    return pd.DataFrame(rows, columns=list(PLOT_COLUMNS))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _counts_html(title: str, counts: dict[str, int]) -> str:
    cells = "".join(f"<span>{html.escape(str(k))} <b>{v}</b></span>" for k, v in counts.items())
    return f'<div class="oq-counts"><span class="oq-counts-title">{html.escape(title)}</span>{cells}</div>'


def _point_html(point: dict) -> str:
    return (f'<li><blockquote class="oq-passage">{html.escape(point["text"])}</blockquote>'
            f'<div class="oq-cite-rest">{html.escape(point["citation"])} · '
            f'<a href="{html.escape(point["pdf_link"])}" target="_blank" rel="noopener">open the PDF at this page</a>'
            "</div></li>")


def render_themes(payload: dict) -> str:
    """The themes as cards: label, counts by year, framework and grade, verbatim examples."""
    if not payload.get("ok"):
        return notice_html(payload.get("message") or "no themes", "warn")
    scope = "; ".join(payload["scope"]) if payload["scope"] else "every report"
    about = payload.get("about") or {}
    parts = [f'<p class="oq-summary">{_plural(payload["n_points"], "recommendation")} from '
             f'{_plural(payload["n_reports"], "report")} ({html.escape(scope)}), '
             f"in {len(payload['themes'])} themes found by meaning "
             f"(k-means, k = {about.get('k', '?')} chosen by {html.escape(str(about.get('criterion', '')))}); "
             "each theme is named by its most distinctive words.</p>"]
    if payload.get("message"):
        parts.append(notice_html(payload["message"], "info"))
    for theme in payload["themes"]:
        if not theme["count"]:
            continue
        share = share_label(theme["count"], payload["n_points"], theme["share_all"], bool(payload["scope"]))
        parts.append(
            '<section class="oq-theme">'
            f'<h3>{html.escape(theme["label"])} <small>{_plural(theme["count"], "recommendation")} in '
            f'{_plural(theme["reports"], "report")}; {html.escape(share)}</small></h3>'
            + _counts_html("By year", theme["by_year"]) + _counts_html("By framework", theme["by_framework"])
            + _counts_html("By overall grade", theme["by_grade"])
            + "<ul class=\"oq-examples\">" + "".join(_point_html(p) for p in theme["examples"]) + "</ul></section>"
        )
    return "".join(parts)


def followup_payload(index: ReportIndex | None, authority: str | None, closest: int = 2) -> dict:
    """"Was it fixed?" as JSON (the `/followup` endpoint): {"ok", "message", "authority", "pairs":
    [{earlier, later, points: [{point: {text, citation, pdf_link}, closest: [passage, ...]}]}]}."""
    if index is None:
        return {"ok": False, "message": "no index: ingest reports first", "pairs": []}
    try:
        result = follow_up(index.searcher, authority or "", max(1, min(5, int(closest or 2))))
    except (QueryError, ValueError) as exc:
        return {"ok": False, "message": str(exc), "pairs": []}
    pairs = []
    for pair in result.pairs:
        points = []
        for followed in pair.points:
            closest_rows = []
            for passage in followed.closest:
                closest_rows.append({
                    "text": passage.text, "highlights": [list(h) for h in passage.highlights],
                    "similarity": passage.similarity, "citation_line": passage.citation.line(),
                    "pdf_link": f"/pdf/{passage.doc_id}#page={passage.citation.page_start}",
                })
            points.append({"point": _point_dict(followed.point), "closest": closest_rows})
        pairs.append({"earlier": pair.earlier, "later": pair.later, "points": points})
    return {"ok": True, "message": result.message, "authority": result.authority, "pairs": pairs}


def render_followup(payload: dict) -> str:
    """Each pair of reports: every recommendation of the earlier beside the later's closest passages."""
    if not payload.get("ok"):
        return notice_html(payload.get("message") or "nothing to show", "warn")
    parts = [f'<p class="oq-summary">{html.escape(payload["authority"])}: each recommendation of a report beside '
             "the passages of the next report closest to it in meaning, verbatim. Whether it was fixed is "
             "for you to judge from what the next inspection says.</p>"]
    if payload.get("message"):
        parts.append(notice_html(payload["message"], "info"))
    for pair in payload["pairs"]:
        parts.append(f'<h3 class="oq-pair">{html.escape(pair["earlier"])} → {html.escape(pair["later"])}</h3>')
        if not pair["points"]:
            parts.append(notice_html("no recommendations are indexed for the earlier report", "info"))
        for item in pair["points"]:
            point = item["point"]
            closest = "".join(
                f'<div class="oq-followed"><blockquote class="oq-passage">'
                f'{passage_html(c["text"], c["highlights"])}</blockquote>'
                f'<div class="oq-cite-rest">{html.escape(c["citation_line"])} · similarity {c["similarity"]:.2f} · '
                f'<a href="{html.escape(c["pdf_link"])}" target="_blank" rel="noopener">open</a></div></div>'
                for c in item["closest"])
            parts.append(
                '<article class="oq-card oq-followup">'
                f'<header class="oq-card-head"><div class="oq-cite"><span class="oq-authority">Recommended</span>'
                f'<span class="oq-cite-rest">{html.escape(point["citation"])}</span></div></header>'
                f'<blockquote class="oq-passage oq-recommendation">{html.escape(point["text"])}</blockquote>'
                f'<div class="oq-next">Next report, closest passages:</div>{closest}</article>')
    return "".join(parts)


EVERY_REPORT = "Every report"  # the "Was it fixed?" report choice that shows all of an authority's pairs
EXAMPLES = 3  # verbatim examples per theme unless the page asks for more (1 to MAX_EXAMPLES)
MAX_EXAMPLES = 10


class RecommendationsPages:
    """The "Themes" and "Was it fixed?" tabs; `build` adds both to the page and registers their events,
    `register_load` reopens what the page address names, `register_api` adds their API endpoints
    (`/themes`, `/followup`). Each tab keeps its choices in the address: the Themes tab its authorities
    (`scope`), neighbours (`scope_neighbours`) and examples per theme (`examples`); "Was it fixed?"
    its authority (`fixed`) and report (`report`)."""

    LINK_PARAMETERS = {"scope": True, "scope_neighbours": False, "examples": False, "fixed": False,
                       "report": False}  # name -> whether it repeats

    def __init__(self, index: ReportIndex | None) -> None:
        self.index = index

    def show_themes(self, authorities: list[str] | None, neighbours_of: str | None,
                    examples: Any = EXAMPLES) -> tuple[Any, str, dict]:
        """The bar chart, the theme cards and their data for the chosen authorities (none: every report)."""
        payload = themes_payload(self.index, authorities, neighbours_of, examples)
        frame = themes_frame(payload)
        return gr.BarPlot(frame, visible=not frame.empty), render_themes(payload), payload

    def show_followup(self, authority: str | None, report: str | None = EVERY_REPORT) -> tuple[Any, str]:
        """The authority's earlier reports to choose from, and "was it fixed?" for the one chosen (or all)."""
        if not authority:
            return gr.Dropdown(choices=[EVERY_REPORT], value=EVERY_REPORT), ""
        payload = followup_payload(self.index, authority)
        earlier = [pair["earlier"] for pair in payload.get("pairs", [])]
        chosen = report if report in earlier else EVERY_REPORT
        if chosen != EVERY_REPORT:
            payload = {**payload, "pairs": [pair for pair in payload["pairs"] if pair["earlier"] == chosen]}
        return gr.Dropdown(choices=[EVERY_REPORT, *earlier], value=chosen), render_followup(payload)

    def themes_api(self, authorities: list[str] | None = None, neighbours_of: str | None = None,
                   examples: int = EXAMPLES) -> dict:
        """`/themes`: the recommendations' themes for every report, or for these authorities and/or an
        authority with its statistical neighbours, with counts and verbatim examples."""
        return themes_payload(self.index, authorities, neighbours_of, examples)

    def followup_api(self, authority: str, closest: int = 2) -> dict:
        """`/followup`: each recommendation of each report of the authority beside the closest passages
        of its next report ("was it fixed?"), verbatim."""
        return followup_payload(self.index, authority, closest)

    def from_link(self, request: gr.Request) -> tuple[Any, ...]:
        """What the page address names for both tabs: the Themes tab's authorities, neighbours and examples
        with the themes shown as "Show themes" would show them, and "Was it fixed?"'s authority and report
        (its page follows from the change); each left alone when the address does not name it."""
        link = LinkValues(request, self.LINK_PARAMETERS)
        themes: tuple[Any, ...] = tuple(gr.skip() for _ in range(6))
        if any(key in link.values for key in ("scope", "scope_neighbours", "examples")):
            examples, _ = link.number("examples", EXAMPLES, 1, MAX_EXAMPLES)
            chosen, neighbours = link.many("scope"), link.one("scope_neighbours")
            themes = (chosen, neighbours, examples, *self.show_themes(chosen, neighbours, examples))
        fixed: tuple[Any, ...] = (gr.skip(), gr.skip())
        if "fixed" in link.values:
            fixed = (link.one("fixed"), link.one("report") or EVERY_REPORT)
        return (*themes, *fixed)

    def build(self, authorities: list[str], all_authorities: list[str]) -> None:
        """Both tabs and their events."""
        with gr.Tab("Themes", id="themes", elem_id="oq-themes-tab") as themes_tab:
            gr.Markdown("What reports most often say **must improve**: the recommendations of every report, "
                        "grouped by meaning. Choose authorities (yours and your statistical neighbours) to "
                        "count theirs.")
            with gr.Row():
                chosen = gr.Dropdown(authorities, value=[], multiselect=True, filterable=True, scale=3,
                                     label="Authorities", info="none: every report", elem_id="oq-themes-authority")
                neighbours = gr.Dropdown(all_authorities, value=None, filterable=True, scale=2,
                                         label="and the statistical neighbours of", elem_id="oq-themes-neighbours")
                examples = gr.Slider(1, MAX_EXAMPLES, value=EXAMPLES, step=1, label="Examples per theme", scale=1,
                                     elem_id="oq-themes-examples")
                show = gr.Button("Show themes", variant="primary", scale=1, elem_id="oq-themes-btn")
            plot = gr.BarPlot(pd.DataFrame(columns=list(PLOT_COLUMNS)), x="theme", y="recommendations",
                              sort="-y", x_label_angle=-35, height=360, y_lim=[0, None],
                              label="Recommendations per theme", visible=False, elem_id="oq-themes-plot")
            cards = gr.HTML("", elem_id="oq-themes", js_on_load=None)
            data = gr.JSON(visible=False)
        with gr.Tab("Was it fixed?", id="followup", elem_id="oq-followup-tab") as followup_tab:
            gr.Markdown("For one authority, each recommendation of a report beside the passages of its **next** "
                        "report closest in meaning. No verdict is given: read what the next inspection said.")
            with gr.Row():
                pick = gr.Dropdown(authorities, value=None, filterable=True, label="Local authority", scale=2,
                                   elem_id="oq-followup-pick")
                report = gr.Dropdown([EVERY_REPORT], value=EVERY_REPORT, label="Recommendations of", scale=2,
                                     info="one report, or every report with a later one", elem_id="oq-followup-report")
            followed = gr.HTML("", elem_id="oq-followup", js_on_load=None)
        keep_themes = keep_js("themes", "scope", "scope_neighbours", "examples")
        show.click(self.show_themes, [chosen, neighbours, examples], [plot, cards, data],
                   api_visibility="private").then(None, [chosen, neighbours, examples], None, js=keep_themes,
                                                  api_visibility="private")
        themes_tab.select(None, None, None, js=keep_js("themes"), api_visibility="private")
        keep_fixed = keep_js("followup", "fixed", "report")
        pick.change(self.show_followup, [pick, report], [report, followed], api_visibility="private")
        pick.input(None, [pick, report], None, js=keep_fixed, api_visibility="private")
        report.input(self.show_followup, [pick, report], [report, followed], api_visibility="private").then(
            None, [pick, report], None, js=keep_fixed, api_visibility="private")
        followup_tab.select(None, [pick, report], None, js=keep_fixed, api_visibility="private")
        self._linked = (chosen, neighbours, examples, plot, cards, data, pick, report)

    def register_load(self, demo: gr.Blocks) -> None:
        """Reopen what the page address names on both tabs."""
        demo.load(self.from_link, None, list(self._linked), api_visibility="private")

    def register_api(self) -> None:
        """The `/themes` and `/followup` endpoints (after the last tab: an endpoint between two tabs would
        split the tab bar)."""
        gr.api(self.themes_api, api_name="themes")
        gr.api(self.followup_api, api_name="followup")
