"""The Blocks page: its tabs and views, shareable addresses, and the API endpoints it registers."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from app.ui.address import TAB, LinkValues, keep_js, unknown_parameters
from app.ui.authority_page import AuthorityPage
from app.ui.corpus import (
    GRADE_CHART_COLOURS,
    CorpusTables,
    _doc_year,
    corpus_tables,
    grade_chart_frame,
)
from app.ui.export import (
    ExportDir,
    csv_text,
    link_base,
    markdown_text,
)
from app.ui.packs_page import PacksPage
from app.ui.reading import ALL, chips_html, ignore_text, parse_ignore, reading_action
from app.ui.recommendations_page import RecommendationsPages
from app.ui.render import (
    notice_html,
    render_by_report,
    render_compare,
    render_contrast,
    render_ranked,
    search_status,
)
from app.ui.search import (
    COMPARE_CAPTION,
    CONCURRENCY,
    DEFAULT_K,
    EXAMPLES,
    GRADE_CHOICES,
    JUDGEMENT_CHOICES,
    MAX_UI_K,
    MORE_FILTERS,
    NEIGHBOUR_CHOICES,
    REGION_CHOICES,
    REPORT_TYPE_CHOICES,
    VIEW_BY_REPORT,
    VIEW_COMPARE,
    VIEW_CONTRAST,
    VIEW_RANKED,
    VIEWS,
    _has_documents,
    active_filters,
    compare_search,
    contrast_payload,
    cut_question,
    ingest_help,
    run_search,
)
from app.update import last_update_summary
from index.report_index import ReportIndex
from index.search import READING_KINDS, QueryError
from index.tokenize import clean_query

# -- the Blocks ----------------------------------------------------------------------------------

# The page's style sheet and script live beside this module (kept out of Python strings). The script runs
# once on load: it keeps each tab's state in the page address, and Back reloads the page from it.
CSS = (Path(__file__).resolve().parent / "ui.css").read_text(encoding="utf-8")
ON_LOAD_JS = (Path(__file__).resolve().parent / "ui_link.js").read_text(encoding="utf-8")
# Page-address parameters of a shared search: name -> whether it repeats.
LINK_PARAMETERS = {"q": False, "authority": True, "from": False, "to": False, "type": True, "grade": True,
                   "k": False, "judgement": False, "judged": True, "latest": False, "region": False,
                   "neighbours": False, "recs": False, "view": False, "ignore": False}
# The Search tab's state, put in the address after each search (the Search tab is the one without `tab`).
PUSH_LINK_JS = keep_js(None, *LINK_PARAMETERS)
SHOW_RESULTS_JS = "() => window.ofstedQa.showResults()"
# A chip's click (ui_link.js) leaves its action in window.ofstedQa.reading; the hidden "search again" button
# hands it to `_App.reread` in place of the action box's (empty) value.
TAKE_READING_JS = "(action, ...rest) => [window.ofstedQa.takeReading(), ...rest]"
# Every page's address parameters, and the tabs a link may open (by id).
ALL_PARAMETERS = ({TAB} | set(LINK_PARAMETERS) | set(AuthorityPage.LINK_PARAMETERS)
                  | set(RecommendationsPages.LINK_PARAMETERS) | set(PacksPage.LINK_PARAMETERS))
TABS = ("search", "packs", "authority", "themes", "followup", "corpus")
FILTERS_LABEL = "Filters"


def _theme() -> gr.themes.Base:
    """Gradio's default look with fonts Gradio serves itself, falling back to system fonts."""
    return gr.themes.Default(
        primary_hue="blue",
        font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 600, 700)), "ui-sans-serif", "system-ui",
              "sans-serif"),
        font_mono=(gr.themes.LocalFont("IBM Plex Mono"), "ui-monospace", "monospace"),
    )


def _header_markdown(summary: str) -> str:
    return ("# Ofsted children's services reports\n"
            "Ask a question about inspections of local authority children's services. Answers are passages "
            "quoted verbatim from the reports, each cited by authority, report, date, page and paragraph.  \n"
            f"Index: {summary}.")


def _choices(index: ReportIndex | None) -> tuple[list[str], list[str]]:
    if not _has_documents(index):
        return [], []
    years = sorted({_doc_year(d) for d in index.searcher.documents().values()} - {"unknown"})
    return index.searcher.authorities(), years


