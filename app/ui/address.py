"""The page address: each tab keeps what it shows there, so a copied link reopens the same view for a
colleague and the browser's Back button returns to the previous one.

Each page names its address parameters (name -> whether it repeats) and reads them with `LinkValues`;
in the browser, `window.ofstedQa.keep({...})` (ui_link.js) writes them, leaving the others as they are.
"""

from __future__ import annotations

import json
from typing import Any

TAB = "tab"  # the tab shown, by its id; none: the Search tab
# Parameters Gradio itself puts in an address.
GRADIO_PARAMETERS = frozenset({"__theme", "view_api"})


class LinkValues:
    """The parameters of a request's address that a page knows.

    Args:
        request: the page load's request (gr.Request), or None.
        known: parameter name -> whether it repeats.
    """

    def __init__(self, request: Any, known: dict[str, bool]) -> None:
        params = getattr(request, "query_params", None) if request is not None else None
        self.values: dict[str, list[str]] = {}
        for key, value in (params.multi_items() if params is not None else []):
            if key in known:
                self.values.setdefault(key, []).append(value)

    def __bool__(self) -> bool:
        return bool(self.values)

    def one(self, key: str) -> str | None:
        """The parameter's first value, or None."""
        return self.values[key][0] if self.values.get(key) else None

    def many(self, key: str) -> list[str]:
        """Every value of a repeated parameter, in order."""
        return list(self.values.get(key, []))

    def flag(self, key: str) -> bool:
        return self.one(key) in ("1", "true", "yes")

    def number(self, key: str, default: int, low: int, high: int) -> tuple[int, str | None]:
        """A whole number kept within [low, high]; (default, "key=value") when it is not one."""
        raw = self.one(key)
        if raw is None:
            return default, None
        try:
            return min(high, max(low, int(raw))), None
        except ValueError:
            return default, f"{key}={raw}"


def unknown_parameters(request: Any, known: set[str]) -> list[str]:
    """The address's parameters that no page knows (Gradio's own aside), in order."""
    params = getattr(request, "query_params", None) if request is not None else None
    return [key for key, _ in (params.multi_items() if params is not None else [])
            if key not in known and key not in GRADIO_PARAMETERS]


def keep_js(tab: str | None, *names: str) -> str:
    """An event's browser code that puts the tab and its inputs' values, in order as `names`, in the
    address (a list repeats the parameter; an empty value removes it)."""
    args = ", ".join(f"v{i}" for i in range(len(names)))
    values = "".join(f", {json.dumps(name)}: v{i}" for i, name in enumerate(names))
    return f"({args}) => window.ofstedQa.keep({{{json.dumps(TAB)}: {json.dumps(tab)}{values}}})"
