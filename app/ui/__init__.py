"""The web app: a Gradio Blocks UI over one ReportIndex, mounted on FastAPI beside a PDF route.

Entry points:
    build_app(index)            the Gradio Blocks (callbacks only call `index.search` and format)
    create_app(index, auth)     a FastAPI app: `/pdf/{doc_id}` plus the Blocks mounted at `/`
    serve(index_dir, ...)       load the index once (read-only), build, run uvicorn until stopped

The search endpoint has the API name "search": (question, authorities, year_from, year_to,
report_types, grades, k) -> {"query", "ok", "message", "results": [...]}, as JSON. With gradio_client:

    Client("http://127.0.0.1:7860/").predict(
        "CSE screening", ["Barnet"], 2016, 2019, ["sif"], ["inadequate"], 5, api_name="/search")

A bad filter gives {"ok": false, "message": "..."} (never a traceback).

Authentication (`auth=(user, password)`): HTTP Basic, checked by an ASGI middleware in front of
*everything* the FastAPI app serves: the page, Gradio's config/queue/API/file routes and `/pdf/`.
Gradio's own login form is not used, because its cookie does not cover routes outside Gradio.
    - a browser shows its native login dialog once and resends the credentials on every request;
    - gradio_client: `Client(url, headers={"Authorization": basic_auth_header(user, password)})`
      (or `httpx_kwargs={"auth": (user, password)}`);
    - curl: `curl -u user:password http://host:port/pdf/3`.
Basic auth sends the password with each request: put the app behind HTTPS when it leaves the machine.

Nothing calls outside the machine: analytics are off (set before gradio is imported), the theme's
fonts are served by Gradio itself, and the grade chart is plain HTML/CSS.
"""

import os

# Before gradio is first imported: nothing is sent outside the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from app.ui.corpus import (  # noqa: E402, F401
    GRADE_CHART_COLOURS,
    CorpusTables,
    _by_authority,
    _count,
    _doc_year,
    _report_list,
    corpus_tables,
    grade_chart_frame,
)
from app.ui.export import (  # noqa: E402, F401
    _MD_SPECIAL,
    CSV_COLUMNS,
    ExportDir,
    _md,
    _md_passage,
    _spreadsheet_safe,
    csv_text,
    link_base,
    markdown_text,
    request_base,
    result_links,
)
from app.ui.page import (  # noqa: E402, F401
    CSS,
    LINK_PARAMETERS,
    ON_LOAD_JS,
    PUSH_LINK_JS,
    SHOW_RESULTS_JS,
    _App,
    _choices,
    _header_markdown,
    _no_download,
    _theme,
    build_app,
)
from app.ui.render import (  # noqa: E402, F401
    _PARAGRAPH_START,
    _citation_parts,
    _duplicates_html,
    _grade_badge,
    _location,
    _pdf_link_html,
    _plain_html,
    _report_heading,
    _summary_html,
    card_html,
    notice_html,
    passage_html,
    render_by_report,
    render_compare,
    render_contrast,
    render_ranked,
)
from app.ui.search import (  # noqa: E402, F401
    COMPARE_AUTHORITIES,
    COMPARE_CAPTION,
    COMPARE_K,
    CONCURRENCY,
    DEFAULT_K,
    EXAMPLES,
    EXPORT_MAX_AGE,
    GRADE_CHOICES,
    GRADE_COLOURS,
    INGEST_COMMAND,
    JUDGEMENT_CHOICES,
    MAX_UI_K,
    MORE_FILTERS,
    NEIGHBOUR_CHOICES,
    PER_AUTHORITY,
    QUESTION_MAX_CHARS,
    REGION_CHOICES,
    REPORT_TYPE_CHOICES,
    VIEW_BY_REPORT,
    VIEW_COMPARE,
    VIEW_CONTRAST,
    VIEW_RANKED,
    VIEWS,
    _as_list,
    _has_documents,
    _k,
    _norm,
    _payload,
    _year_text,
    build_filters,
    compare_search,
    contrast_payload,
    ingest_help,
    log,
    result_dict,
    run_search,
)
from app.ui.server import (  # noqa: E402, F401
    PDF_HEADERS,
    BasicAuthMiddleware,
    Receive,
    Scope,
    Send,
    _pdf_path,
    basic_auth_header,
    create_app,
    load_index,
    serve,
)