class _App:
    """The callbacks; they share one index (and so one model) across all sessions."""

    def __init__(self, index: ReportIndex | None, index_dir: Path | str | None, public_url: str | None = None) -> None:
        self.index = index
        self.index_dir = index_dir or (index.directory if index is not None else None)
        self.public_url = public_url  # the address colleagues can reach (app/links.py), if given
        self.exports = ExportDir()
        self._corpus_lock = threading.Lock()
        self._corpus_key: tuple[int, ...] | None = None
        self._corpus: CorpusTables | None = None

    def search(self, question: str, authorities: list[str] | None, year_from: Any, year_to: Any,
               report_types: list[str] | None, grades: list[str] | None, k: Any, judgement: str | None = None,
               judgement_grades: list[str] | None = None, latest: bool = False, region: str | None = None,
               neighbours_of: str | None = None, recommendations: bool = False,
               ignore_reading: str | list[str] | None = None) -> dict:
        """Cited passages answering the question, as JSON (the `search` API endpoint).

        judgement / judgement_grades: grades on one of the five judgements; latest: each authority's
        newest report only; region; neighbours_of: an authority and its statistical neighbours;
        recommendations: only passages of the reports' lists of what must improve; ignore_reading: kinds
        of the question's own reading not to apply (a removed chip).
        """
        more = dict(zip(MORE_FILTERS, (judgement, judgement_grades, latest, region, neighbours_of,
                                       recommendations), strict=True))
        return run_search(self.index, question, authorities, year_from, year_to, report_types, grades, k,
                          index_dir=self.index_dir, more=more, ignore_reading=ignore_reading)

    def search_page(self, question: str, *rest: Any) -> tuple[dict, Any, str]:
        """The Search button: `search`, the question box cut to the question searched when it was
        longer than QUESTION_MAX_CHARS (so the page address never holds more), and the kinds of reading
        not applied.

        `rest`: `search`'s other arguments, the last the kinds not applied, then the payload shown. A new
        question is read afresh: the chips removed were the last question's.
        """
        *rest, ignore, shown = rest
        same = bool(shown) and shown.get("query") == clean_query(cut_question(question or "")[0])
        ignore = ignore if same else ""
        payload = self.search(question, *rest, ignore)
        return (payload, payload["query"] if cut_question(question or "")[1] else gr.skip(),
                ignore_text(payload.get("ignore") or []) if payload.get("ok") else ignore)

    def search_fresh(self, question: str, *rest: Any) -> tuple[dict, str]:
        """An example question: searched with all of its reading applied (the last search's removed chips
        were about another question)."""
        return self.search(question, *rest[:-1], None), ""

    def reread(self, action: str | None, question: str, authorities: Any, year_from: Any, year_to: Any,
               report_types: Any, grades: Any, k: Any, judgement: Any, judgement_grades: Any, latest: Any,
               region: Any, neighbours_of: Any, recommendations: Any, ignore: str | None) -> tuple[Any, ...]:
        """A chip clicked: the search again with its action (reading.py), and the controls it changed.

        {"ignore": kinds}: those kinds of the question's reading not applied (the address's `ignore=`);
        {"authority" | "region" | "neighbours_of": name}: a "did you mean" candidate chosen, set as that
        filter. Returns the payload, the ignore box, and the authority, region and neighbours controls.
        """
        chosen = reading_action(action)
        unchanged = gr.skip()
        picks = {"authority": unchanged, "region": unchanged, "neighbours_of": unchanged}
        if "ignore" in chosen:
            try:
                ignore = ignore_text(chosen["ignore"] or [])
            except QueryError:
                ignore = ignore or ""
        for name in picks:
            value = chosen.get(name)
            if isinstance(value, str) and value.strip():
                picks[name] = [value] if name == "authority" else value
        if picks["authority"] is not unchanged:
            authorities = picks["authority"]
        region = picks["region"] if picks["region"] is not unchanged else region
        neighbours_of = picks["neighbours_of"] if picks["neighbours_of"] is not unchanged else neighbours_of
        payload = self.search(question, authorities, year_from, year_to, report_types, grades, k, judgement,
                              judgement_grades, latest, region, neighbours_of, recommendations, ignore)
        return payload, ignore or "", picks["authority"], picks["region"], picks["neighbours_of"]

    def show(self, payload: dict | None, view: str, authorities: list[str] | None, year_from: Any,
             year_to: Any, report_types: list[str] | None, grades: list[str] | None, judgement: str | None = None,
             judgement_grades: list[str] | None = None, latest: bool = False, region: str | None = None,
             neighbours_of: str | None = None, recommendations: bool = False,
             request: gr.Request = None) -> tuple[str, Any, Any, str]:
        """Render the results in the chosen view, write the export files of what is shown, and say in a
        line beside the Search button what was found."""
        if not payload:
            return "", _no_download("CSV"), _no_download("Markdown"), ""
        more = dict(zip(MORE_FILTERS, (judgement, judgement_grades, latest, region, neighbours_of,
                                       recommendations), strict=True))
        ignore = payload.get("ignore") or None
        # What the question's words did, each undoable, above the results of every view (and above a
        # "nothing matched", where removing a narrowing is the way on).
        chips = chips_html(payload.get("reading"), payload.get("ignore") or ())
        if view == VIEW_COMPARE and payload.get("ok"):
            payload = compare_search(self.index, payload["query"], authorities, year_from, year_to,
                                     report_types, grades, more=more, ignore_reading=ignore)
        if view == VIEW_CONTRAST and payload.get("ok"):
            contrast = contrast_payload(self.index, payload["query"], authorities, year_from, year_to,
                                        report_types, grades, len(payload["results"]) or DEFAULT_K, more=more,
                                        ignore_reading=ignore)
            page = render_contrast(contrast)
            # The exports hold both sides, the good side first.
            payload = {**contrast, "results": contrast["results"] + contrast.get("poor", [])}
        else:
            renderer = {VIEW_COMPARE: render_compare, VIEW_BY_REPORT: render_by_report}.get(view, render_ranked)
            page = renderer(payload)
        page = chips + page
        if not payload["results"]:
            return page, _no_download("CSV"), _no_download("Markdown"), search_status(payload)
        base = link_base(self.public_url, request)
        csv_path = self.exports.write("ofsted-qa-results.csv", csv_text(payload["results"], base))
        md_path = self.exports.write("ofsted-qa-results.md",
                                     markdown_text(payload["query"], payload["results"], view, base))
        return (page, gr.DownloadButton("Download CSV", value=csv_path, interactive=True),
                gr.DownloadButton("Download Markdown", value=md_path, interactive=True), search_status(payload))

    def search_api(self, question: str, authorities: list[str] | None = None, year_from: str | int | None = None,
                   year_to: str | int | None = None, report_types: list[str] | None = None,
                   grades: list[str] | None = None, k: int | str = DEFAULT_K) -> dict:
        """`/search`: cited passages answering the question, as JSON; every mistake is
        {"ok": false, "message": ...}. Filters: authorities, a year range, report types, overall grades."""
        payload = self.search(question, authorities, year_from, year_to, report_types, grades, k)
        # Unchanged for the clients written before the reading was data (they have "interpretation").
        return {key: value for key, value in payload.items() if key not in ("reading", "ignore")}

    def search_filtered_api(self, question: str, authorities: list[str] | None = None,
                            year_from: str | int | None = None, year_to: str | int | None = None,
                            report_types: list[str] | None = None, grades: list[str] | None = None,
                            k: int | str = DEFAULT_K, judgement: str | None = None,
                            judgement_grades: list[str] | None = None, latest: bool = False,
                            region: str | None = None, neighbours_of: str | None = None,
                            recommendations: bool = False, ignore_reading: list[str] | None = None) -> dict:
        """`/search_filtered`: `/search` with the judgement, latest-only, region, neighbours and
        recommendations-only filters, and the question's reading as data.

        ignore_reading: kinds of the question's own reading not to apply (READING_KINDS), or ["all"]
        for its text alone. The answer's "reading" lists what the question's words did, each as
        {"kind", "effect", "label", "values"} (effect "narrowed": only those reports searched;
        "favoured": ranked higher; "corrected": a misspelling read as a name or word; "asked": too unsure
        to apply, values are the candidates; "ignored": not applied, as asked); "ignore" the kinds not
        applied.
        """
        return self.search(question, authorities, year_from, year_to, report_types, grades, k, judgement,
                           judgement_grades, latest, region, neighbours_of, recommendations, ignore_reading)

    def contrast_api(self, question: str, authorities: list[str] | None = None,
                     year_from: str | int | None = None, year_to: str | int | None = None,
                     report_types: list[str] | None = None, k: int | str = DEFAULT_K) -> dict:
        """`/contrast` ("what good looks like"): passages from reports graded good or outstanding on the
        judgement the question is about ("results"), and from reports graded requires improvement or
        inadequate ("poor"); "judgement" names it."""
        return contrast_payload(self.index, question, authorities, year_from, year_to, report_types, None, k)

    def from_link(self, request: gr.Request) -> tuple[Any, ...]:
        """The search kept in the page address (a shared link, or Back): the filter values to show,
        the view, a note on anything not understood or cut, and the Filters panel (open, with its count,
        when the link sets a filter)."""
        link = LinkValues(request, LINK_PARAMETERS)
        unknown = unknown_parameters(request, ALL_PARAMETERS)
        if not link and not unknown:  # a plain visit: leave alone whatever the user has started typing
            return tuple(gr.skip() for _ in range(len(LINK_PARAMETERS) + 2))
        view = link.one("view") if link.one("view") in VIEWS else VIEW_RANKED
        if link.one("view") and link.one("view") not in VIEWS:
            unknown.append(f"view={link.one('view')}")
        k, bad_k = link.number("k", DEFAULT_K, 1, MAX_UI_K)
        unknown += [bad_k] if bad_k else []
        question, cut = cut_question(link.one("q") or "")
        notes = [notice_html(cut, "warn")] if cut else []
        try:
            ignore = ignore_text(parse_ignore(link.one("ignore")))
        except QueryError:
            ignore = ""
            unknown.append(f"ignore={link.one('ignore')} (valid: {ALL}, {', '.join(READING_KINDS)})")
        if unknown:
            notes.append(notice_html("This link has parameters the app does not know, ignored: "
                                     + ", ".join(unknown), "warn"))
        filters = (link.many("authority"), link.one("from"), link.one("to"), link.many("type"), link.many("grade"))
        more = (link.one("judgement"), link.many("judged"), link.flag("latest"), link.one("region"),
                link.one("neighbours"), link.flag("recs"))
        return (question, *filters, k, *more, view, ignore, "".join(notes), self.filters_panel(*filters, *more))

    def filters_panel(self, authorities: Any = None, year_from: Any = None, year_to: Any = None,
                      report_types: Any = None, grades: Any = None, *more: Any) -> Any:
        """The Filters panel's header with the count of filters in use; open when a link sets any."""
        count = active_filters(authorities, year_from, year_to, report_types, grades,
                               dict(zip(MORE_FILTERS, more, strict=False)))
        return gr.Accordion(label=_filters_label(count), open=bool(count))

    def filters_count(self, *values: Any) -> Any:
        """The Filters header after a filter changes (the panel stays open or closed as the user left it)."""
        count = active_filters(*values[:5], dict(zip(MORE_FILTERS, values[5:], strict=False)))
        return gr.Accordion(label=_filters_label(count))

    def select_tab(self, request: gr.Request) -> Any:
        """The tab the page address names (`tab=themes`); the Search tab otherwise."""
        tab = LinkValues(request, {TAB: False}).one(TAB)
        return gr.Tabs(selected=tab) if tab in TABS else gr.skip()

    def search_from_link(self, question: str, *rest: Any) -> Any:
        """The linked search, run as the Search button would; nothing when the link has no question."""
        if not (question or "").strip():
            return gr.skip()
        return self.search(question, *rest)

    def show_linked(self, payload: dict | None, view: str, authorities: list[str] | None, year_from: Any,
                    year_to: Any, report_types: list[str] | None, grades: list[str] | None,
                    judgement: str | None = None, judgement_grades: list[str] | None = None, latest: bool = False,
                    region: str | None = None, neighbours_of: str | None = None, recommendations: bool = False,
                    request: gr.Request = None) -> tuple[Any, ...]:
        """`show` for a linked search; nothing changes on a plain visit (no payload yet)."""
        if not payload:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return self.show(payload, view, authorities, year_from, year_to, report_types, grades, judgement,
                         judgement_grades, latest, region, neighbours_of, recommendations, request=request)

    def corpus(self) -> CorpusTables:
        docs = self.index.searcher.documents() if self.index is not None else {}
        key = tuple(sorted(docs))
        with self._corpus_lock:
            if self._corpus is None or key != self._corpus_key:
                self._corpus, self._corpus_key = corpus_tables(self.index), key
            return self._corpus

    def _summary(self, tables: CorpusTables) -> str:
        return tables.summary if _has_documents(self.index) else "no reports yet"

    def on_load(self) -> tuple[Any, ...]:
        """Fresh filter choices and corpus tables for each page load (the index may have grown)."""
        if self.index is not None:
            self.index.reload_if_changed()
        authorities, years = _choices(self.index)
        tables = self.corpus()
        return (gr.Dropdown(choices=authorities), gr.Dropdown(choices=years), gr.Dropdown(choices=years),
                _header_markdown(self._summary(tables)), tables.by_authority, tables.by_year,
                tables.by_type, grade_chart_frame(tables.grades), f"**{tables.summary}.**", tables.reports,
                self.update_note())

    def update_note(self) -> str:
        """The newest report the index knows and what the last `ofsted-qa update` brought (app/update.py)."""
        if self.index_dir is None:
            return ""
        documents = self.index.searcher.documents().values() if self.index is not None else None
        return last_update_summary(self.index_dir, documents).markdown()


