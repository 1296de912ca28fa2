"""The environment variables ofsted-qa reads, and the only place that reads them.

It lives in `ingest`, the package every other one imports, so that reading a variable never makes
a lower package import a higher one. Each is read when asked for, not at import: a test or a
long-running process may set one after this module is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

INDEX = "OFSTED_QA_INDEX"  # the index folder when no --index is given
EMBEDDER = "OFSTED_QA_EMBEDDER"  # minilm (default) or another of index.embed.EMBEDDERS; fake in tests
MODEL_CACHE = "OFSTED_QA_MODEL_CACHE"  # where the ONNX model is built on first use (default ~/.cache/ofsted-qa)
LA_LOOKUP = "OFSTED_QA_LA_LOOKUP"  # the authorities' registry, instead of corpus/la_lookup.csv
MANIFEST = "OFSTED_QA_MANIFEST"  # publication dates and Ofsted's addresses, instead of corpus/manifest.csv
AUTH = "OFSTED_QA_AUTH"  # USER:PASSWORD for `serve`, kept out of the process list
REPORTS_URL = "OFSTED_QA_REPORTS_URL"  # Ofsted's reports site for `update`: a mirror, or a test server
PUBLIC_URL = "OFSTED_QA_PUBLIC_URL"  # the app's address for colleagues, in exports' links (`serve --public-url`)


@dataclass(frozen=True)
class Environment:
    """The variables' values; None where a variable is unset or empty."""

    index: str | None = None
    embedder: str | None = None
    model_cache: str | None = None
    la_lookup: str | None = None
    manifest: str | None = None
    auth: str | None = None
    reports_url: str | None = None
    public_url: str | None = None

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """The variables as they are now (in `environ`, default os.environ)."""
        environ = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            return environ.get(name) or None

        return cls(index=value(INDEX), embedder=value(EMBEDDER), model_cache=value(MODEL_CACHE),
                   la_lookup=value(LA_LOOKUP), manifest=value(MANIFEST), auth=value(AUTH),
                   reports_url=value(REPORTS_URL), public_url=value(PUBLIC_URL))


def environment() -> Environment:
    """The ofsted-qa environment variables, read now."""
    return Environment.read()