def _filters_label(count: int) -> str:
    return f"{FILTERS_LABEL} · {count} in use" if count else FILTERS_LABEL


def _no_download(what: str) -> Any:
    return gr.DownloadButton(f"Download {what}", value=None, interactive=False)


def build_app(index: ReportIndex | None, index_dir: Path | str | None = None,
              public_url: str | None = None) -> gr.Blocks:
    """The Gradio UI over `index`.

    Args:
        index: the index; None when there is none yet, and the page says how to build one.
        index_dir: its folder (for that message, and the evidence packs beside it).
        public_url: the app's address for colleagues (`serve --public-url`), checked by
            `app.links.public_url`; exports' page links use it. None: they lead with Ofsted's copy.
    Returns:
        The Blocks, its queue set.
    """
    app = _App(index, index_dir, public_url)
    authorities, years = _choices(index)
    empty = not _has_documents(index)
    with gr.Blocks(title="Ofsted reports search", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        header = gr.Markdown(_header_markdown(app._summary(app.corpus())), elem_id="oq-title")
        gr.HTML(notice_html(ingest_help(app.index_dir), "info") if empty else "", visible=empty,
                elem_id="oq-empty", js_on_load=None)
        with gr.Tabs(elem_id="oq-tabs") as tabs:
            with gr.Tab("Search", id="search") as search_tab:
                with gr.Row(equal_height=False, elem_id="oq-ask"):
                    question = gr.Textbox(label="Question", placeholder=EXAMPLES[0], scale=5, autofocus=True,
                                          elem_id="oq-question", submit_btn=False)
                    with gr.Column(scale=1, min_width=160, elem_id="oq-ask-side"):
                        search_btn = gr.Button("Search", variant="primary", elem_id="oq-search-btn")
                        status = gr.HTML("", elem_id="oq-status", js_on_load=None)
                examples = gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")
                # Closed at first: open, it filled a laptop's screen and pushed the results below the fold.
                with gr.Accordion(FILTERS_LABEL, open=False, elem_id="oq-filters") as filters_panel:
                    with gr.Row():
                        authority = gr.Dropdown(authorities, value=[], multiselect=True, filterable=True,
                                                allow_custom_value=True, label="Local authority",
                                                info="Type to search; pick one or more", scale=3,
                                                elem_id="oq-authority")
                        year_from = gr.Dropdown(years, value=None, allow_custom_value=True, label="From year",
                                                scale=1, elem_id="oq-year-from")
                        year_to = gr.Dropdown(years, value=None, allow_custom_value=True, label="To year",
                                              scale=1, elem_id="oq-year-to")
                    with gr.Row():
                        report_type = gr.Dropdown(REPORT_TYPE_CHOICES, value=[], multiselect=True,
                                                  allow_custom_value=True, label="Report type", scale=2,
                                                  elem_id="oq-type")
                        grade = gr.Dropdown(GRADE_CHOICES, value=[], multiselect=True, allow_custom_value=True,
                                            label="Overall grade", info="e.g. only reports judged inadequate",
                                            scale=2, elem_id="oq-grade")
                        k = gr.Slider(1, MAX_UI_K, value=DEFAULT_K, step=1, label="Number of results", scale=1,
                                      elem_id="oq-k")
                    with gr.Row():
                        judgement = gr.Dropdown(JUDGEMENT_CHOICES, value=None, label="Judgement",
                                                info="grade on one judgement", scale=2, elem_id="oq-judgement")
                        judgement_grades = gr.Dropdown(GRADE_CHOICES, value=[], multiselect=True,
                                                       label="graded", scale=2, elem_id="oq-judgement-grade")
                        latest = gr.Checkbox(False, label="Latest report of each authority only", scale=1,
                                             elem_id="oq-latest")
                    with gr.Row():
                        region = gr.Dropdown(REGION_CHOICES, value=None, label="Region", scale=2,
                                             elem_id="oq-region")
                        neighbours_of = gr.Dropdown(NEIGHBOUR_CHOICES, value=None, filterable=True,
                                                    label="Statistical neighbours of", scale=2,
                                                    info="that authority and its ten neighbours",
                                                    elem_id="oq-neighbours")
                        recommendations = gr.Checkbox(False, label="Recommendations only", scale=1,
                                                      info="what the reports say must improve", elem_id="oq-recs")
                with gr.Row(equal_height=False, elem_id="oq-toolbar"):
                    view = gr.Radio(list(VIEWS), value=VIEW_RANKED, label="Show", scale=3, elem_id="oq-view",
                                    info=COMPARE_CAPTION)
                    with gr.Column(scale=1, min_width=220, elem_id="oq-export"):
                        csv_btn = gr.DownloadButton("Download CSV", interactive=False, size="sm",
                                                    elem_id="oq-csv")
                        md_btn = gr.DownloadButton("Download Markdown", interactive=False, size="sm",
                                                   elem_id="oq-md")
                link_note = gr.HTML("", elem_id="oq-link-note", js_on_load=None)
                # The kinds of the question's reading not applied (chips removed; the address's `ignore=`),
                # and the chips' way back to the server: in the page, not shown.
                ignore = gr.Textbox("", visible="hidden", elem_id="oq-ignore", label="Not applied")
                reading_action_box = gr.Textbox("", visible="hidden", elem_id="oq-reading-action",
                                                label="Chip action")
                reread_btn = gr.Button("Search again", visible="hidden", elem_id="oq-reading-go")
                results = gr.HTML("", elem_id="oq-results", js_on_load=None, min_height=60)
                payload = gr.JSON(visible=False)
                packs = PacksPage(app.index_dir, app.exports.root, public_url)
                packs.build_pin(payload)
            packs.build_tab()
            authority_page = AuthorityPage(index, app.index_dir)
            authority_page.build()
            recommendations_pages = RecommendationsPages(index)
            recommendations_pages.build(authorities, NEIGHBOUR_CHOICES)
            with gr.Tab("Corpus", id="corpus", elem_id="oq-corpus") as corpus_tab:
                corpus_summary = gr.Markdown("")
                update_note = gr.Markdown("", elem_id="oq-update-note")
                chart = gr.BarPlot(pd.DataFrame(columns=["year", "grade", "reports"]), x="year", y="reports",
                                   color="grade", color_map=GRADE_CHART_COLOURS, sort="x", height=260,
                                   title="Overall effectiveness of the reports in the index, by year",
                                   elem_id="oq-chart")
                with gr.Row():
                    by_year = gr.Dataframe(label="Reports and passages per year", interactive=False,
                                           elem_classes="oq-table")
                    by_type = gr.Dataframe(label="Reports and passages per report type", interactive=False,
                                           elem_classes="oq-table")
                by_authority = gr.Dataframe(label="Reports and passages per local authority", interactive=False,
                                            show_search="search", max_height=520, elem_classes="oq-table")
                report_list = gr.Dataframe(label="Every report (type to search; open it here or at Ofsted)",
                                           interactive=False, show_search="search", max_height=620,
                                           datatype=["str"] * 8 + ["markdown"], elem_classes="oq-table",
                                           elem_id="oq-report-list")

        filters = [authority, year_from, year_to, report_type, grade]
        more_filters = [judgement, judgement_grades, latest, region, neighbours_of, recommendations]
        show_inputs = [payload, view, *filters, *more_filters]
        show_outputs = [results, csv_btn, md_btn, status]
        # preprocess=False: the raw values reach run_search, which validates them all with one kind of message
        search_inputs = [question, *filters, k, *more_filters, ignore]
        link_inputs = [question, authority, year_from, year_to, report_type, grade, k, *more_filters, view, ignore]
        # The page's own search is private; the API is two stable endpoints below (the first keeps the
        # seven parameters that clients written before the judgement filters send).
        # Rendering shows its progress on the results only: a timer in the one-line summary beside the
        # Search button ("0.1s") would be read as the summary.
        gr.on([search_btn.click, question.submit], app.search_page, [*search_inputs, payload],
              [payload, question, ignore],
              api_name="page_search", api_visibility="private", show_progress_on=results, preprocess=False).then(
            app.show, show_inputs, show_outputs, api_visibility="private", show_progress_on=results).then(
            None, link_inputs, None, js=PUSH_LINK_JS, api_visibility="private").then(
            None, None, None, js=SHOW_RESULTS_JS, api_visibility="private")
        reread_btn.click(app.reread, [reading_action_box, *search_inputs],
                         [payload, ignore, authority, region, neighbours_of], js=TAKE_READING_JS,
                         api_visibility="private", show_progress_on=results, preprocess=False).then(
            app.show, show_inputs, show_outputs, api_visibility="private", show_progress_on=results).then(
            None, link_inputs, None, js=PUSH_LINK_JS, api_visibility="private").then(
            None, None, None, js=SHOW_RESULTS_JS, api_visibility="private")
        examples.load_input_event.then(
            app.search_fresh, search_inputs, [payload, ignore], api_name="example_search",
            api_visibility="private",
            show_progress_on=results,
            preprocess=False,
        ).then(app.show, show_inputs, show_outputs, api_visibility="private", show_progress_on=results).then(
            None, None, None, js=SHOW_RESULTS_JS, api_visibility="private")
        view.change(app.show, show_inputs, show_outputs, api_visibility="private", show_progress_on=results).then(
            None, link_inputs, None, js=PUSH_LINK_JS, api_visibility="private")
        gr.on([control.change for control in [*filters, *more_filters]], app.filters_count,
              [*filters, *more_filters], filters_panel, api_visibility="private", queue=False,
              show_progress="hidden")
        for tab, name in ((search_tab, None), (corpus_tab, "corpus")):
            tab.select(None, None, None, js=keep_js(name), api_visibility="private")
        demo.load(app.select_tab, None, tabs, api_visibility="private")
        demo.load(app.from_link, None, [*link_inputs, link_note, filters_panel], api_visibility="private").then(
            app.search_from_link, search_inputs, payload, api_visibility="private", show_progress_on=results,
            preprocess=False).then(app.show_linked, show_inputs, show_outputs, api_visibility="private",
                           show_progress_on=results).then(
            None, None, None, js=SHOW_RESULTS_JS, api_visibility="private")
        gr.api(app.search_api, api_name="search")
        gr.api(app.search_filtered_api, api_name="search_filtered")
        gr.api(app.contrast_api, api_name="contrast")
        recommendations_pages.register_api()
        packs.register_api()
        packs.register_load(demo)
        authority_page.register_api()
        authority_page.register_load(demo)
        recommendations_pages.register_load(demo)
        demo.load(app.on_load, None, [authority, year_from, year_to, header, by_authority, by_year, by_type,
                                      chart, corpus_summary, report_list, update_note], api_visibility="private")
    demo.queue(default_concurrency_limit=CONCURRENCY)
    return demo
